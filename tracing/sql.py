"""SQL subsegments from SQLAlchemy engine events, nested under the resolver that ran them.

The events fire inside the async engine's greenlet, which runs in the calling task's context, so
the current scope is the resolver (or batch load) that issued the statement: nothing is threaded
through ``db/``. Only the statement text with its placeholders is recorded, never bound values.
"""

from __future__ import annotations

import time
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from aws_xray_sdk.core.models.subsegment import Subsegment
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, ExceptionContext
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from tracing.request_trace import SqlTarget
from tracing.scope import Scope, current_scope

_STATE = "_xray_board_statement"
_Running = tuple[Scope, Subsegment | None, str, float]
_targets: WeakKeyDictionary[Engine, _TargetCache] = WeakKeyDictionary()


def instrument_engine(engine: AsyncEngine) -> None:
    """Attach the statement events once per engine; calling it again changes nothing."""
    sync_engine = engine.sync_engine
    if sync_engine in _targets:
        return
    _targets[sync_engine] = _TargetCache(sync_engine.url)
    event.listen(sync_engine, "before_cursor_execute", _before)
    event.listen(sync_engine, "after_cursor_execute", _after)
    event.listen(sync_engine, "handle_error", _failed)


def _before(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: ExecutionContext | None,
    executemany: bool,
) -> None:
    scope = current_scope.get()
    if scope is None or context is None:
        return
    target = _targets[conn.engine].of(conn)
    subsegment = scope.trace.open_statement(scope, target, statement)
    setattr(context, _STATE, (scope, subsegment, statement, time.time()))


def _after(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: ExecutionContext | None,
    executemany: bool,
) -> None:
    _close(context, None)


def _failed(exception_context: ExceptionContext) -> None:
    _close(exception_context.execution_context, exception_context.original_exception)


def _close(context: ExecutionContext | None, error: BaseException | None) -> None:
    state: _Running | None = getattr(context, _STATE, None)
    if state is None:
        return
    setattr(context, _STATE, None)
    scope, subsegment, statement, started = state
    scope.trace.close_statement(scope, subsegment, statement, started, error)


class _TargetCache:
    """The engine's X-Ray ``sql`` fields, computed once the server version is known."""

    def __init__(self, url: URL) -> None:
        self._url = url
        self._target: SqlTarget | None = None

    def of(self, conn: Connection) -> SqlTarget:
        if self._target is None:
            self._target = _sql_target(self._url, conn.dialect.server_version_info)
        return self._target


def _sql_target(url: URL, server_version: tuple[int | str, ...] | None) -> SqlTarget:
    host = _host_name(url)
    database = url.database or "postgres"
    sql = {
        # No password, no query string (it may hold TLS key passwords or socket paths).
        "url": URL.create(
            "postgresql", url.username, None, url.host, url.port, url.database
        ).render_as_string(),
        "database_type": "PostgreSQL",
        "database_version": ".".join(map(str, server_version or ())) or "unknown",
        "driver_version": f"psycopg {psycopg.__version__}",
        "user": url.username or "",
    }
    return SqlTarget(name=f"{database}@{host}", sql=sql)


def _host_name(url: URL) -> str:
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    # A Unix socket directory is a local connection.
    return "localhost" if host.startswith("/") else host
