"""Sampling rules applied per request: unsampled requests still get a trace id, and nothing else."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.graphql import GraphQLClient
from tests.support.traced_app import traced_http
from tests.support.xray import UdpCollector
from tracing import TracingConfig

RULES = {
    "version": 2,
    "rules": [
        {"description": "sign-ups", "operation_name": "SignUp", "fixed_target": 0, "rate": 1},
        {"description": "no viewers", "operation_name": "Viewer", "fixed_target": 0, "rate": 0},
    ],
    "default": {"fixed_target": 0, "rate": 1},
}
VIEWER = "query Viewer { viewer { username } }"


async def test_rules_decide_per_operation_and_name_the_rule(
    database: Database,
    tokens: TokenSigner,
    tracing_config: TracingConfig,
    daemon: UdpCollector,
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    config = replace(tracing_config, sampling_rules=str(rules))
    async with traced_http(database, tokens, config) as http:
        client = GraphQLClient(http)
        skipped = await client.post(VIEWER)
        kept = await client.post(
            "mutation SignUp($u: String!, $p: String!) "
            "{ signUp(username: $u, password: $p) { token } }",
            {"u": "jiyeon", "p": "long enough password"},
        )
        header = f"Root={skipped.json()['extensions']['traceId']};Sampled=1"
        forced = await client.post(VIEWER, headers={"X-Amzn-Trace-Id": header})

    assert skipped.status_code == 200
    assert skipped.json()["data"] == {"viewer": None}
    assert skipped.headers["x-amzn-trace-id"].endswith(";Sampled=0")
    segment = await daemon.trace(kept.json()["extensions"]["traceId"])
    assert segment["metadata"]["sampling"]["rule"] == "sign-ups"
    # An incoming Sampled=1 wins over the rule; no rule is named then.
    forced_segment = await daemon.trace(forced.json()["extensions"]["traceId"])
    assert "sampling" not in forced_segment.get("metadata", {})
    await asyncio.sleep(0.05)
    assert len(daemon.segments()) == 2
