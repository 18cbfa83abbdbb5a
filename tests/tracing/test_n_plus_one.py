"""The N+1 detector: loaders off, the repeating field is flagged; loaders on, it is silent."""

from __future__ import annotations

import logging

import pytest

from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.feed import FEED, seed_feed
from tests.support.graphql import GraphQLClient
from tests.support.traced_app import board_tracing_config, traced_http
from tests.support.xray import UdpCollector
from tracing import TracingConfig
from tracing.n_plus_one import statement_shape
from tracing.wire import Document


async def feed_segment(
    database: Database,
    tokens: TokenSigner,
    config: TracingConfig,
    daemon: UdpCollector,
    *,
    dataloaders: bool,
    first: int = 30,
) -> Document:
    async with traced_http(database, tokens, config, dataloaders=dataloaders) as http:
        response = await GraphQLClient(http).post(FEED, {"first": first, "comments": 3})
    return await daemon.trace(response.json()["extensions"]["traceId"])


async def test_loaders_off_flags_the_repeating_field_even_when_folded(
    database: Database,
    tokens: TokenSigner,
    tracing_config: TracingConfig,
    daemon: UdpCollector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await seed_feed(database, users=3, posts=30, comments=3)
    with caplog.at_level(logging.WARNING, logger="tracing"):
        segment = await feed_segment(database, tokens, tracing_config, daemon, dataloaders=False)

    assert segment["annotations"]["n_plus_one"] is True
    # Comment.author repeats most: 30 posts x 3 comments, 70 of them folded past the cap.
    assert segment["annotations"]["n_plus_one_field"] == "Comment.author"
    findings = {f["field"]: f for f in segment["metadata"]["n_plus_one"]["findings"]}
    assert findings["Comment.author"]["count"] == 90
    assert {"Post.author", "Post.commentCount", "Post.comments"} <= set(findings)
    assert "FROM users" in findings["Post.author"]["statement"]
    assert findings["Post.author"]["total"] > 0
    warnings = [r.getMessage() for r in caplog.records if r.name == "tracing"]
    assert len(warnings) == len(findings)
    assert any("Comment.author ran one statement 90 times" in line for line in warnings)


async def test_loaders_on_leave_the_detector_silent(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig, daemon: UdpCollector
) -> None:
    await seed_feed(database, users=3, posts=30, comments=3)
    segment = await feed_segment(database, tokens, tracing_config, daemon, dataloaders=True)
    assert "n_plus_one" not in segment["annotations"]
    assert "n_plus_one" not in segment.get("metadata", {})


THRESHOLD = 4


@pytest.mark.parametrize(
    ("posts", "flagged"), [(THRESHOLD - 1, False), (THRESHOLD, True)], ids=["below", "at"]
)
async def test_the_threshold_is_the_first_count_flagged(
    database: Database, tokens: TokenSigner, daemon: UdpCollector, posts: int, flagged: bool
) -> None:
    """Loaders off, one page of ``posts``: each per-post field runs one statement per post."""
    config = board_tracing_config(daemon.address, BOARD_N_PLUS_ONE_THRESHOLD=str(THRESHOLD))
    await seed_feed(database, users=1, posts=posts, comments=1)
    segment = await feed_segment(database, tokens, config, daemon, dataloaders=False, first=posts)
    findings = segment.get("metadata", {}).get("n_plus_one", {}).get("findings", [])
    if flagged:
        assert segment["annotations"]["n_plus_one"] is True
        assert {finding["count"] for finding in findings} == {THRESHOLD}
    else:
        assert "n_plus_one" not in segment["annotations"]
        assert findings == []


@pytest.mark.parametrize(
    ("statement", "shape"),
    [
        ("SELECT * FROM users WHERE id = %(id_1)s", "SELECT * FROM users WHERE id = ?"),
        ("SELECT *\n  FROM users WHERE id = 42", "SELECT * FROM users WHERE id = ?"),
        ("SELECT * FROM t WHERE name = 'it''s'", "SELECT * FROM t WHERE name = ?"),
        ("SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (?)"),
        ("SELECT * FROM t WHERE id IN ($1, $2)", "SELECT * FROM t WHERE id IN (?)"),
        ("SELECT col_2 FROM t2", "SELECT col_2 FROM t2"),
    ],
)
def test_statement_shapes_ignore_values(statement: str, shape: str) -> None:
    assert statement_shape(statement) == shape
