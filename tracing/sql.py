"""SQL subsegments from SQLAlchemy engine events, nested under the resolver that ran them.

The events fire inside the async engine's greenlet, which runs in the calling task's context, so
the current scope is the resolver (or batch load) that issued the statement: nothing is threaded
through the app's data layer. Only the statement text with its placeholders is recorded, never
bound values. The ``sql`` block describes whatever database the engine's dialect says it is.
"""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from weakref import WeakKeyDictionary

from aws_xray_sdk.core.models.subsegment import Subsegment
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Dialect, Engine, ExceptionContext
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from tracing.request_trace import Scope, SqlTarget, current_scope

# X-Ray's own spelling where it differs from the dialect's name; others keep the dialect's.
DATABASE_TYPES = {
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "sqlite": "SQLite",
    "oracle": "Oracle",
    "mssql": "Microsoft SQL Server",
}

_STATE = "_tracing_statement"
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
            self._target = _sql_target(self._url, conn.dialect)
        return self._target


def _sql_target(url: URL, dialect: Dialect) -> SqlTarget:
    """X-Ray's ``sql`` fields for the database behind ``url``, as its dialect describes it."""
    host = _host_name(url)
    backend = url.get_backend_name()
    # Without a database name, servers such as PostgreSQL and MySQL use the user's.
    database = url.database or url.username or backend
    sql = {
        # No password, no query string (it may hold TLS key passwords or socket paths).
        "url": URL.create(
            backend, url.username, None, url.host, url.port, url.database
        ).render_as_string(),
        "database_type": DATABASE_TYPES.get(dialect.name, dialect.name),
        "database_version": ".".join(map(str, dialect.server_version_info or ())) or "unknown",
        "driver_version": _driver_version(dialect.driver),
        "user": url.username or "",
    }
    return SqlTarget(name=f"{database}@{host}", sql=sql)


def _driver_version(driver: str) -> str:
    """``psycopg 3.2.9``: the driver's distribution version, or its name alone if it has none."""
    try:
        return f"{driver} {version(driver)}"
    except PackageNotFoundError:  # e.g. ``pysqlite``, the standard library's sqlite3
        return driver


def _host_name(url: URL) -> str:
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    # A Unix socket directory is a local connection.
    return "localhost" if host.startswith("/") else host
