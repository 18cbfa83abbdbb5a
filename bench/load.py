"""Driving a server with concurrent clients and summarising what came back."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

CONCURRENCY = 8
WARMUP_SECONDS = 1.5
MEASURE_SECONDS = 5.0


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000

    def merged(self, other: Result) -> Result:
        return Result(
            self.requests + other.requests,
            self.errors + other.errors,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
        )


async def drive(url: str, body: Mapping[str, Any], seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await http.post(url, json=body)
            if response.status_code != 200 or "errors" in response.json():
                errors += 1
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return Result(len(latencies), errors, elapsed, latencies)


def measure(url: str, body: Mapping[str, Any]) -> Result:
    asyncio.run(drive(url, body, WARMUP_SECONDS))
    return asyncio.run(drive(url, body, MEASURE_SECONDS))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def server(variant: str, environ: Mapping[str, str]) -> Iterator[str]:
    """``bench.server`` in its own process (its own core); yields the GraphQL URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.server", variant, str(port)],
        env={**os.environ, **environ},
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bench server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("bench server did not become healthy in 30 s")


# Drains datagrams in its own process: a thread in the client process would take the GIL from
# the load generator and bias the traced variants.
_SINK = """
import socket, sys
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.bind(("127.0.0.1", 0))
print("%s:%d" % sink.getsockname(), flush=True)
while True:
    sink.recv(65536)
"""


@contextmanager
def udp_sink() -> Iterator[str]:
    """A stand-in daemon that reads and discards datagrams, so sends never hit a closed port."""
    process = subprocess.Popen([sys.executable, "-c", _SINK], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()


def report(results: Mapping[str, Result], baseline: str) -> None:
    base = results[baseline].throughput
    print(f"{'variant':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'ratio':>8}")
    for name, result in results.items():
        print(
            f"{name:<28}{result.throughput:>9.1f}{result.percentile(50):>9.1f}"
            f"{result.percentile(95):>9.1f}{result.percentile(99):>9.1f}"
            f"{result.throughput / base:>8.2f}"
            + (f"  ({result.errors} errors)" if result.errors else "")
        )
