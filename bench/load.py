"""Driving a server with concurrent clients and summarising what came back."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import psutil

CONCURRENCY = 8
WARMUP_SECONDS = 2.0
WINDOW_SECONDS = 2.0
SETTLE_SECONDS = 0.5
"""Long enough for a server to finish what follows its last response (a trace, ~1 ms)."""


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    server_cpu: float
    """CPU seconds the server process spent in the measured window."""

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float:
        """Milliseconds of server CPU (user and system) per request served."""
        return self.server_cpu / self.requests * 1000

    @property
    def per_cpu_second(self) -> float:
        """Requests served per second of server CPU: throughput if the server had a core alone."""
        return self.requests / self.server_cpu

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000

    def merged(self, other: Result) -> Result:
        return Result(
            self.requests + other.requests,
            self.errors + other.errors,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.server_cpu + other.server_cpu,
        )


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    workers: bool = False
    """Whether the requests are served by child processes (``board serve --workers``)."""

    def cpu_seconds(self) -> float:
        """CPU time of the server process (and its workers) so far, from ``/proc``."""
        pids = [self.pid]
        if self.workers:
            pids += [child.pid for child in psutil.Process(self.pid).children(recursive=True)]
        return sum(_cpu_seconds(pid) for pid in pids)


def _cpu_seconds(pid: int) -> float:
    """Time the process's threads have run, from the scheduler's nanosecond count.

    ``/proc/<pid>/stat`` counts in 10 ms ticks: one tick is 2% of a round of 30 feed requests,
    as much as the differences measured. A thread that exits takes its time with it; the
    servers' threads (the OTLP export thread, the worker pool) live as long as they do.
    """
    total = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:  # a helper process that has exited meanwhile
        return 0.0
    for task in tasks:
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):  # a thread that has exited meanwhile
            continue
    return total / 1e9


async def drive(server: Server, body: Mapping[str, Any], seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await http.post(server.url, json=body)
            errors += failed(response)
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        started, cpu = time.perf_counter(), server.cpu_seconds()
        await asyncio.gather(*(client(http) for _ in range(CONCURRENCY)))
        elapsed, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
    return Result(len(latencies), errors, elapsed, latencies, cpu)


async def alternate(
    servers: Mapping[str, Server], body: Mapping[str, Any], requests: int
) -> dict[str, Result]:
    """One client sends each server a request in turn, ``requests`` times over, and notes the
    server CPU each server took for them: neighbouring requests meet the machine in the same
    state, so the ratios of CPU per request hold however its speed drifts.

    A server's CPU is read at the start of the round and once it has settled after its last
    answer, not around each request: a traced server finishes and sends the trace after the
    response has gone out, work a reading taken as the response arrives would miss.
    """
    latencies: dict[str, list[float]] = {name: [] for name in servers}
    errors = dict.fromkeys(servers, 0)
    cpu = {name: server.cpu_seconds() for name, server in servers.items()}
    async with httpx.AsyncClient(timeout=30) as http:
        for _ in range(requests):
            for name, server in servers.items():
                started = time.perf_counter()
                response = await http.post(server.url, json=body)
                latencies[name].append(time.perf_counter() - started)
                errors[name] += failed(response)
    await asyncio.sleep(SETTLE_SECONDS)
    return {
        name: Result(
            requests, errors[name], sum(spent), spent, servers[name].cpu_seconds() - cpu[name]
        )
        for name, spent in latencies.items()
    }


def failed(response: httpx.Response) -> bool:
    return response.status_code != 200 or "errors" in response.json()


def warm_up(server: Server, body: Mapping[str, Any]) -> None:
    asyncio.run(drive(server, body, WARMUP_SECONDS))


def measure(server: Server, body: Mapping[str, Any]) -> Result:
    """One window; compare variants by many short windows taken in turn, not one long one each."""
    return asyncio.run(drive(server, body, WINDOW_SECONDS))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def server(command: Sequence[str], environ: Mapping[str, str]) -> Iterator[Server]:
    """``python <command>`` in its own process, ``{port}`` in it replaced by a free port.

    Its output goes to a file, shown only if it fails to start: ``board serve`` logs a line per
    request, thousands per run, which would bury the report.
    """
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in command]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, *argv], env={**os.environ, **environ}, stdout=log, stderr=log
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}/healthz", process, log)
            yield Server(
                f"http://127.0.0.1:{port}/graphql", process.pid, workers="--workers" in argv
            )
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"bench server exited with {process.returncode}:\n{output}")
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


# An OTLP/HTTP collector that accepts and discards every export, also in its own process.
_OTLP_SINK = """
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print("http://127.0.0.1:%d/v1/traces" % server.server_address[1], flush=True)
server.serve_forever()
"""


@contextmanager
def udp_sink() -> Iterator[str]:
    """A stand-in daemon that reads and discards datagrams, so sends never hit a closed port."""
    with _sink(_SINK) as address:
        yield address


@contextmanager
def otlp_sink() -> Iterator[str]:
    """A stand-in collector's OTLP traces URL: exports are read in full and answered 200."""
    with _sink(_OTLP_SINK) as url:
        yield url


@contextmanager
def _sink(source: str) -> Iterator[str]:
    """Runs ``source`` in a process of its own; yields the first line it prints (its address)."""
    process = subprocess.Popen([sys.executable, "-c", source], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()


def report(results: Mapping[str, Result], baseline: str, limit: str) -> None:
    base, best = results[baseline].throughput, results[limit].throughput
    print(
        f"{'variant':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'/untraced':>11}{'/limit':>8}"
        f"{'cpu ms/req':>12}"
    )
    for name, result in results.items():
        print(
            f"{name:<28}{result.throughput:>9.1f}{result.percentile(50):>9.1f}"
            f"{result.percentile(99):>9.1f}{result.throughput / base:>11.2f}"
            f"{result.throughput / best:>8.3f}{result.cpu_per_request:>12.1f}"
            + (f"  ({result.errors} errors)" if result.errors else "")
        )


def report_rounds(
    rounds: Sequence[Mapping[str, Result]], label: str, value: Callable[[Result], float]
) -> None:
    """One figure per variant and round, so a disturbed round shows for what it is."""
    print(f"{label:<28}" + "".join(f"{n + 1:>8}" for n in range(len(rounds))))
    for name in rounds[0]:
        print(f"{name:<28}" + "".join(f"{value(r[name]):>8.2f}" for r in rounds))
