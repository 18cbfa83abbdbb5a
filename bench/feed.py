"""The feed query (20 posts x 10 comments, ~1,100 fields) against each server variant.

Prints throughput and latency percentiles per variant and their ratios to the untraced server,
measured side by side in one run (two alternating rounds, so drift hits every variant alike).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path

import httpx
from sqlalchemy.engine import URL

from bench.load import Result, measure, report, server, udp_sink
from board.migrations import upgrade
from db.embedded import embedded_postgres
from db.engine import Database
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.feed import FEED, seed_feed
from tests.support.statements import counted_statements

ROUNDS = 3
BODY = {"query": FEED, "variables": {"first": 20, "comments": 10}}
TRACED_TARGET = 0.85
SAMPLED_OUT_TARGET = 0.97
SAMPLE_NONE = {"version": 2, "rules": [], "default": {"fixed_target": 0, "rate": 0}}


def variants(daemon: str, sample_none: str) -> dict[str, tuple[str, dict[str, str]]]:
    off = {"AWS_XRAY_SDK_ENABLED": "false"}
    traced = {"AWS_XRAY_DAEMON_ADDRESS": daemon}
    return {
        "untraced": ("board", off),
        "traced (X-Ray)": ("board", traced),
        "traced, sampled out": ("board", {**traced, "XRAY_SAMPLING_RULES": sample_none}),
        "OpenTelemetryExtension": ("opentelemetry", off),
        "untraced, loaders off": ("board", {**off, "BOARD_DATALOADERS": "off"}),
        "traced, loaders off": ("board", {**traced, "BOARD_DATALOADERS": "off"}),
    }


async def prepare(url: URL) -> dict[bool, int]:
    """Seed the data and count the feed's statements per request with loaders on and off."""
    database = Database.connect(url)
    await seed_feed(database, users=50, posts=200, comments=10)
    counts = {}
    for batched in (True, False):
        app = create_app(database, build_schema(), tokens=TokenSigner(b"b"), dataloaders=batched)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as http:
            with counted_statements(database) as seen:
                (await http.post("/graphql", json=BODY)).raise_for_status()
        counts[batched] = len(seen)
    await database.dispose()
    return counts


def run_rounds(url: URL, daemon: str, sample_none: str) -> dict[str, Result]:
    results: dict[str, Result] = {}
    for _ in range(ROUNDS):
        for name, (variant, environ) in variants(daemon, sample_none).items():
            env: Mapping[str, str] = {**environ, "DATABASE_URL": url.render_as_string(False)}
            with server(variant, env) as graphql:
                result = measure(graphql, BODY)
            results[name] = results[name].merged(result) if name in results else result
    return results


def main() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="board-bench-") as tmp,
        embedded_postgres(Path(tmp) / "pg") as url,
    ):
        upgrade(url)
        statements = asyncio.run(prepare(url))
        sample_none = Path(tmp) / "sample-none.json"
        sample_none.write_text(json.dumps(SAMPLE_NONE))
        with udp_sink() as daemon:
            results = run_rounds(url, daemon, str(sample_none))
    report(results, baseline="untraced")
    traced = results["traced (X-Ray)"].throughput / results["untraced"].throughput
    loaders = results["untraced"].throughput / results["untraced, loaders off"].throughput
    print(f"\nstatements per feed request: loaders on {statements[True]}, off {statements[False]}")
    print(f"loaders on vs off throughput: {loaders:.2f}x")
    verdict = "met" if traced >= TRACED_TARGET else "MISSED"
    print(f"traced / untraced throughput: {traced:.2f} (target >= {TRACED_TARGET}: {verdict})")
    sampled_out = results["traced, sampled out"].throughput / results["untraced"].throughput
    verdict = "met" if sampled_out >= SAMPLED_OUT_TARGET else "MISSED"
    print(
        f"sampled out / tracing disabled throughput: {sampled_out:.2f}"
        f" (target >= {SAMPLED_OUT_TARGET}: {verdict})"
    )
