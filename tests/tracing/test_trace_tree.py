"""The trace of a feed query mirrors the query: resolvers nest, SQL sits under who ran it."""

from __future__ import annotations

from typing import Any

from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.feed import FEED, seed_feed
from tests.support.graphql import GraphQLClient
from tests.support.traced_app import traced_http
from tests.support.xray import UdpCollector, children, named
from tracing import TracingConfig
from tracing.wire import Document, descendants

SQL_NAME = "postgres@localhost"


async def feed_trace(
    client: GraphQLClient, daemon: UdpCollector, first: int, comments: int
) -> tuple[dict[str, Any], Document]:
    response = await client.post(FEED, {"first": first, "comments": comments})
    assert response.status_code == 200, response.text
    payload = response.json()
    assert "errors" not in payload
    return payload, await daemon.trace(payload["extensions"]["traceId"])


def statements(entity: Document) -> list[Document]:
    return [sub for sub in entity.get("subsegments", []) if sub.get("namespace") == "remote"]


async def test_resolvers_nest_under_their_parent_fields(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    await seed_feed(database, users=3, posts=4, comments=2)
    _, segment = await feed_trace(traced, daemon, first=4, comments=2)

    assert segment["name"] == "board-api"
    assert children(segment)[:3] == ["graphql.parse", "graphql.validate", "graphql.execute"]
    (execute,) = named(segment, "graphql.execute")
    assert children(execute) == ["Query.posts"]
    (posts,) = named(segment, "Query.posts")
    fields = [name for name in children(posts) if not name.startswith(("loader:", SQL_NAME))]
    assert sorted(fields) == sorted(["Post.author", "Post.commentCount", "Post.comments"] * 4)
    for post_comments in named(segment, "Post.comments"):
        assert children(post_comments) == ["Comment.author"] * 2
    paths = sorted(sub["metadata"]["graphql"]["path"] for sub in named(segment, "Comment.author"))
    assert paths[0] == "posts.edges.0.node.comments.edges.0.node.author"


THROUGH_FRAGMENTS = """
query Writers {
  posts(first: 2) {
    edges { node {
      author { ...Writer }
      comments(first: 1) { edges { node { author { ... on User { postCount } } } } }
    } }
  }
}
fragment Writer on User { username postCount }"""


async def test_fields_selected_through_fragments_nest_under_their_traced_ancestor(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    """A resolver instance is found by its descendants only if its selection reaches a traced
    field: through a fragment spread or an inline fragment too, and after the same field was
    resolved for a query that reached none (``Post.author { username }`` in the feed)."""
    await seed_feed(database, users=2, posts=2, comments=1)
    await feed_trace(traced, daemon, first=2, comments=1)

    response = await traced.post(THROUGH_FRAGMENTS)
    payload = response.json()
    assert "errors" not in payload, payload
    segment = await daemon.trace(payload["extensions"]["traceId"])

    for field in ("Post.author", "Comment.author"):
        instances = named(segment, field)
        assert len(instances) == 2, field
        for instance in instances:
            assert children(instance) == ["User.postCount"], field
    (posts,) = named(segment, "Query.posts")
    assert "User.postCount" not in children(posts)


async def test_batch_loads_sit_under_the_common_ancestor_with_their_sql(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    # Ten users: comment authors include users the post authors' batch did not load.
    await seed_feed(database, users=10, posts=4, comments=2)
    _, segment = await feed_trace(traced, daemon, first=4, comments=2)

    (posts,) = named(segment, "Query.posts")
    loaders = sorted(name for name in children(posts) if name.startswith("loader:"))
    # Authors of posts, then authors of comments across all posts: both gather at Query.posts.
    assert loaders == [
        "loader:CommentCount",
        "loader:CommentPage",
        "loader:UserById",
        "loader:UserById",
    ]
    for loader in (sub for sub in descendants(segment) if sub["name"].startswith("loader:")):
        assert loader["metadata"]["graphql"]["keys"] >= 1
        assert [s["name"] for s in statements(loader)] == [SQL_NAME]
    for field in ("Post.author", "Post.commentCount", "Comment.author"):
        assert all(not statements(sub) for sub in named(segment, field))


async def test_unbatched_relations_put_each_statement_under_its_resolver(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig, daemon: UdpCollector
) -> None:
    await seed_feed(database, users=3, posts=3, comments=2)
    async with traced_http(database, tokens, tracing_config, dataloaders=False) as http:
        _, segment = await feed_trace(GraphQLClient(http), daemon, first=3, comments=2)

    assert not [sub for sub in descendants(segment) if sub["name"].startswith("loader:")]
    for field in ("Post.author", "Post.commentCount", "Post.comments", "Comment.author"):
        instances = named(segment, field)
        assert instances
        assert all(len(statements(sub)) == 1 for sub in instances), field


async def test_sql_subsegments_carry_the_sql_block_without_values(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    await seed_feed(database, users=2, posts=2, comments=1)
    _, segment = await feed_trace(traced, daemon, first=2, comments=1)

    sql_subsegments = [sub for sub in descendants(segment) if sub.get("namespace") == "remote"]
    assert sql_subsegments
    for sub in sql_subsegments:
        sql = sub["sql"]
        assert sql["database_type"] == "PostgreSQL"
        assert sql["database_version"][0].isdigit()
        assert sql["driver_version"].startswith("psycopg ")
        assert sql["url"].startswith("postgresql://")
        assert "@" not in sql["url"].split("//", 1)[1].split("/")[0].replace(
            f"{sql['user']}@", "", 1
        )
        assert sub["start_time"] <= sub["end_time"]
    queries = [sub["sql"]["sanitized_query"] for sub in sql_subsegments]
    assert any("%(" in query for query in queries), queries
    assert all("user_1" not in query for query in queries)


async def test_operation_annotations_and_http_fields(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    await seed_feed(database, users=1, posts=1, comments=1)
    payload, segment = await feed_trace(traced, daemon, first=1, comments=1)

    # query_cost: posts 1 + 1 * (edges, node, id, title, author.username, commentCount,
    # comments 1 + 1 * (edges, node, body, author.username)) = 14
    assert segment["annotations"] == {
        "operation_name": "Feed",
        "operation_type": "query",
        "query_cost": 14,
    }
    request = segment["http"]["request"]
    assert request["method"] == "POST"
    assert request["url"] == "http://board.test/graphql"
    assert request["client_ip"] == "127.0.0.1"
    response = segment["http"]["response"]
    assert response["status"] == 200
    assert response["content_length"] > 0
    assert "error" not in segment
    assert "fault" not in segment
    assert segment["trace_id"] == payload["extensions"]["traceId"]
