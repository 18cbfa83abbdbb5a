"""`board run` starts `board xray` beside the API unless traces are meant to go elsewhere."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from aws_xray_sdk.core.daemon_config import DaemonConfig

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
START_TIMEOUT_SECONDS = 15.0
PROBE_TIMEOUT_SECONDS = 2.0


class DaemonStartError(RuntimeError):
    pass


@contextmanager
def local_daemon(address: str, data_dir: Path) -> Iterator[str | None]:
    """Yield the console URL of a local daemon at ``address`` (started if need be), else None.

    An address on another host is a real X-Ray daemon: nothing is started. A local port where
    an X-Ray daemon answers already (``board xray`` in another terminal) is used as it is.
    """
    config = DaemonConfig(address)
    if config.tcp_ip not in LOCAL_HOSTS or (config.tcp_ip, config.tcp_port) != (
        config.udp_ip,
        config.udp_port,
    ):
        yield None
        return
    host, port = config.tcp_ip, config.tcp_port
    url = f"http://{host}:{port}/"
    if _answers(host, port):
        if not _is_xray_daemon(url):
            raise DaemonStartError(
                f"{host}:{port} is taken by something that does not answer as an X-Ray daemon; "
                "stop it, or set AWS_XRAY_DAEMON_ADDRESS to a free local HOST:PORT"
            )
        yield url
        return
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "board.cli",
            "xray",
            "--bind",
            f"{host}:{port}",
            "--data",
            str(data_dir / "xray"),
        ],
    )
    try:
        _wait_until_listening(host, port, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _answers(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _is_xray_daemon(url: str) -> bool:
    """A daemon already running (ours from another terminal, or AWS's) answers GetSamplingRules."""
    try:
        answer = httpx.post(f"{url}GetSamplingRules", json={}, timeout=PROBE_TIMEOUT_SECONDS)
        return answer.status_code == 200 and "SamplingRuleRecords" in answer.json()
    except (httpx.HTTPError, ValueError):
        return False


def _wait_until_listening(host: str, port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DaemonStartError(f"board xray exited with {process.returncode}; is {port} taken?")
        if _answers(host, port):
            return
        time.sleep(0.1)
    raise DaemonStartError(
        f"board xray did not listen on {host}:{port} within {START_TIMEOUT_SECONDS:.0f} s"
    )
