"""The console's pages as a browser renders them (Debian's chromium, headless)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.browser import needs_chromium, rendered
from tests.support.daemon import send, stored
from tests.support.documents import segment, sql, subsegment, trace_id
from xray_local.server import RunningDaemon

pytestmark = needs_chromium


async def test_list_waterfall_map_and_latency_render_real_traces(
    xray: RunningDaemon, tmp_path: Path
) -> None:
    trace = trace_id()
    start = time.time() - 2
    resolver = subsegment("Query.posts", start + 0.01, 0.2, subsegments=[sql(start + 0.02, 0.05)])
    slow_field = subsegment("Post.author", start + 0.1, 0.08)
    send(
        xray,
        segment(
            trace,
            start=start,
            seconds=0.3,
            user="haandol",
            n_plus_one=True,
            n_plus_one_field="Post.author",
            subsegments=[resolver, slow_field],
        ),
    )
    await stored(xray, 1)

    listing = await rendered(f"{xray.url}/?filter=annotation.n_plus_one%20%3D%20true", tmp_path)
    assert f"/traces/{trace}" in listing
    assert "<td>Feed</td>" in listing
    assert "Post.author" in listing
    assert "haandol" in listing

    waterfall = await rendered(f"{xray.url}/traces/{trace}", tmp_path)
    assert 'id="waterfall"' in waterfall
    for name in ("board-api", "Query.posts", "postgres@localhost", "Post.author"):
        assert f"{name}<" in waterfall or f">{name}" in waterfall
    assert "SELECT 1" in waterfall
    assert waterfall.count('class="bar') == 4

    service_map = await rendered(f"{xray.url}/map", tmp_path)
    assert 'id="service-map"' in service_map
    assert "postgres@localhost" in service_map
    assert "Database::SQL" in service_map

    latency = await rendered(f"{xray.url}/latency?minutes=5", tmp_path)
    assert 'id="latency-operations"' in latency
    assert "<td>Feed</td><td>1</td><td>300.0 ms</td>" in latency
    assert "<td>Query.posts</td><td>1</td><td>200.0 ms</td>" in latency


async def test_a_bad_filter_is_explained_on_the_page(xray: RunningDaemon, tmp_path: Path) -> None:
    page = await rendered(f"{xray.url}/?filter=responsetime%20%3E", tmp_path)
    assert "expression ends where a value was expected" in page
