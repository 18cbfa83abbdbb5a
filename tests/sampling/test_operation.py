"""The operation read from the request without parsing the document."""

from __future__ import annotations

import json

import pytest

from tracing.sampling.operation import Operation, peek_operation


def body(query: object, name: object = None) -> bytes:
    return json.dumps({"query": query, "operationName": name}).encode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (body("query Feed { posts { edges { cursor } } }"), Operation("Feed", "query")),
        (body("mutation CreatePost($t: String!) { x }"), Operation("CreatePost", "mutation")),
        (body("{ viewer { id } }"), Operation(None, "query")),
        (body("  # comment query Fake\n mutation { x }"), Operation(None, "mutation")),
        (body("query A { a } mutation B { b }", "B"), Operation("B", "mutation")),
        (body("query A { a } mutation B { b }"), Operation("A", "query")),
        (body("subscription OnPost { post }"), Operation("OnPost", "subscription")),
        (b"not json at all", Operation(None, "query")),
        (b"[1, 2]", Operation(None, "query")),
        (body(42), Operation(None, "query")),
        (b"\xff\xfe", Operation(None, "query")),
    ],
)
def test_post_bodies(raw: bytes, expected: Operation) -> None:
    assert peek_operation("POST", raw, b"") == expected


def test_get_query_strings() -> None:
    query = b"query=query%20Viewer%20%7B%20viewer%20%7B%20id%20%7D%20%7D"
    assert peek_operation("GET", b"", query) == Operation("Viewer", "query")
