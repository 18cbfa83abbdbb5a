"""What one request may take: body size and pace, concurrency, pool share and running time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import URL

from db.engine import Database
from graph.app import create_app
from graph.request_limits import ServerLimits
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.feed import seed_feed
from tests.support.graphql import GraphQLClient, error_codes

# 30 aliases, each its own statement: cost 30 x 301 = 9,030, within limits. They are reads, so
# they take turns on the request's one read connection.
THIRTY_FEEDS = (
    "{"
    + " ".join(f"a{i}: posts(first: 100) {{ edges {{ node {{ id }} }} }}" for i in range(30))
    + "}"
)
# A feed (the read connection) and 29 lookups by name, each in a session of its own at once:
# without the share they would take 30 connections.
FEED_AND_LOOKUPS = (
    "{ feed: posts(first: 100) { edges { node { id } } } "
    + " ".join(f'u{i}: user(username: "user_{i}") {{ id }}' for i in range(29))
    + "}"
)


@asynccontextmanager
async def small_pool(url: URL) -> AsyncIterator[Database]:
    database = Database.connect(url, pool_size=2, max_overflow=3)
    try:
        yield database
    finally:
        await database.dispose()


@contextmanager
def peak_connections(database: Database) -> Iterator[list[int]]:
    """The most connections checked out of the pool at once, as ``[peak]``."""
    held, peak = [0], [0]

    def checkout(*_: Any) -> None:
        held[0] += 1
        peak[0] = max(peak[0], held[0])

    def checkin(*_: Any) -> None:
        held[0] -= 1

    pool = database.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        yield peak
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)


@asynccontextmanager
async def posts_locked(database: Database) -> AsyncIterator[None]:
    """Every statement reading posts waits until this ends (a lock held by another session)."""
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            await transaction.rollback()


def http_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://board.test")


async def answered_within_a_share_of_two(
    migrated_url: URL, tokens: TokenSigner, query: str
) -> tuple[dict[str, Any], int, int]:
    """The data, the most connections held at once, and those still out after the answer."""
    async with small_pool(migrated_url) as pool:
        app = create_app(
            pool, build_schema(), tokens=tokens, limits=ServerLimits(connections_per_request=2)
        )
        async with http_client(app) as http:
            with peak_connections(pool) as peak:
                payload = await GraphQLClient(http).data(query)
            checked_out = pool.engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined]
    return payload, peak[0], checked_out


async def test_one_request_holds_at_most_its_share_of_the_pool(
    database: Database, migrated_url: URL, tokens: TokenSigner
) -> None:
    await seed_feed(database, users=3, posts=100, comments=0)
    payload, peak, _ = await answered_within_a_share_of_two(migrated_url, tokens, FEED_AND_LOOKUPS)
    assert len(payload) == 30
    assert peak == 2


async def test_a_request_reads_on_one_connection_of_its_share(
    database: Database, migrated_url: URL, tokens: TokenSigner
) -> None:
    await seed_feed(database, users=3, posts=100, comments=0)
    payload, peak, checked_out = await answered_within_a_share_of_two(
        migrated_url, tokens, THIRTY_FEEDS
    )
    assert len(payload) == 30
    assert peak == 1
    assert checked_out == 0


def test_a_share_too_small_for_reads_and_a_write_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        ServerLimits(connections_per_request=1)


async def test_healthz_answers_while_the_worst_allowed_query_waits_on_the_database(
    database: Database, migrated_url: URL, tokens: TokenSigner
) -> None:
    await seed_feed(database, users=3, posts=100, comments=0)
    async with small_pool(migrated_url) as pool, posts_locked(database):
        app = create_app(
            pool, build_schema(), tokens=tokens, limits=ServerLimits(connections_per_request=2)
        )
        async with http_client(app) as http:
            worst = asyncio.create_task(GraphQLClient(http).post(THIRTY_FEEDS))
            await asyncio.sleep(0.3)  # the query now holds its share, blocked on the lock
            health = await http.get("/healthz")
            assert not worst.done()
            worst.cancel()
    assert health.status_code == 200, health.text


@pytest.mark.parametrize(
    "query",
    ["{ posts(first: 1) { edges { node { id } } } }", '{ post(id: "1") { id } }'],
    ids=["in-the-resolver", "in-a-batch-load"],
)
async def test_a_request_past_its_time_limit_is_cancelled_and_its_connection_returned(
    database: Database, migrated_url: URL, tokens: TokenSigner, query: str
) -> None:
    # A batch load runs in a task of its own, which the request's cancellation does not reach:
    # the request's end must stop it, not wait for it.
    limits = ServerLimits(request_timeout_seconds=0.5)
    async with small_pool(migrated_url) as pool, posts_locked(database):
        app = create_app(pool, build_schema(), tokens=tokens, limits=limits)
        async with http_client(app) as http, asyncio.timeout(10):
            response = await GraphQLClient(http).post(query)
            await asyncio.sleep(0.1)  # the cancelled batch load closes its statement
            checked_out = pool.engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined]
    assert response.status_code == 503
    assert error_codes(response.json()) == ["REQUEST_TIMEOUT"]
    assert "0.5 s" in response.json()["errors"][0]["message"]
    assert checked_out == 0


@pytest.fixture
async def limited(database: Database, tokens: TokenSigner) -> AsyncIterator[httpx.AsyncClient]:
    limits = ServerLimits(max_body_bytes=1000, max_concurrent_requests=1)
    async with http_client(
        create_app(database, build_schema(), tokens=tokens, limits=limits)
    ) as http:
        yield http


async def test_a_body_over_the_limit_is_refused_with_413(limited: httpx.AsyncClient) -> None:
    big = {"query": "{ viewer { id } }", "variables": {"pad": "x" * 2000}}
    declared = await limited.post("/graphql", json=big)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(5):
            yield b" " * 400

    streamed = await limited.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert declared.status_code == streamed.status_code == 413
    assert "over the limit of 1000 bytes" in declared.json()["errors"][0]["message"]
    assert (await limited.post("/graphql", json={"query": "{ viewer { id } }"})).status_code == 200


async def test_past_the_concurrency_limit_the_answer_is_503_with_retry_after(
    limited: httpx.AsyncClient, database: Database
) -> None:
    async with posts_locked(database):
        first = asyncio.create_task(
            limited.post("/graphql", json={"query": "{ posts { totalCount } }"})
        )
        await asyncio.sleep(0.2)
        second = await limited.post("/graphql", json={"query": "{ viewer { id } }"})
        assert not first.done()
    await first
    assert second.status_code == 503
    assert second.headers["retry-after"] == "1"
    error = second.json()["errors"][0]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "retryAfter": 1}
