"""A database outage: SERVICE_UNAVAILABLE to clients, one WARNING as it starts, one as it ends."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from db.engine import Database
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.proxy import DatabaseProxy

FEED = "{ posts(first: 1) { totalCount } }"


async def test_an_outage_is_retryable_for_clients_and_two_lines_for_operators(
    database: Database,
    migrated_url: URL,
    tokens: TokenSigner,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxy = DatabaseProxy(migrated_url, tmp_path)
    await proxy.start()
    proxied = Database.connect(proxy.url)
    app = create_app(proxied, build_schema(), tokens=tokens)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://board.test"
        ) as http:
            client = GraphQLClient(http)
            assert await client.data(FEED) == {"posts": {"totalCount": 0}}
            await proxy.stop()
            caplog.clear()
            with caplog.at_level(logging.INFO):
                during = [await client.execute(FEED) for _ in range(5)]
                health = await http.get("/healthz")
                await proxy.start()
                after = await client.data(FEED)
    finally:
        await proxied.dispose()
    assert all(error_codes(payload) == ["SERVICE_UNAVAILABLE"] for payload in during), during
    assert during[0]["errors"][0]["message"] == "The database is unavailable; retry shortly"
    assert health.status_code == 503
    assert after == {"posts": {"totalCount": 0}}
    ours = [r for r in caplog.records if r.name.startswith("board")]
    warnings = [r.getMessage() for r in ours if r.levelno >= logging.WARNING]
    assert warnings == ["database unavailable: OperationalError", "database reachable again"]
