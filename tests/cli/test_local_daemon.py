"""Which daemon `board run` uses: a remote one as given, a local one reused, else its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from board.local_daemon import DaemonStartError, local_daemon
from xray_local.sampling_api import default_xray_rules
from xray_local.server import DaemonSettings, running_daemon


def console_for(address: str, data_dir: Path) -> str | None:
    with local_daemon(address, data_dir) as console:
        return console


def test_a_remote_daemon_is_used_as_given(tmp_path: Path) -> None:
    assert console_for("10.0.0.5:2000", tmp_path) is None
    assert not (tmp_path / "xray").exists()


async def test_a_daemon_already_running_is_reused(tmp_path: Path) -> None:
    settings = DaemonSettings("127.0.0.1", 0, tmp_path / "theirs", default_xray_rules())
    async with running_daemon(settings) as daemon:
        # Starting a second daemon on the taken port would fail with DaemonStartError.
        console = await asyncio.to_thread(console_for, daemon.address, tmp_path)
    assert console == f"{daemon.url}/"
    assert not (tmp_path / "xray").exists()


@pytest.fixture
def other_web_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_port_taken_by_something_else_is_a_clear_error(
    other_web_server: str, tmp_path: Path
) -> None:
    with pytest.raises(DaemonStartError, match="set AWS_XRAY_DAEMON_ADDRESS to a free local"):
        console_for(other_web_server, tmp_path)
