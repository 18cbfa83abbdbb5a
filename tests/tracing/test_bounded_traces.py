"""At 100 posts x 20 comments resolved one statement per parent, the trace stays small."""

from __future__ import annotations

from sqlalchemy import text

from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.feed import FEED, seed_feed
from tests.support.garbage import cyclic_garbage
from tests.support.graphql import GraphQLClient
from tests.support.traced_app import traced_http
from tests.support.xray import UdpCollector, named
from tracing import TracingConfig
from tracing.nodes import Node
from tracing.wire import DATAGRAM_MAX, descendants

TRACE_QUOTA = 100 * 1024
POSTS, COMMENTS = 100, 20


async def test_a_naive_100_by_20_feed_folds_into_a_bounded_trace(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig, daemon: UdpCollector
) -> None:
    await seed_feed(database, users=5, posts=POSTS, comments=COMMENTS)
    async with traced_http(database, tokens, tracing_config, dataloaders=False) as http:
        response = await GraphQLClient(http).post(FEED, {"first": POSTS, "comments": COMMENTS})
    trace_id = response.json()["extensions"]["traceId"]
    segment = await daemon.trace(trace_id)

    sizes = daemon.size_of(trace_id)
    assert max(sizes) <= DATAGRAM_MAX
    assert sum(sizes) <= TRACE_QUOTA, sizes

    cap = tracing_config.field_cap
    instances = {"Post.author": POSTS, "Post.comments": POSTS, "Comment.author": POSTS * COMMENTS}
    for field, total in instances.items():
        assert len(named(segment, field)) == cap
        (fold,) = named(segment, f"folded:{field}")
        summary = fold["metadata"]["graphql"]["folded"]
        assert summary["count"] == total - cap
        assert summary["sql_count"] == total - cap
        assert 0 < summary["max"] <= summary["total"]
    # The repetition stays plain: every fold hangs under the top-level field.
    (posts,) = named(segment, "Query.posts")
    assert {sub["name"] for sub in posts["subsegments"] if sub["name"].startswith("folded:")} == {
        f"folded:{field}" for field in ("Post.author", "Post.commentCount", *instances)
    }
    assert all(sub["end_time"] >= sub["start_time"] for sub in descendants(segment))


TWO_TOP_LEVEL_FIELDS = """
query Two($first: Int!) {
  a: posts(first: $first) { edges { node { author { username } } } }
  b: posts(first: $first) { edges { node { author { username } } } }
}"""


async def test_each_top_level_field_keeps_its_own_folds(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig, daemon: UdpCollector
) -> None:
    """Past the cap, an instance's fold is the one under its own top-level field, also when the
    operation has several (with one, that field is every fold's anchor without a search)."""
    posts = tracing_config.field_cap + 5
    await seed_feed(database, users=3, posts=posts, comments=0)
    async with traced_http(database, tokens, tracing_config) as http:
        response = await GraphQLClient(http).post(TWO_TOP_LEVEL_FIELDS, {"first": posts})
    segment = await daemon.trace(response.json()["extensions"]["traceId"])

    folded = {}
    for top in named(segment, "Query.posts"):
        (fold,) = [sub for sub in top["subsegments"] if sub["name"] == "folded:Post.author"]
        folded[top["metadata"]["graphql"]["path"]] = fold["metadata"]["graphql"]["folded"]["count"]
    assert folded == {"a": 5, "b": posts}


COMMENT_AUTHORS = """
query Feed($first: Int!) {
  posts(first: $first) { edges { node { comments(first: 1) { edges { node {
    author { username }
  } } } } } }
}"""


async def test_fields_beneath_a_folded_instance_fold_before_their_own_cap(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig, daemon: UdpCollector
) -> None:
    """Only the oldest posts have comments: their ``Post.comments`` are past the cap, while no
    ``Comment.author`` has run yet. Everything beneath a folded instance is folded too, which
    the shortcut for instances of a field past its cap must not skip."""
    cap = tracing_config.field_cap
    await seed_feed(database, users=3, posts=cap + 5, comments=0)
    async with database.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO comments (post_id, author_id, body)"
                " SELECT id, author_id, 'first' FROM posts ORDER BY id LIMIT 5"
            )
        )
    async with traced_http(database, tokens, tracing_config) as http:
        response = await GraphQLClient(http).post(COMMENT_AUTHORS, {"first": cap + 5})
    segment = await daemon.trace(response.json()["extensions"]["traceId"])

    assert len(named(segment, "Post.comments")) == cap
    assert named(segment, "Comment.author") == []
    (fold,) = named(segment, "folded:Comment.author")
    assert fold["metadata"]["graphql"]["folded"]["count"] == 5


async def test_a_sent_trace_lets_go_of_its_subsegments(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig, daemon: UdpCollector
) -> None:
    """Once sent, the tree goes at once: only the trace, its root and execution scopes and the
    execution step are left in a reference cycle for the collector's next walk of its oldest
    generation. With one top-level field, that field's scope anchors every fold and must be let
    go as well. (The last request's trace may still be held by a context when the block ends.)"""
    posts = tracing_config.field_cap + 5
    await seed_feed(database, users=5, posts=posts, comments=2)
    async with traced_http(database, tokens, tracing_config) as http:
        client = GraphQLClient(http)
        with cyclic_garbage() as garbage:
            for _ in range(2):
                response = await client.post(FEED, {"first": posts, "comments": 2})
    segment = await daemon.trace(response.json()["extensions"]["traceId"])
    assert named(segment, "folded:Post.author")
    left = [thing.name for thing in garbage if isinstance(thing, Node)]
    assert set(left) <= {"graphql.execute"}
