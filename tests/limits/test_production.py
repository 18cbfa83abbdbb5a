"""BOARD_ENV=production: no introspection or GraphiQL unless re-enabled, a key required."""

from __future__ import annotations

import httpx
import pytest

from board.app import board_app
from board.settings import ConfigurationError, Settings
from db.engine import Database
from graph.graphiql import ASSET_PATH
from graph.tokens import TokenSigner
from tests.support.graphql import GraphQLClient, error_codes

KEY = "k" * 32
PRODUCTION = {"BOARD_ENV": "production", "BOARD_SECRET_KEY": KEY}
INTROSPECTION = "{ __schema { queryType { name } } }"


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(ConfigurationError, match="BOARD_SECRET_KEY is required"):
        Settings.from_env({"BOARD_ENV": "production"})


def test_production_turns_introspection_and_graphiql_off() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert (settings.introspection, settings.graphiql) == (False, False)
    development = Settings.from_env({})
    assert (development.introspection, development.graphiql) == (True, True)


def test_an_operator_may_turn_them_back_on() -> None:
    settings = Settings.from_env({**PRODUCTION, "BOARD_INTROSPECTION": "on", "BOARD_GRAPHIQL": "1"})
    assert (settings.introspection, settings.graphiql) == (True, True)


def test_production_still_refuses_chaos() -> None:
    with pytest.raises(ConfigurationError, match="refused when BOARD_ENV=production"):
        Settings.from_env({**PRODUCTION, "BOARD_CHAOS_ERROR_RATE": "0.1"})


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("BOARD_MAX_QUERY_COST", "lots"),
        ("BOARD_MAX_QUERY_DEPTH", "0"),
        ("BOARD_MAX_QUERY_ALIASES", "-1"),
        ("BOARD_MAX_QUERY_TOKENS", "1e3"),
    ],
)
def test_a_bad_limit_stops_start_up_naming_it(name: str, raw: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^{name} must be a whole number"):
        Settings.from_env({name: raw})


def test_limits_are_read_from_the_environment() -> None:
    limits = Settings.from_env(
        {
            "BOARD_MAX_QUERY_COST": "500",
            "BOARD_MAX_QUERY_DEPTH": "4",
            "BOARD_MAX_QUERY_ALIASES": "0",
            "BOARD_MAX_QUERY_TOKENS": "300",
        }
    ).limits
    assert (limits.max_cost, limits.max_depth, limits.max_aliases, limits.max_tokens) == (
        500,
        4,
        0,
        300,
    )


async def production_http(database: Database, tokens: TokenSigner) -> httpx.AsyncClient:
    settings = Settings.from_env(PRODUCTION)
    app = board_app(
        database,
        tokens,
        tracing=None,
        limits=settings.limits,
        introspection=settings.introspection,
        graphiql=settings.graphiql,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://board.test")


async def test_a_production_app_refuses_introspection_and_serves_no_graphiql(
    database: Database, tokens: TokenSigner
) -> None:
    async with await production_http(database, tokens) as http:
        client = GraphQLClient(http)
        refused = (await client.post(INTROSPECTION)).json()
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        asset = await http.get(f"{ASSET_PATH}/graphiql.js")
        answered = await client.data("{ viewer { id } }")
    assert set(error_codes(refused)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in refused["errors"][0]["message"].lower()
    assert page.status_code == 404
    assert asset.status_code == 404  # nor its scripts
    assert answered == {"viewer": None}


async def test_development_answers_introspection_and_graphiql(client: GraphQLClient) -> None:
    data = await client.data(INTROSPECTION)
    page = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert data == {"__schema": {"queryType": {"name": "Query"}}}
    assert "graphiql" in page.text.lower()
