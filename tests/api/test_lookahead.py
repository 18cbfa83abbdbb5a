"""Relations loaded ahead: nested resolvers answer at once, on one connection, same answers."""

from __future__ import annotations

from collections.abc import Callable
from inspect import isawaitable
from typing import Any

import httpx
from sqlalchemy import event

from db.engine import Database
from graph.app import create_app
from graph.pagination import decode_cursor
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.feed import FEED, seed_feed
from tests.support.graphql import GraphQLClient
from tracing import Resolver, wrap_custom_resolvers

RELATIONS = ("Post.author", "Post.commentCount", "Post.comments", "Comment.author")

# Aliases with different pages, fragments, a directive the lookahead does not read, cursors
# asked inside a fragment, and a variable left out so its argument's default applies.
VARIED = """
query Varied($first: Int!, $few: Int, $withCount: Boolean!) {
  posts(first: $first) {
    pageInfo { endCursor hasNextPage }
    edges {
      ...PostEdgeFields
      node {
        newest: comments(first: 1) { edges { cursor node { body author { username } } } }
        comments(first: $few) { edges { node { author { postCount } } } }
        commentCount @include(if: $withCount)
        related(first: 2) { id author { username } }
      }
    }
  }
}
fragment PostEdgeFields on PostEdge {
  cursor
  node { id ... on Post { author { username posts(first: 1) { edges { node { title } } } } } }
}"""


def answers(database: Database, tokens: TokenSigner, *, dataloaders: bool) -> Callable[..., Any]:
    """A GraphQL client for a board app that notes, per relation, whether it answered at once."""
    schema = build_schema()
    noted: dict[str, set[bool]] = {}

    def note(name: str, resolve: Resolver) -> Resolver:
        def noting(root: Any, info: Any, **kwargs: Any) -> Any:
            result = resolve(root, info, **kwargs)
            noted.setdefault(name, set()).add(isawaitable(result))
            return result

        return noting

    wrap_custom_resolvers(schema, note)
    app = create_app(database, schema, tokens=tokens, dataloaders=dataloaders)

    async def ask(query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://board.test"
        ) as http:
            return await GraphQLClient(http).data(query, variables), noted

    return ask


async def test_nested_relations_answer_at_once_when_loaded_ahead(
    database: Database, tokens: TokenSigner
) -> None:
    await seed_feed(database, users=5, posts=6, comments=3)
    _, ahead = await answers(database, tokens, dataloaders=True)(FEED, {"first": 6, "comments": 3})
    _, lazily = await answers(database, tokens, dataloaders=False)(
        FEED, {"first": 6, "comments": 3}
    )
    assert {name: ahead[name] for name in RELATIONS} == {name: {False} for name in RELATIONS}
    assert {name: lazily[name] for name in RELATIONS} == {name: {True} for name in RELATIONS}


async def test_a_request_reads_on_one_connection(database: Database, tokens: TokenSigner) -> None:
    await seed_feed(database, users=5, posts=6, comments=3)
    checkouts: list[object] = []

    def checked_out(*_: Any) -> None:
        checkouts.append(object())

    pool = database.engine.sync_engine.pool
    event.listen(pool, "checkout", checked_out)
    try:
        await answers(database, tokens, dataloaders=True)(FEED, {"first": 6, "comments": 3})
    finally:
        event.remove(pool, "checkout", checked_out)
    assert len(checkouts) == 1


async def test_queries_read_ahead_in_part_answer_as_when_loaded_lazily(
    database: Database, tokens: TokenSigner
) -> None:
    await seed_feed(database, users=7, posts=8, comments=3)
    variables = {"first": 5, "withCount": True}
    ahead, _ = await answers(database, tokens, dataloaders=True)(VARIED, variables)
    lazily, _ = await answers(database, tokens, dataloaders=False)(VARIED, variables)
    assert ahead == lazily

    edges = ahead["posts"]["edges"]
    assert len(edges) == 5
    assert [decode_cursor("post", edge["cursor"]) for edge in edges] == [
        int(edge["node"]["id"]) for edge in edges
    ]
    assert ahead["posts"]["pageInfo"]["endCursor"] == edges[-1]["cursor"]
    for edge in edges:
        node = edge["node"]
        assert len(node["comments"]["edges"]) == 3  # $few left out: the default page
        assert node["commentCount"] == 3
        (newest,) = node["newest"]["edges"]
        assert decode_cursor("comment", newest["cursor"]) > 0
        assert len(node["author"]["posts"]["edges"]) == 1
