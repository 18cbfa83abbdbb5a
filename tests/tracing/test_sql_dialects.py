"""The ``sql`` block describes whatever database the engine's dialect says, never its password."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import strawberry
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.support.traced_schema import traced_schema_client
from tests.support.xray import UdpCollector, named
from tracing.wire import Document

PASSWORD = "s3cret-pw"


def one_statement_query(engine: AsyncEngine) -> type:
    @strawberry.type
    class Query:
        @strawberry.field
        async def answer(self) -> int:
            async with engine.connect() as connection:
                result = await connection.execute(text("SELECT 6 * :factor"), {"factor": 7})
                return int(result.scalar_one())

    return Query


async def traced_statement(engine: AsyncEngine, daemon: UdpCollector) -> Document:
    """The SQL subsegment of one ``{ answer }`` request."""
    query = one_statement_query(engine)
    try:
        async with traced_schema_client(query, daemon, engine=engine) as http:
            payload = (await http.post("/graphql", json={"query": "{ answer }"})).json()
    finally:
        await engine.dispose()
    assert payload["data"] == {"answer": 42}
    segment = await daemon.trace(payload["extensions"]["traceId"])
    (answer,) = named(segment, "Query.answer")
    # The app's one statement only: those a new engine's dialect runs on its first connection
    # (the server's version, default schema, settings) are not the app's.
    (statement,) = answer["subsegments"]
    assert isinstance(statement, dict)
    return statement


async def test_a_sqlite_engine_is_described_as_sqlite(daemon: UdpCollector, tmp_path: Path) -> None:
    path = tmp_path / "answers.db"
    statement = await traced_statement(create_async_engine(f"sqlite+aiosqlite:///{path}"), daemon)

    assert statement["name"] == f"{path}@localhost"
    assert statement["namespace"] == "remote"
    sql = statement["sql"]
    assert sql["database_type"] == "SQLite"
    assert sql["database_version"] == sqlite3.sqlite_version
    assert sql["driver_version"].startswith("aiosqlite 0.")
    assert sql["url"] == f"sqlite:///{path}"
    assert sql["user"] == ""
    assert sql["sanitized_query"] == "SELECT 6 * ?"


async def test_the_password_in_the_engine_url_never_reaches_the_trace(
    daemon: UdpCollector, migrated_url: URL
) -> None:
    # The embedded server trusts local connections, so a password it does not need still works;
    # a TEST_DATABASE_URL server has its own password in the URL already.
    url = migrated_url if migrated_url.password else migrated_url.set(password=PASSWORD)
    assert url.password
    statement = await traced_statement(create_async_engine(url), daemon)

    sql = statement["sql"]
    assert sql["database_type"] == "PostgreSQL"
    assert sql["driver_version"].startswith("psycopg 3.")
    assert sql["user"] == url.username
    assert sql["url"].startswith(f"postgresql://{url.username}@")
    assert str(url.password) not in sql["url"]
    assert all(str(url.password).encode() not in datagram for datagram in daemon.datagrams)


def three_ways_query(engine: AsyncEngine) -> type:
    """One statement without parameters, one run for many rows, one that fails."""

    @strawberry.type
    class Query:
        @strawberry.field
        async def stored(self) -> int:
            async with engine.begin() as connection:
                await connection.exec_driver_sql("CREATE TABLE notes (body TEXT)")
                rows = [{"body": SECRET_NOTE}, {"body": "second"}]
                await connection.execute(text("INSERT INTO notes VALUES (:body)"), rows)
                await connection.execute(text("SELECT body FROM missing WHERE body = :b"), {"b": 1})
            return 0

    return Query


SECRET_NOTE = "note-that-must-not-be-traced"


async def test_statements_run_any_way_are_traced_and_a_failed_one_is_a_fault(
    daemon: UdpCollector, tmp_path: Path
) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
    try:
        async with traced_schema_client(three_ways_query(engine), daemon, engine=engine) as http:
            payload = (await http.post("/graphql", json={"query": "{ stored }"})).json()
    finally:
        await engine.dispose()
    assert payload["errors"]
    segment = await daemon.trace(payload["extensions"]["traceId"])
    (stored,) = named(segment, "Query.stored")
    statements = [s for s in stored["subsegments"] if s.get("namespace") == "remote"]
    queries = [s["sql"]["sanitized_query"] for s in statements]
    assert queries == [
        "CREATE TABLE notes (body TEXT)",
        "INSERT INTO notes VALUES (?)",
        "SELECT body FROM missing WHERE body = ?",
    ]
    failed = statements[2]
    assert failed["fault"] is True
    (exception,) = failed["cause"]["exceptions"]
    assert exception["type"] == "OperationalError"
    assert "no such table: missing" in exception["message"]
    assert not any(s.get("fault") for s in statements[:2])
    assert all(SECRET_NOTE.encode() not in datagram for datagram in daemon.datagrams)
