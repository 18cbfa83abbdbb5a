"""Chaos at a request rate against the real API, traced into the real local daemon: `fault`
finds every request that failed and none of the clean ones, with the failed resolver as the
root cause, though every response was HTTP 200."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from board.chaos import Chaos
from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.daemon import call, stored, xray_client
from tests.support.feed import FEED, seed_feed
from tests.support.traced_app import board_tracing_config, traced_http
from xray_local.server import RunningDaemon

REQUESTS = 40
WAIT_SECONDS = 10.0


async def test_every_failed_request_is_found_by_fault_and_no_clean_one(
    database: Database, tokens: TokenSigner, xray: RunningDaemon
) -> None:
    await seed_feed(database, users=2, posts=4, comments=2)
    config = board_tracing_config(xray.address)
    chaos = Chaos(error_rate=0.3, latency_ms=None, rng=random.Random(17))
    started = time.time() - 1
    failed: dict[str, str] = {}
    clean: set[str] = set()
    async with traced_http(database, tokens, config, chaos=chaos) as http:
        for sent in range(1, REQUESTS + 1):
            response = await http.post(
                "/graphql", json={"query": FEED, "variables": {"first": 4, "comments": 2}}
            )
            assert response.status_code == 200
            payload = response.json()
            trace = payload["extensions"]["traceId"]
            if payload.get("errors"):
                failed[trace] = payload["errors"][0]["message"].split(" ")[0]
            else:
                clean.add(trace)
            # Paced: the daemon shares this event loop, and UDP drops what it cannot buffer.
            await stored(xray, sent)
    assert 5 <= len(failed) <= 20

    client = xray_client(xray)
    window = {"StartTime": started, "EndTime": time.time() + 60}

    async def found(expression: str) -> dict[str, dict[str, Any]]:
        answer = await call(client.get_trace_summaries, **window, FilterExpression=expression)
        return {summary["Id"]: summary for summary in answer["TraceSummaries"]}

    async with asyncio.timeout(WAIT_SECONDS):
        # The daemon stores in its own thread; there is no event to wait on.
        while len(await found("")) < REQUESTS:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    faulty = await found("fault")
    assert set(faulty) == set(failed)
    assert set(await found("ok")) == clean
    assert set(await found('annotation.graphql_error_codes = "CHAOS_INJECTED"')) == set(failed)
    for trace, field in failed.items():
        (cause,) = faulty[trace]["FaultRootCauses"]
        path = cause["Services"][0]["EntityPath"]
        assert path[-1]["Name"] == field
        assert path[-1]["Exceptions"][0]["Name"] == "ChaosError"
    some_field = next(iter(failed.values()))
    by_root_cause = await found(f'rootcause.fault.entity {{ name = "{some_field}" }}')
    assert set(by_root_cause) == {t for t, f in failed.items() if f == some_field}
