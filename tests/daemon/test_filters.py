"""Filter expressions as a table: expression in, matching traces out; bad ones say where."""

from __future__ import annotations

import time

import pytest

from tests.support.documents import segment, sql, subsegment
from tracing.wire import assemble
from xray_local.filters import FilterError, compile_filter
from xray_local.summary import Facts, facts_of

NOW = time.time()


def facts(name: str, **kwargs: object) -> Facts:
    document = segment(name, start=NOW, **kwargs)  # type: ignore[arg-type]
    built = facts_of(assemble(name, [document]))
    assert built is not None
    return built


TRACES = [
    facts("feed-fast", operation="Feed", seconds=0.05, user="haandol", n_plus_one=False),
    facts(
        "feed-slow",
        operation="Feed",
        seconds=0.9,
        user="vincent",
        n_plus_one=True,
        n_plus_one_field="Comment.author",
        subsegments=[subsegment("Query.posts", NOW, 0.5, subsegments=[sql(NOW)])],
    ),
    facts("create", operation="CreatePost", seconds=0.2, user="haandol", operation_type="mutation"),
    facts("denied", operation="DeletePost", status=403, operation_type="mutation"),
    facts("broken", operation="Feed", status=500, seconds=0.3),
    facts("limited", operation=None, status=429, seconds=0.01),
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('annotation.operation_name = "Feed"', {"feed-fast", "feed-slow", "broken"}),
        ('annotation.operation_name != "Feed"', {"create", "denied"}),
        ("annotation.n_plus_one = true", {"feed-slow"}),
        ("annotation.n_plus_one = false", {"feed-fast"}),
        ('annotation.n_plus_one_field = "Comment.author"', {"feed-slow"}),
        ('annotation.operation_type = "mutation"', {"create", "denied"}),
        ('user = "haandol"', {"feed-fast", "create"}),
        ("responsetime > 0.25", {"feed-slow", "broken"}),
        ("responsetime <= 0.05", {"feed-fast", "limited"}),
        ("duration >= 0.9", {"feed-slow"}),
        ("duration < 0.02", {"limited"}),
        ("http.status = 403", {"denied"}),
        ("http.status >= 500", {"broken"}),
        ('http.method = "POST"', {t.trace_id for t in TRACES}),
        ('http.url CONTAINS "graphql"', {t.trace_id for t in TRACES}),
        ('http.url BEGINSWITH "http://board"', {t.trace_id for t in TRACES}),
        ('http.url BEGINSWITH "https"', set()),
        ("ok", {"feed-fast", "feed-slow", "create"}),
        ("error", {"denied", "limited"}),
        ("fault", {"broken"}),
        ("throttle", {"limited"}),
        ("!ok", {"denied", "broken", "limited"}),
        ("NOT fault AND NOT error", {"feed-fast", "feed-slow", "create"}),
        ('service("postgres@localhost")', {"feed-slow"}),
        ('service("board-api") AND responsetime > 0.5', {"feed-slow"}),
        (
            'annotation.operation_name = "Feed" OR annotation.operation_name = "CreatePost"',
            {"feed-fast", "feed-slow", "broken", "create"},
        ),
        ('(error OR fault) AND annotation.operation_type = "mutation"', {"denied"}),
        (
            'annotation.operation_name = "Feed" AND (responsetime > 0.5 OR fault)',
            {"feed-slow", "broken"},
        ),
        ("annotation.missing = 1", set()),
        ("annotation.operation_name > 1", set()),  # a string is never a number
        ("", {t.trace_id for t in TRACES}),
    ],
)
def test_expressions_select_the_right_traces(expression: str, expected: set[str]) -> None:
    predicate = compile_filter(expression)
    assert {trace.trace_id for trace in TRACES if predicate(trace)} == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("annotation.operation_name = ", "expression ends where a value was expected"),
        (
            'annotation.operation_name "Feed"',
            "expected an operator after 'annotation.operation_name'",
        ),
        ("responsetime > fast", "expected a value at position 15"),
        ('responsetime > "slow"', "> needs a number"),
        ("(ok", "expression ends where ')' was expected"),
        ("ok)", "unexpected ')' at position 2"),
        ("bogus = 1", "unknown field 'bogus'"),
        ("http.url CONTAINS 3", "CONTAINS needs a quoted string"),
        ("service(postgres)", "service() takes a quoted name"),
        ("ok AND", "expression ends where a condition was expected"),
        ("ok $ fault", "unexpected character '$' at position 3"),
    ],
)
def test_bad_expressions_are_explained(expression: str, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        compile_filter(expression)
    assert message in str(caught.value)
