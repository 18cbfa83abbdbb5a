"""Query cost, depth, alias and token limits: hostile operations refused before any SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from graphql import parse

from db.engine import Database
from graph.app import create_app
from graph.cost import QueryLimits, measure
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.feed import seed_feed
from tests.support.graphql import GraphQLClient, error_codes, only_error
from tests.support.statements import counted_statements
from tests.support.traced_app import board_tracing_config, traced_http
from tests.support.xray import UdpCollector

# The README's feed at the page sizes the issue names.
README_FEED = """
query Feed {
  posts(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id title createdAt
      author { username }
      commentCount
      comments(first: 20) { edges { node { body author { username } } } }
    } }
  }
}"""
NESTED_AUTHORS = (
    "{ posts(first:100){edges{node{author{posts(first:100){edges{node{author{"
    "posts(first:100){edges{node{id title}}}}}}}}}}}}"
)
NESTED_RELATED = "{ posts(first:100){edges{node{related(first:100){related(first:100){id}}}}}}"
THOUSAND_ALIASES = (
    "{" + " ".join(f"a{i}: posts(first:100){{edges{{node{{id}}}}}}" for i in range(1000)) + "}"
)
FORTY_ALIASES = "{" + " ".join(f"a{i}: viewer {{ id }}" for i in range(40)) + "}"
TEN_THOUSAND_FIELDS = "{ viewer { " + " ".join(f"f{i}: id" for i in range(10_000)) + " } }"
VIA_VARIABLES = """
query Nested($n: Int = 100) {
  posts(first: $n) { ...Authors }
}
fragment Authors on PostConnection {
  edges { node { author {
    posts(first: $n) { edges { node { ... on Post { related(first: $n) { id } } } } }
  } } }
}"""


async def test_the_readme_feed_at_100_by_20_is_admitted(
    client: GraphQLClient, database: Database
) -> None:
    await seed_feed(database, users=3, posts=120, comments=25)
    data = await client.data(README_FEED)
    assert len(data["posts"]["edges"]) == 100
    assert len(data["posts"]["edges"][0]["node"]["comments"]["edges"]) == 20


@pytest.mark.parametrize(
    ("query", "figure"),
    [
        (NESTED_AUTHORS, "cost 4040401"),
        (NESTED_RELATED, "cost 1010301"),
        (THOUSAND_ALIASES, "tokens exceed the limit of 2000"),
        (FORTY_ALIASES, "aliases 40 exceeds the limit of 30"),
        (VIA_VARIABLES, "cost 1030401"),
    ],
    ids=["nested-authors", "nested-related", "1000-aliases", "40-aliases", "variables"],
)
async def test_hostile_operations_are_refused_before_any_sql(
    client: GraphQLClient, database: Database, query: str, figure: str
) -> None:
    with counted_statements(database) as statements:
        response = await client.post(query)
    assert statements == []
    payload = response.json()
    assert payload.get("data") is None
    assert error_codes(payload), payload
    assert set(error_codes(payload)) == {"QUERY_TOO_COMPLEX"}, payload
    messages = " | ".join(error["message"] for error in payload["errors"])
    assert figure in messages, messages
    assert "limit of" in messages


async def test_the_limit_and_the_figure_are_in_extensions(client: GraphQLClient) -> None:
    error = only_error((await client.post(NESTED_RELATED)).json())
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "measured": 1010301,
        "limit": QueryLimits().max_cost,
    }


async def test_a_variable_page_size_is_what_is_counted(client: GraphQLClient) -> None:
    small = await client.post(VIA_VARIABLES, {"n": 3})
    assert small.json()["data"] == {"posts": {"edges": []}}
    big = await client.post(VIA_VARIABLES, {"n": 100})
    assert error_codes(big.json()) == ["QUERY_TOO_COMPLEX"]


async def test_ten_thousand_aliased_fields_stop_at_the_token_limit(
    client: GraphQLClient, database: Database
) -> None:
    with counted_statements(database) as statements:
        payload = (await client.post(TEN_THOUSAND_FIELDS)).json()
    assert statements == []
    error = only_error(payload)
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": 2000}
    assert "limit of 2000" in error["message"]


async def test_depth_is_limited_even_when_cheap(database: Database, tokens: TokenSigner) -> None:
    deep = (
        "{ viewer { posts(first: 1) { edges { node { author {"
        " posts(first: 1) { edges { node { id } } } } } } } } }"
    )
    app = create_app(database, build_schema(limits=QueryLimits(max_depth=8)), tokens=tokens)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://board.test"
    ) as http:
        error = only_error((await GraphQLClient(http).post(deep)).json())
    assert error["message"].startswith("Query depth 9 exceeds the limit of 8")


def test_a_fragment_reused_many_times_is_measured_once() -> None:
    # Each level spreads the one below twice: 2**40 paths if every spread were walked again.
    levels = [
        f"fragment F{i} on User {{ a: posts(first: 1) {{ edges {{ node {{ author {{"
        f" ...F{i + 1} ...F{i + 1} }} }} }} }} }}"
        for i in range(40)
    ]
    levels.append("fragment F40 on User { id }")
    query = "{ viewer { ...F0 } }\n" + "\n".join(levels)
    found = measure(build_schema()._schema, parse(query), None, None)
    assert found is not None
    assert found.cost > 2**40
    assert found.aliases == 2**40 - 1


async def test_every_traced_request_is_annotated_with_its_cost(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    # Twice each: the second time the document comes from the cache, its validation skipped.
    for _ in range(2):
        cheap = await traced.post("query Viewer { viewer { username } }")
        expensive = await traced.post(NESTED_RELATED)
        cheap_segment = await daemon.trace(cheap.json()["extensions"]["traceId"])
        root = expensive.headers["x-amzn-trace-id"].split(";")[0].removeprefix("Root=")
        expensive_segment = await daemon.trace(root)
        assert cheap_segment["annotations"]["query_cost"] == 2
        assert expensive_segment["annotations"]["query_cost"] == 1010301
        assert error_codes(expensive.json()) == ["QUERY_TOO_COMPLEX"]


async def test_a_cached_document_is_measured_again_with_new_variables(
    client: GraphQLClient, database: Database
) -> None:
    admitted = await client.post(VIA_VARIABLES, {"n": 3})
    assert admitted.json()["data"] == {"posts": {"edges": []}}  # now cached and valid
    with counted_statements(database) as statements:
        refused = await client.post(VIA_VARIABLES, {"n": 100})
    assert statements == []
    assert error_codes(refused.json()) == ["QUERY_TOO_COMPLEX"]


@pytest.fixture
async def traced(
    database: Database, tokens: TokenSigner, daemon: UdpCollector
) -> AsyncIterator[GraphQLClient]:
    async with traced_http(database, tokens, board_tracing_config(daemon.address)) as http:
        yield GraphQLClient(http)
