"""The instruction count's variants leave out of X-Ray's trace just the part each one names."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import URL

from bench.instructions import MIDDLEWARE_ALONE, UNWRAPPED, XRAY, build
from db.engine import Database
from tests.support.asgi import asgi_client
from tests.support.feed import FEED, seed_feed
from tests.support.xray import UdpCollector
from tracing.wire import Document, descendants


async def traced_feed(variant: str, url: URL, daemon: UdpCollector) -> Document:
    # An engine of its own: statement events, once attached, stay with an engine (as they would
    # in the bench, where each variant runs in a process of its own).
    database = Database.connect(url)
    try:
        async with asgi_client(build(variant, database, daemon.address)) as http:
            response = await http.post(
                "/graphql", json={"query": FEED, "variables": {"first": 2, "comments": 2}}
            )
    finally:
        await database.dispose()
    assert response.status_code == 200
    assert "errors" not in response.json()
    root = response.headers["x-amzn-trace-id"].split(";")[0].removeprefix("Root=")
    return await daemon.trace(root)


@pytest.mark.parametrize(
    ("variant", "resolvers", "steps", "statements"),
    [
        (XRAY, True, True, True),
        (UNWRAPPED, False, True, True),
        (MIDDLEWARE_ALONE, False, False, False),
    ],
)
async def test_each_variant_traces_what_it_keeps(
    database: Database,
    migrated_url: URL,
    daemon: UdpCollector,
    variant: str,
    resolvers: bool,
    steps: bool,
    statements: bool,
) -> None:
    await seed_feed(database, users=2, posts=2, comments=2)
    subsegments = list(descendants(await traced_feed(variant, migrated_url, daemon)))
    names = {subsegment["name"] for subsegment in subsegments}
    assert ("Query.posts" in names) is resolvers
    assert ("graphql.execute" in names) is steps
    assert any("sql" in subsegment for subsegment in subsegments) is statements
