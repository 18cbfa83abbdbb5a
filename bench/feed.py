"""The feed query (20 posts x 10 comments, ~1,100 fields) against each server variant.

Prints throughput and latency percentiles per variant and their ratios to the untraced server,
measured side by side in one run: variants alternate within each round, so drift hits them alike,
and a target is judged on the median of its per-round ratios, so one disturbed round cannot
decide it.
"""

from __future__ import annotations

import asyncio
import json
import statistics
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

ROUNDS = 5
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


Rounds = list[dict[str, Result]]


def run_rounds(url: URL, daemon: str, sample_none: str) -> Rounds:
    rounds: Rounds = []
    for _ in range(ROUNDS):
        results: dict[str, Result] = {}
        for name, (variant, environ) in variants(daemon, sample_none).items():
            env: Mapping[str, str] = {**environ, "DATABASE_URL": url.render_as_string(False)}
            with server(variant, env) as graphql:
                results[name] = measure(graphql, BODY)
        rounds.append(results)
    return rounds


def merged(rounds: Rounds) -> dict[str, Result]:
    results = dict(rounds[0])
    for later in rounds[1:]:
        results = {name: result.merged(later[name]) for name, result in results.items()}
    return results


def round_ratios(rounds: Rounds, variant: str, baseline: str) -> list[float]:
    return [r[variant].throughput / r[baseline].throughput for r in rounds]


def verdict(label: str, ratios: list[float], target: float) -> str:
    median = statistics.median(ratios)
    met = "met" if median >= target else "MISSED"
    spread = " ".join(f"{ratio:.2f}" for ratio in ratios)
    return f"{label}: {median:.3f} (median of rounds {spread}; target >= {target}: {met})"


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
            rounds = run_rounds(url, daemon, str(sample_none))
    results = merged(rounds)
    report(results, baseline="untraced")
    loaders = results["untraced"].throughput / results["untraced, loaders off"].throughput
    print(f"\nstatements per feed request: loaders on {statements[True]}, off {statements[False]}")
    print(f"loaders on vs off throughput: {loaders:.2f}x")
    traced = round_ratios(rounds, "traced (X-Ray)", "untraced")
    print(verdict("traced / untraced throughput", traced, TRACED_TARGET))
    sampled_out = round_ratios(rounds, "traced, sampled out", "untraced")
    print(verdict("sampled out / tracing disabled throughput", sampled_out, SAMPLED_OUT_TARGET))
