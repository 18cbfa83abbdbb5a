"""The operation read from the request without parsing the document."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tracing.sampling.operation import NAME_MAX, Operation, peek_operation


def body(query: object, name: object = None) -> bytes:
    return json.dumps({"query": query, "operationName": name}).encode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (body("query Feed { posts { edges { cursor } } }"), Operation("Feed", "query")),
        (body("mutation CreatePost($t: String!) { x }"), Operation("CreatePost", "mutation")),
        (body("{ viewer { id } }"), Operation(None, "query")),
        (body("query { viewer { id } }"), Operation(None, "query")),
        (body('mutation($t: String = "query X") { x }'), Operation(None, "mutation")),
        (body("  # comment query Fake\n mutation { x }"), Operation(None, "mutation")),
        (body("query A { a } mutation B { b }", "B"), Operation("B", "mutation")),
        (body("query A { a } mutation B { b }"), Operation("A", "query")),
        (body("subscription OnPost { post }"), Operation("OnPost", "subscription")),
        # keywords inside selections, strings and block strings are not operations
        (body('mutation { createPost(title: "query Feed") { id } }'), Operation(None, "mutation")),
        (body('mutation { a(b: """ { } query Q """) }'), Operation(None, "mutation")),
        (body("{ search { query Feed } }"), Operation(None, "query")),
        (body("fragment F on Post { id } query Feed { ...F }"), Operation("Feed", "query")),
        (
            body("query Feed @cached { a } mutation Save { b }", "Save"),
            Operation("Save", "mutation"),
        ),
        (body("query query { a }"), Operation("query", "query")),
        # a name the document does not have: Strawberry will refuse it; the name is still kept
        (body("query A { a }", "Missing"), Operation("Missing", "query")),
        (body(None, "Persisted"), Operation("Persisted", "query")),
        (
            body("mutation Long { x }".replace("Long", "L" * 500)),
            Operation("L" * NAME_MAX, "mutation"),
        ),
        # garbage: never raises, an anonymous query
        (b"not json at all", Operation(None, "query")),
        (b"[1, 2]", Operation(None, "query")),
        (body(42), Operation(None, "query")),
        (body("query A { a }", 7), Operation("A", "query")),
        (b"\xff\xfe", Operation(None, "query")),
        (b"", Operation(None, "query")),
        (body('{ a(b: "unterminated) } mutation M { c }'), Operation(None, "query")),
        (body("}}} ))) {{{ query"), Operation(None, "query")),
        (body("mutation"), Operation(None, "mutation")),
    ],
)
def test_post_bodies(raw: bytes, expected: Operation) -> None:
    assert peek_operation("POST", raw, b"") == expected


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        (urlencode({"query": "query Viewer { viewer { id } }"}), Operation("Viewer", "query")),
        (
            urlencode({"query": "query A { a } query B { b }", "operationName": "B"}),
            Operation("B", "query"),
        ),
        ("query=%ff%fe", Operation(None, "query")),
        ("", Operation(None, "query")),
    ],
)
def test_get_query_strings(query_string: str, expected: Operation) -> None:
    assert peek_operation("GET", b"ignored", query_string.encode()) == expected
