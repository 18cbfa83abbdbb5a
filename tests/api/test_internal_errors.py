"""Unexpected failures are logged in full and masked for the client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from db.engine import Database
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.asgi import asgi_client
from tests.support.graphql import GraphQLClient, only_error

# Nothing listens on port 1: every connection attempt is refused.
UNREACHABLE = "postgresql+psycopg://board:s3cret-pw@127.0.0.1:1/board?connect_timeout=2"


@pytest.fixture
async def broken_client() -> AsyncIterator[GraphQLClient]:
    database = Database.connect(UNREACHABLE)
    app = create_app(database, build_schema(), tokens=TokenSigner(b"k"))
    async with asgi_client(app) as http:
        yield GraphQLClient(http)
    await database.dispose()


async def test_database_outage_is_retryable_masked_and_logged_once(
    broken_client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        payload = await broken_client.execute("{ posts { totalCount } }")
        again = await broken_client.execute("{ posts { totalCount } }")
    error = only_error(payload)
    assert error == {
        "message": "The database is unavailable; retry shortly",
        "locations": [{"line": 1, "column": 3}],
        "path": ["posts"],
        "extensions": {"code": "SERVICE_UNAVAILABLE"},
    }
    assert only_error(again) == error
    assert "127.0.0.1" not in str(payload)
    logged = [record for record in caplog.records if record.name.startswith("board")]
    assert [record.getMessage() for record in logged] == ["database unavailable: OperationalError"]
    assert all("s3cret-pw" not in record.getMessage() for record in caplog.records)


async def test_healthz_says_unavailable_without_details(broken_client: GraphQLClient) -> None:
    response = await broken_client.http.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


async def test_request_errors_carry_codes(client: GraphQLClient) -> None:
    cases = {
        "{ posts(": "GRAPHQL_PARSE_FAILED",
        "{ nope }": "GRAPHQL_VALIDATION_FAILED",
    }
    for query, code in cases.items():
        assert only_error(await client.execute(query))["extensions"] == {"code": code}
    coercion = await client.execute(
        "query($n: Int) { posts(first: $n) { totalCount } }", {"n": "x"}
    )
    assert only_error(coercion)["extensions"] == {"code": "BAD_USER_INPUT"}
