"""AWS_XRAY_SDK_ENABLED=false: the app is built without any tracing part."""

from __future__ import annotations

import asyncio

import httpx

from board.app import board_app
from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.xray import UdpCollector
from tracing.config import TracingConfig
from tracing.setup import configure_tracing


async def test_disabled_tracing_sends_nothing_and_adds_nothing(
    database: Database, tokens: TokenSigner, daemon: UdpCollector
) -> None:
    config = TracingConfig.from_env(
        {"AWS_XRAY_SDK_ENABLED": "false", "AWS_XRAY_DAEMON_ADDRESS": daemon.address}
    )
    assert configure_tracing(config) is None
    app = board_app(database, tokens, tracing=None)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://board.test"
    ) as http:
        response = await http.post("/graphql", json={"query": "{ viewer { username } }"})
    assert response.status_code == 200
    assert "x-amzn-trace-id" not in response.headers
    assert "traceId" not in response.json().get("extensions", {})
    await asyncio.sleep(0.05)
    assert daemon.datagrams == []
