"""Finding a resolver's traced ancestor by its GraphQL path, without keeping paths alive."""

from __future__ import annotations

from aws_xray_sdk.core.models.segment import Segment
from graphql.pyutils import Path

from tracing import SECRET_ARGUMENTS
from tracing.arguments import ArgumentFilter
from tracing.request_trace import RequestTrace
from tracing.wire import descendants

ATTEMPTS = 1000


def new_trace() -> RequestTrace:
    return RequestTrace(
        Segment("board-api"),
        field_cap=20,
        n_plus_one_threshold=5,
        arguments=ArgumentFilter(SECRET_ARGUMENTS),
    )


def test_a_freed_path_whose_address_is_reused_is_no_ancestor() -> None:
    """CPython hands a freed path's memory to the next tuple of its size: a plain ``id`` lookup
    would then nest an unrelated field under the freed path's resolver."""
    trace = new_trace()
    edge = Path(Path(None, "comments", "Post"), 0, None)
    traced = Path(edge, "author", "Comment")
    first = trace.open_field("Comment.author", traced, {})
    trace.close_field(first, 0.0)
    freed_address = id(traced)
    del traced

    for _ in range(ATTEMPTS):
        reused = Path(edge, "node", "CommentEdge")  # not a traced field
        if id(reused) == freed_address:
            break
    assert id(reused) == freed_address, "the freed path's address was not reused"

    child = trace.open_field("User.posts", Path(reused, "posts", "User"), {})

    assert child.parent is None  # under the execution step, not under Comment.author
    assert child.entity is not first.entity


def test_a_field_nests_under_its_nearest_traced_ancestor() -> None:
    trace = new_trace()
    post = Path(Path(Path(None, "posts", "Query"), 0, None), "node", "PostEdge")
    author_path = Path(post, "author", "Post")
    author = trace.open_field("Post.author", author_path, {})

    posts = trace.open_field("User.posts", Path(author_path, "posts", "User"), {"first": 3})

    assert posts.parent is author
    document = trace.finish()
    (execution_child,) = [sub for sub in document["subsegments"] if sub["name"] == "Post.author"]
    (nested,) = execution_child["subsegments"]
    assert nested["metadata"]["graphql"] == {
        "path": "posts.0.node.author.posts",
        "arguments": {"first": 3},
    }


def test_metadata_put_on_a_resolver_subsegment_joins_its_path_and_arguments() -> None:
    """Code running in a resolver may add metadata to its subsegment (the SDK's
    ``current_subsegment().put_metadata``): it sits beside the path and arguments."""
    trace = new_trace()
    posts = trace.open_field("Query.posts", Path(None, "posts", "Query"), {"first": 2})
    posts.entity.put_metadata("note", "from the resolver")
    posts.entity.put_metadata("hint", 1, "graphql")

    (subsegment,) = [sub for sub in trace.finish()["subsegments"] if sub["name"] == "Query.posts"]

    assert subsegment["metadata"] == {
        "default": {"note": "from the resolver"},
        "graphql": {"hint": 1, "path": "posts", "arguments": {"first": 2}},
    }


def test_a_field_folded_beneath_a_fold_and_then_past_its_cap_has_one_fold() -> None:
    trace = RequestTrace(
        Segment("board-api"),
        field_cap=1,
        n_plus_one_threshold=5,
        arguments=ArgumentFilter(SECRET_ARGUMENTS),
    )
    trace.enter_execution(trace.open_step("graphql.execute"), one_top_level_field=True)
    posts = Path(None, "posts", "Query")
    trace.open_field("Query.posts", posts, {})
    first, second = (Path(Path(posts, index, None), "comments", "Post") for index in (0, 1))
    trace.open_field("Post.comments", first, {})
    trace.open_field("Post.comments", second, {})  # past the cap: folded
    trace.open_field("Comment.author", Path(second, "author", "Comment"), {})  # under a fold
    trace.open_field("Comment.author", Path(first, "author", "Comment"), {})  # its own
    trace.open_field("Comment.author", Path(first, "author", "Comment"), {})  # past the cap

    (top,) = [sub for sub in descendants(trace.finish()) if sub["name"] == "Query.posts"]
    assert sorted(sub["name"] for sub in top["subsegments"]) == [
        "Post.comments",
        "folded:Comment.author",
        "folded:Post.comments",
    ]
