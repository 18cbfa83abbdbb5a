"""Traces on disk: SQLite, written in batches by one thread, pruned by age and count."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tracing.wire import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (trace_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS documents_by_trace ON documents (trace_id);
CREATE TABLE IF NOT EXISTS traces (
    trace_id TEXT PRIMARY KEY,
    start REAL NOT NULL,
    received REAL NOT NULL,
    documents INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_by_start ON traces (start);
"""


@dataclass(frozen=True)
class Retention:
    max_age_seconds: float = 24 * 3600
    max_traces: int = 10_000


@dataclass(frozen=True)
class Received:
    trace_id: str
    start: float
    body: str


@dataclass(frozen=True)
class StoredTrace:
    trace_id: str
    start: float
    documents: int


class TraceStore:
    def __init__(self, path: Path, retention: Retention = Retention()) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._retention = retention
        with self._lock:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.executescript(SCHEMA)

    def add(self, batch: Sequence[Received]) -> None:
        now = time.time()
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN")
            connection.executemany(
                "INSERT INTO documents (trace_id, body) VALUES (?, ?)",
                [(item.trace_id, item.body) for item in batch],
            )
            connection.executemany(
                "INSERT INTO traces (trace_id, start, received, documents) VALUES (?, ?, ?, 1)"
                " ON CONFLICT (trace_id) DO UPDATE SET start = min(start, excluded.start),"
                " received = excluded.received, documents = documents + 1",
                [(item.trace_id, item.start, now) for item in batch],
            )
            connection.execute("COMMIT")

    def prune(self, now: float | None = None) -> int:
        """Drop traces older than the age bound, then the oldest beyond the count bound."""
        cutoff = (now if now is not None else time.time()) - self._retention.max_age_seconds
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN")
            too_old = connection.execute(
                "SELECT trace_id FROM traces WHERE received < ?", (cutoff,)
            ).fetchall()
            too_many = connection.execute(
                "SELECT trace_id FROM traces ORDER BY start DESC LIMIT -1 OFFSET ?",
                (self._retention.max_traces,),
            ).fetchall()
            doomed = {row[0] for row in (*too_old, *too_many)}
            connection.executemany("DELETE FROM traces WHERE trace_id = ?", [(t,) for t in doomed])
            connection.executemany(
                "DELETE FROM documents WHERE trace_id = ?", [(t,) for t in doomed]
            )
            connection.execute("COMMIT")
        return len(doomed)

    def documents(self, trace_id: str) -> list[Document]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT body FROM documents WHERE trace_id = ? ORDER BY rowid", (trace_id,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def traces_between(self, start: float, end: float) -> list[StoredTrace]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT trace_id, start, documents FROM traces"
                " WHERE start >= ? AND start <= ? ORDER BY start DESC",
                (start, end),
            ).fetchall()
        return [StoredTrace(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._connection.close()
