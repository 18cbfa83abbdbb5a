"""GraphiQL as a user meets it, in headless Chromium with no internet: the page loads its
scripts from the API itself, runs the feed query, shows the data, and the response's trace id
leads to that trace in the local console."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from board.app import board_app, board_tracing
from db.engine import Database
from graph.graphiql import ASSETS, installed
from graph.tokens import TokenSigner
from tests.support.asgi import asgi_client
from tests.support.browser import chromium_page, needs_chromium
from tests.support.feed import FEED, SECRET_TITLE, seed_feed
from tests.support.serving import served
from tests.support.traced_app import board_tracing_config
from xray_local.server import RunningDaemon

RESULT = "document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() || ''"


async def trace_stored(xray: RunningDaemon, trace_id: str) -> None:
    async with httpx.AsyncClient() as http, asyncio.timeout(10):
        # The daemon stores in its own thread; there is no event to wait on.
        while (await http.get(f"{xray.url}/traces/{trace_id}")).status_code != 200:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_the_page_is_served_with_local_assets(client_http: httpx.AsyncClient) -> None:
    page = (await client_http.get("/graphql", headers={"Accept": "text/html"})).text
    for name in ("react.js", "react-dom.js", "graphiql.js", "graphiql.css"):
        assert f'"/graphiql/{name}"' in page
        asset = await client_http.get(f"/graphiql/{name}")
        assert asset.status_code == 200
        assert len(asset.content) > 1000
    assert "unpkg.com" not in page
    assert (await client_http.get("/graphiql/secrets.env")).status_code == 404


@pytest.fixture
async def client_http(database: Database, tokens: TokenSigner) -> AsyncIterator[httpx.AsyncClient]:
    if not installed():
        pytest.skip("GraphiQL's npm packages are not installed (make install runs npm ci)")
    async with asgi_client(board_app(database, tokens, tracing=None)) as http:
        yield http


@needs_chromium
async def test_graphiql_runs_the_feed_and_its_trace_opens_in_the_console(
    database: Database, tokens: TokenSigner, xray: RunningDaemon, tmp_path: Path
) -> None:
    if not installed():
        pytest.skip(f"GraphiQL's npm packages are not installed: {sorted(ASSETS)}")
    await seed_feed(database, users=2, posts=3, comments=1)
    tracing = board_tracing(board_tracing_config(xray.address))
    app = board_app(database, tokens, tracing=tracing)
    variables = json.dumps({"first": 3, "comments": 1})
    async with served(app) as api, chromium_page(tmp_path / "profile") as page:
        await page.goto(f"{api}/graphql?{urlencode({'q': FEED, 'variables': variables})}")
        await page.wait_for("!!document.querySelector('.graphiql-execute-button')", "GraphiQL")
        await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        text = await page.wait_for(f"{RESULT}.includes('traceId') && {RESULT}", "the result")
        result = json.loads(text)
        edges = result["data"]["posts"]["edges"]
        assert len(edges) == 3
        assert all(edge["node"]["title"].startswith(SECRET_TITLE) for edge in edges)
        trace_id = result["extensions"]["traceId"]

        await trace_stored(xray, trace_id)
        await page.goto(f"{xray.url}/traces/{trace_id}")
        shown = await page.wait_for(
            "!!document.getElementById('waterfall') && document.body.innerText", "the trace page"
        )
    assert f"Trace {trace_id}" in shown
    assert "Query.posts" in shown
    assert "operation_name" in shown
    assert "Feed" in shown
