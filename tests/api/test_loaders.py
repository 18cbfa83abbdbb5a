"""Batched loaders: a constant number of statements, the same answers, nothing shared."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Row

from db.engine import Database
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.asgi import asgi_client
from tests.support.feed import FEED, seed_feed
from tests.support.garbage import cyclic_garbage
from tests.support.graphql import GraphQLClient
from tests.support.statements import counted_statements

FEED_STATEMENT_BUDGET = 5


async def feed(
    database: Database, tokens: TokenSigner, *, dataloaders: bool, first: int, comments: int = 3
) -> tuple[dict[str, Any], int]:
    app = create_app(database, build_schema(), tokens=tokens, dataloaders=dataloaders)
    async with asgi_client(app) as http:
        with counted_statements(database) as seen:
            data = await GraphQLClient(http).data(FEED, {"first": first, "comments": comments})
    return data, len(seen)


@pytest.fixture
async def fifty_posts(database: Database) -> Database:
    # Many users: post and comment authors both need loading at any page size.
    await seed_feed(database, users=200, posts=50, comments=4)
    return database


async def test_batched_feed_runs_a_constant_number_of_statements(
    fifty_posts: Database, tokens: TokenSigner
) -> None:
    _, five = await feed(fifty_posts, tokens, dataloaders=True, first=5)
    _, fifty = await feed(fifty_posts, tokens, dataloaders=True, first=50)
    assert five == fifty
    assert fifty <= FEED_STATEMENT_BUDGET


async def test_unbatched_feed_grows_with_the_page(
    fifty_posts: Database, tokens: TokenSigner
) -> None:
    _, five = await feed(fifty_posts, tokens, dataloaders=False, first=5)
    _, fifty = await feed(fifty_posts, tokens, dataloaders=False, first=50)
    assert fifty > five * 5


async def test_loaders_on_and_off_give_the_same_answer(
    fifty_posts: Database, tokens: TokenSigner
) -> None:
    batched, _ = await feed(fifty_posts, tokens, dataloaders=True, first=50)
    naive, _ = await feed(fifty_posts, tokens, dataloaders=False, first=50)
    assert batched == naive
    assert len(batched["posts"]["edges"]) == 50


async def test_nothing_is_cached_across_requests(database: Database, client: GraphQLClient) -> None:
    author = await client.sign_up("vincent")
    post_id = await client.create_post(author)
    query = "query($id: ID!) { post(id: $id) { commentCount author { username } } }"
    before = await client.data(query, {"id": post_id})
    await client.data(
        'mutation($id: ID!) { addComment(postId: $id, body: "hi") { id } }',
        {"id": post_id},
        token=author.token,
    )
    after = await client.data(query, {"id": post_id})
    assert before["post"]["commentCount"] == 0
    assert after["post"]["commentCount"] == 1


async def test_loaded_rows_go_when_the_request_ends(
    fifty_posts: Database, tokens: TokenSigner
) -> None:
    """Not when the collector next walks its oldest generation: graphql-core's execution
    context sits in a reference cycle with the context it was given, loaders included."""
    app = create_app(fifty_posts, build_schema(), tokens=tokens)
    async with asgi_client(app) as http:
        client = GraphQLClient(http)
        with cyclic_garbage() as garbage:
            data = await client.data(FEED, {"first": 20, "comments": 4})
    assert len(data["posts"]["edges"]) == 20
    assert [thing for thing in garbage if isinstance(thing, Row)] == []
