"""Shared fixtures: a real PostgreSQL (embedded unless TEST_DATABASE_URL is set), migrated once,
a UDP socket standing in for the X-Ray daemon, and a real `board xray` daemon.

Tests that touch the database start from empty tables; nothing is shared between tests. Helpers
that are not fixtures live in ``tests/support/``; no test imports from a conftest.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from board.migrations import upgrade
from db.embedded import embedded_postgres
from db.engine import Database
from db.url import to_async_url
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.asgi import asgi_client
from tests.support.graphql import TEST_SECRET, GraphQLClient
from tests.support.native import ROOT, compiled_files, stale_compiled
from tests.support.xray import UdpCollector, udp_collector
from xray_local.server import DaemonSettings, RunningDaemon, rules_from, running_daemon


@pytest.fixture(scope="session")
def database_url() -> Iterator[URL]:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield to_async_url(configured)
        return
    with (
        tempfile.TemporaryDirectory(prefix="board-test-") as tmp,
        embedded_postgres(Path(tmp) / "pg") as url,
    ):
        yield url


@pytest.fixture(scope="session")
def migrated_url(database_url: URL) -> URL:
    upgrade(database_url)
    return database_url


@pytest.fixture(scope="session")
async def session_database(migrated_url: URL) -> AsyncIterator[Database]:
    database = Database.connect(migrated_url)
    yield database
    await database.dispose()


@pytest.fixture
async def database(session_database: Database) -> Database:
    """The test database with every table emptied."""
    async with session_database.engine.begin() as connection:
        await connection.execute(
            text("TRUNCATE comments, posts, users, sign_in_failures RESTART IDENTITY CASCADE")
        )
    return session_database


@pytest.fixture
async def daemon() -> AsyncIterator[UdpCollector]:
    """A UDP socket standing in for the X-Ray daemon; the real SDK emitter sends to it."""
    transport, collector = await udp_collector()
    yield collector
    transport.close()


@pytest.fixture
def tokens() -> TokenSigner:
    return TokenSigner(TEST_SECRET)


@pytest.fixture
async def client(database: Database, tokens: TokenSigner) -> AsyncIterator[GraphQLClient]:
    async with asgi_client(create_app(database, build_schema(), tokens=tokens)) as http:
        yield GraphQLClient(http)


@pytest.fixture
async def xray(tmp_path: Path) -> AsyncIterator[RunningDaemon]:
    """A real `board xray` daemon on free ports, keeping its traces under ``tmp_path``."""
    settings = DaemonSettings("127.0.0.1", 0, tmp_path / "xray", rules_from(None))
    async with running_daemon(settings) as daemon:
        yield daemon


def pytest_sessionstart(session: pytest.Session) -> None:
    # Read from the directory, not from setup.py: no setuptools import at every session start.
    tracing = ROOT / "tracing"
    stale = stale_compiled(compiled_files(tracing), tracing.rglob("*.py"))
    if stale:
        pytest.exit(
            f"{', '.join(path.name for path in stale)} predate a change to tracing/: the tests"
            " would run the old code. `make install` compiles it again (or delete tracing/*.so"
            " to run it as Python).",
            returncode=2,
        )
