"""`board run` as a user starts it: database, migrations, local daemon, API; SIGTERM stops all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

START_SECONDS = 60.0
FEED = "query Feed { posts(first: 3) { edges { node { title author { username } } } } }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_for(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {START_SECONDS} s")


def postgres_serving(data_dir: Path) -> list[psutil.Process]:
    """The live PostgreSQL processes started with ``-D data_dir``."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if str(data_dir) in cmdline and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


@pytest.fixture
def board_run(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[str], int, int, Path]]:
    api, daemon = free_port(), free_port()
    env = {
        **os.environ,
        "BOARD_DATA_DIR": str(tmp_path),
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon}",
        "BOARD_TRACE_EXPORTER": request.param,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    for configured in (
        "DATABASE_URL",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ):
        env.pop(configured, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "board.cli", "run", "--port", str(api)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, api, daemon, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# With otlp the trace reaches the local daemon only as OTLP spans at its /v1/traces.
@pytest.mark.parametrize("board_run", ["xray", "otlp"], indirect=True)
def test_board_run_serves_traces_and_stops_cleanly(
    board_run: tuple[subprocess.Popen[str], int, int, Path],
) -> None:
    process, api, daemon, data_dir = board_run
    wait_for(f"http://127.0.0.1:{api}/healthz", process)
    children = psutil.Process(process.pid).children(recursive=True)
    # pg_ctl detaches the server from us: it is found by its data directory instead.
    assert postgres_serving(data_dir / "pg")

    payload = httpx.post(f"http://127.0.0.1:{api}/graphql", json={"query": FEED}).json()
    assert payload["data"] == {"posts": {"edges": []}}
    trace_id = payload["extensions"]["traceId"]
    console = f"http://127.0.0.1:{daemon}"
    deadline = time.monotonic() + 10
    while httpx.get(f"{console}/traces/{trace_id}").status_code != 200:
        assert time.monotonic() < deadline, "the trace never reached the local daemon"
        time.sleep(0.2)

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert f"GraphiQL:  http://127.0.0.1:{api}/graphql" in output
    assert f"X-Ray console: {console}/" in output
    assert not [child for child in children if child.is_running() and child.status() != "zombie"]
    assert not postgres_serving(data_dir / "pg")
    assert (data_dir / "pg").is_dir()


@pytest.mark.parametrize("board_run", ["xray"], indirect=True)
def test_ctrl_c_stops_board_run_as_quietly_as_sigterm(
    board_run: tuple[subprocess.Popen[str], int, int, Path],
) -> None:
    process, api, _, data_dir = board_run
    wait_for(f"http://127.0.0.1:{api}/healthz", process)

    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert not postgres_serving(data_dir / "pg")
    assert (data_dir / "xray" / "traces.sqlite3").is_file()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("BOARD_CHAOS_LATENCY_MS", "fast"), ("DATABASE_URL", "mysql://somewhere/board")],
)
def test_a_bad_setting_stops_board_run_with_its_name_not_a_traceback(
    tmp_path: Path, variable: str, value: str
) -> None:
    env = {**os.environ, "BOARD_DATA_DIR": str(tmp_path), variable: value}
    finished = subprocess.run(
        [sys.executable, "-m", "board.cli", "run", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert finished.stderr.startswith(f"board run: {variable}")
    assert "Traceback" not in finished.stderr


def test_a_bad_rule_file_stops_board_serve_naming_file_and_field(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text('{"version": 2, "rules": [], "default": {"fixed_target": 1, "rate": 5}}')
    env = {**os.environ, "BOARD_DATA_DIR": str(tmp_path), "XRAY_SAMPLING_RULES": str(rules)}
    finished = subprocess.run(
        [sys.executable, "-m", "board.cli", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert finished.stderr.startswith(f"board serve: {rules}: default rule: rate must be")
    assert "Traceback" not in finished.stderr
