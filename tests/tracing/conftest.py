"""Traced apps whose real SDK emitter sends to a real UDP socket owned by the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import httpx
import pytest

from board.app import board_app
from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.graphql import GraphQLClient
from tests.support.xray import UdpCollector
from tracing.config import TracingConfig
from tracing.setup import configure_tracing

TracedClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
def tracing_config(daemon: UdpCollector) -> TracingConfig:
    return replace(TracingConfig.from_env({}), daemon_address=daemon.address)


def traced_http(
    database: Database, tokens: TokenSigner, config: TracingConfig, *, dataloaders: bool = True
) -> httpx.AsyncClient:
    app = board_app(database, tokens, tracing=configure_tracing(config), dataloaders=dataloaders)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://board.test")


@pytest.fixture
async def traced(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig
) -> AsyncIterator[GraphQLClient]:
    async with traced_http(database, tokens, tracing_config) as http:
        yield GraphQLClient(http)
