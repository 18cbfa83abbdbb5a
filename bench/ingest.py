"""`board xray` ingest: documents per second stored, and whether any were lost.

A sender blasts realistic documents (a segment and nine streamed subsegments per trace) at a
fixed rate over UDP to a daemon in its own process, then waits until the daemon has stored them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.load import free_port
from tracing.wire import DATAGRAM_PREFIX

TRACES = 5_000
SUBSEGMENTS = 9
TARGET_RATE = 10_000  # documents per second offered
TARGET_STORED_RATE = 5_000


def trace_documents(index: int) -> list[bytes]:
    trace = f"1-{int(time.time()):08x}-{index:024x}"
    root = os.urandom(8).hex()
    start = time.time()
    segment = {
        "trace_id": trace,
        "id": root,
        "name": "board-api",
        "start_time": start,
        "end_time": start + 0.05,
        "http": {
            "request": {"method": "POST", "url": "http://127.0.0.1:8000/graphql"},
            "response": {"status": 200, "content_length": 5120},
        },
        "annotations": {"operation_name": "Feed", "operation_type": "query"},
        "metadata": {"graphql": {"path": "posts"}},
    }
    subsegments = [
        {
            "trace_id": trace,
            "type": "subsegment",
            "parent_id": root,
            "id": os.urandom(8).hex(),
            "name": "Post.author",
            "start_time": start + n * 0.001,
            "end_time": start + n * 0.001 + 0.002,
            "metadata": {"graphql": {"path": f"posts.edges.{n}.node.author"}},
            "subsegments": [
                {
                    "id": os.urandom(8).hex(),
                    "name": "postgres@localhost",
                    "namespace": "remote",
                    "start_time": start,
                    "end_time": start + 0.001,
                    "sql": {
                        "url": "postgresql://localhost/postgres",
                        "database_type": "PostgreSQL",
                        "sanitized_query": "SELECT users.id FROM users WHERE "
                        "users.id = ANY (%(id_1)s::BIGINT[])",
                    },
                }
            ],
        }
        for n in range(SUBSEGMENTS)
    ]
    return [DATAGRAM_PREFIX + json.dumps(doc).encode() for doc in (*subsegments, segment)]


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="board-ingest-") as data:
        daemon = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "board.cli",
                "xray",
                "--bind",
                f"127.0.0.1:{port}",
                "--data",
                str(Path(data)),
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            stats_url = f"http://127.0.0.1:{port}/stats"
            _wait(stats_url)
            datagrams = [d for i in range(TRACES) for d in trace_documents(i)]
            sent, offered = _send(datagrams, port)
            stored, elapsed = _drain(stats_url, sent, offered)
        finally:
            daemon.terminate()
            daemon.wait()
    rate = stored / elapsed
    lost = sent - stored
    print(
        f"documents sent {sent} (~{sum(map(len, datagrams)) // sent} bytes each), offered at "
        f"{sent / offered:,.0f}/s"
    )
    print(f"documents stored {stored} in {elapsed:.2f} s: {rate:,.0f} documents/s, lost {lost}")
    verdict = "met" if rate >= TARGET_STORED_RATE and lost == 0 else "MISSED"
    print(f"target >= {TARGET_STORED_RATE:,} documents/s without loss: {verdict}")


def _wait(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("board xray did not start")


def _send(datagrams: list[bytes], port: int) -> tuple[int, float]:
    """Send at TARGET_RATE, paced per millisecond-sized burst; returns count and seconds."""
    burst = max(1, TARGET_RATE // 1000)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        started = time.perf_counter()
        for index in range(0, len(datagrams), burst):
            for datagram in datagrams[index : index + burst]:
                sender.sendto(datagram, ("127.0.0.1", port))
            ahead = started + (index + burst) / TARGET_RATE - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
        return len(datagrams), time.perf_counter() - started


def _drain(url: str, sent: int, offered: float) -> tuple[int, float]:
    """Wait until the daemon stored everything (or stopped making progress)."""
    started = time.perf_counter() - offered
    last, still = -1, 0
    while True:
        stats = httpx.get(url, timeout=5).json()
        stored: int = stats["stored"]
        if stored >= sent:
            return stored, time.perf_counter() - started
        still = still + 1 if stored == last else 0
        if still > 20:
            return stored, time.perf_counter() - started
        last = stored
        time.sleep(0.05)
