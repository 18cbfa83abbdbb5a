"""Instructions per feed request, counted by valgrind's callgrind: untraced, X-Ray, and X-Ray with
parts of its instrumentation left out, so that each part's cost is the difference of two counts.

Throughput and CPU time on the 2-core VM move by several percent from one second to the next, so
the feed bench needs minutes and many rounds to judge a ratio and cannot see a change of 0.05 ms
a request. An instruction count can: four runs of the same code agreed within 0.7% (0.3-0.5
million of ~81 million instructions a request). It is a developer's instrument, not the judge:
X-Ray's tracing adds about 7.5% to untraced's instructions but 12-13% to its CPU time, because
what it adds allocates and touches memory more than the average instruction, and the kernel's
half of sending a datagram and the garbage collector (see ``_requests``) are not counted here.

Each variant runs in a process of its own under callgrind (``python -m bench.instructions``);
it warms up, zeroes the count, sends the feed query ``REQUESTS`` times in process and dumps the
count (``callgrind_control``). Two variants run at a time; the run takes about three minutes.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path

# Bound before tracing is configured: the X-Ray SDK's httpx patch replaces ``httpx.AsyncClient``
# with a class that traces its own requests, which would count the client against tracing.
from httpx import ASGITransport, AsyncClient
from starlette.types import ASGIApp

from bench.feed import BENCH_SECRET_KEY, BODY, seed
from bench.load import udp_sink
from board.app import board_app, board_tracing
from board.heap import prepare_collector
from board.migrations import upgrade
from db.embedded import embedded_postgres
from db.engine import Database
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tracing import Tracing, TracingConfig

REQUESTS = 30
WARM_UP_REQUESTS = 6
UNTRACED = "untraced"
XRAY = "traced (X-Ray)"
UNWRAPPED = "X-Ray, resolvers not wrapped"
MIDDLEWARE_ALONE = "X-Ray, middleware alone"
# From all of X-Ray's instrumentation to none, a part less each time: what each one leaves out.
LEFT_OUT = {
    UNWRAPPED: "resolver subsegments and folds, with their share of the trace to finish and send",
    MIDDLEWARE_ALONE: "the extension's steps and annotations, statement and loader subsegments",
    UNTRACED: "the segment: sampling, headers, the trace finished and sent",
}
_SUMMARY = re.compile(rb"^summary: (\d+)$", re.MULTILINE)


def main() -> None:
    if shutil.which("valgrind") is None:
        print("valgrind not found: install it (Debian: apt-get install valgrind) to count")
        return
    with tempfile.TemporaryDirectory() as tmp, embedded_postgres(Path(tmp) / "pg") as url:
        upgrade(url)
        database_url = url.render_as_string(hide_password=False)
        asyncio.run(_seed(database_url))
        with udp_sink() as daemon:
            variants = [XRAY, *LEFT_OUT]
            counts = count_all(variants, database_url, daemon, Path(tmp))
    report(counts)


async def _seed(database_url: str) -> None:
    database = Database.connect(database_url)
    await seed(database)
    await database.dispose()


def count_all(variants: list[str], database_url: str, daemon: str, tmp: Path) -> dict[str, int]:
    """Instructions per request of each variant, two variants under callgrind at a time."""
    counts: dict[str, int] = {}
    for first in range(0, len(variants), 2):
        running = {
            variant: _start(variant, database_url, daemon, tmp / f"callgrind-{index}")
            for index, variant in enumerate(variants[first : first + 2], start=first)
        }
        for variant, (process, dump) in running.items():
            if process.wait() != 0:
                raise RuntimeError(f"{variant} failed under callgrind, exit {process.returncode}")
            counts[variant] = instructions_in(dump) // REQUESTS
    return counts


def _start(
    variant: str, database_url: str, daemon: str, out: Path
) -> tuple[subprocess.Popen[bytes], Path]:
    command = [
        *("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"),
        *(sys.executable, "-m", "bench.instructions", variant, database_url, daemon),
    ]
    # One hash seed for every run: sets iterate in the same order, so the work counted is the same.
    environ = {**os.environ, "PYTHONHASHSEED": "0"}
    process = subprocess.Popen(
        command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, Path(f"{out}.1")  # the first dump, the one ``_requests`` asks for


def instructions_in(dump: Path) -> int:
    found = _SUMMARY.search(dump.read_bytes())
    if found is None:
        raise RuntimeError(f"no instruction count in {dump}")
    return int(found.group(1))


def report(counts: Mapping[str, int]) -> None:
    base = counts[UNTRACED]
    print(f"\ninstructions per feed request, {REQUESTS} requests each, in process:")
    print(f"{'variant':<32}{'millions':>10}{'/ untraced':>12}")
    for variant, count in counts.items():
        print(f"{variant:<32}{count / 1e6:>10.2f}{count / base:>12.4f}")
    print("\nwhat X-Ray adds, part by part (millions of instructions a request, share):")
    added = counts[XRAY] - base
    chain = [XRAY, *LEFT_OUT]
    for variant, without in pairwise(chain):
        cost = counts[variant] - counts[without]
        print(f"{cost / 1e6:8.2f}{cost / added:8.1%}  {LEFT_OUT[without]}")


# In the variant's own process, under callgrind.


def _callgrind_control(*arguments: str) -> None:
    command = ["callgrind_control", *arguments, str(os.getpid())]
    subprocess.run(command, check=True, capture_output=True)


async def _requests(app: ASGIApp) -> None:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as http:

        async def feed() -> None:
            response = await http.post("/graphql", json=BODY)
            if response.status_code != 200 or "errors" in response.json():
                raise RuntimeError(f"feed query failed: {response.text[:500]}")

        for _ in range(WARM_UP_REQUESTS):
            await feed()
        prepare_collector()  # as `board serve` does once the app is built
        # A collection of the older generation is a few million instructions at once, and
        # whether one falls among the counted requests depends on the event loop's timing, so
        # the count leaves the collector out (what tracing adds to it: the README, in time).
        gc.disable()
        _callgrind_control("--zero")
        for _ in range(REQUESTS):
            await feed()
        _callgrind_control("--dump=measured")
        gc.enable()


def build(variant: str, database: Database, daemon: str) -> ASGIApp:
    """The board app traced as ``variant`` says, sending to the stand-in daemon at ``daemon``."""
    tokens = TokenSigner(BENCH_SECRET_KEY.encode())
    enabled = "false" if variant == UNTRACED else "true"
    environ = {"AWS_XRAY_SDK_ENABLED": enabled, "AWS_XRAY_DAEMON_ADDRESS": daemon}
    tracing = board_tracing(TracingConfig.from_env(environ, service_name="board"))
    if variant in (UNTRACED, XRAY):
        return board_app(database, tokens, tracing=tracing)
    return _partly_traced(database, tokens, tracing, lifecycle=variant == UNWRAPPED)


def _partly_traced(
    database: Database, tokens: TokenSigner, tracing: Tracing, *, lifecycle: bool
) -> ASGIApp:
    """``board_app``'s wiring less the resolver wrappers and, unless ``lifecycle``, less the
    extension, the statement events and the loader hook too."""
    schema = build_schema(
        tracing.schema_extensions() if lifecycle else [],
        observe_cost=tracing.annotator("query_cost") if lifecycle else None,
    )
    if lifecycle:
        tracing.instrument_engine(database.engine)
    return create_app(
        database,
        schema,
        tokens=tokens,
        loader_hook=tracing.loader_hook() if lifecycle else None,
        middleware=tracing.middleware(),
    )


if __name__ == "__main__":
    variant, database_url, daemon = sys.argv[1:]
    asyncio.run(_requests(build(variant, Database.connect(database_url), daemon)))
