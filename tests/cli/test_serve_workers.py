"""`board serve --workers N`: N processes answer on one port, each sending its own traces."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy.engine import URL

from db.engine import Database
from tests.cli.test_run import free_port, wait_for
from tests.support.feed import FEED, seed_feed
from tracing.wire import DATAGRAM_PREFIX

WORKERS = 2
REQUESTS = 20
PASSWORD = "hunter2-is-a-password"


@pytest.fixture
def daemon_socket() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        sink.settimeout(10)
        # Read only once every request is answered: the traces wait in the socket meanwhile.
        sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        yield sink


@pytest.fixture
def serve_environment() -> dict[str, str]:
    return {}


@pytest.fixture
def served(
    migrated_url: URL,
    daemon_socket: socket.socket,
    tmp_path: Path,
    serve_environment: dict[str, str],
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    host, daemon_port = daemon_socket.getsockname()
    env = {
        **os.environ,
        "DATABASE_URL": migrated_url.render_as_string(hide_password=False),
        "AWS_XRAY_DAEMON_ADDRESS": f"{host}:{daemon_port}",
        "BOARD_DATA_DIR": str(tmp_path),
        **serve_environment,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "board.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def workers_of(process: subprocess.Popen[str]) -> list[psutil.Process]:
    children = psutil.Process(process.pid).children()
    return [child for child in children if "spawn_main" in " ".join(child.cmdline())]


async def test_workers_share_the_port_and_each_sends_traces(
    database: Database, served: tuple[subprocess.Popen[str], int], daemon_socket: socket.socket
) -> None:
    await seed_feed(database, users=3, posts=4, comments=2)
    process, port = served
    wait_for(f"http://127.0.0.1:{port}/healthz", process)
    assert len(workers_of(process)) == WORKERS

    body = {"query": FEED, "variables": {"first": 4, "comments": 2}}
    # A connection each: the workers take turns accepting them.
    fresh_connections = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=fresh_connections, timeout=30) as http:
        url = f"http://127.0.0.1:{port}/graphql"
        responses = [await http.post(url, json=body) for _ in range(REQUESTS)]
    assert {response.status_code for response in responses} == {200}
    assert all(len(r.json()["data"]["posts"]["edges"]) == 4 for r in responses)
    trace_ids = {r.json()["extensions"]["traceId"] for r in responses}
    assert len(trace_ids) == REQUESTS

    received: set[str] = set()
    while not trace_ids <= received:
        datagram = daemon_socket.recv(65536)
        assert datagram.startswith(DATAGRAM_PREFIX)
        received.add(json.loads(datagram[len(DATAGRAM_PREFIX) :])["trace_id"])

    workers = workers_of(process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive


@pytest.mark.parametrize(
    "serve_environment",
    [{"BOARD_MAX_HEADER_BYTES": "4096", "BOARD_HEADER_TIMEOUT_SECONDS": "1"}],
)
def test_workers_keep_the_header_limits_and_the_access_log(
    served: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = served
    wait_for(f"http://127.0.0.1:{port}/healthz", process)
    url = f"http://127.0.0.1:{port}/graphql"
    fresh_connections = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(limits=fresh_connections, timeout=30) as http:
        sign_in = f'mutation {{ signIn(username: "ada", password: "{PASSWORD}") {{ token }} }}'
        assert http.get(url, params={"query": sign_in}).status_code == 405
        # Under the 16 KB default, over the 4 KB set here: every worker refuses it.
        big = {"x-padding": "a" * 8000}
        assert {http.get(url, headers=big).status_code for _ in range(4)} == {431}
    with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and the headers never end
        assert slow.recv(1024) == b""  # closed by the worker after the 1 s header deadline

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    output = process.stdout.read() if process.stdout else ""
    assert '"GET /graphql" 405' in output, output
    assert '"GET /graphql" 431' in output, output
    assert PASSWORD not in output


def test_a_worker_count_below_one_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "board.cli", "serve", "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--workers: must be a whole number of at least 1 (got '0')" in result.stderr
