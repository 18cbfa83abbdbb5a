"""Traced board apps whose real SDK emitter sends to a real UDP socket owned by the test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.graphql import GraphQLClient
from tests.support.traced_app import board_tracing_config, traced_http
from tests.support.xray import UdpCollector
from tracing import TracingConfig


@pytest.fixture
def tracing_config(daemon: UdpCollector) -> TracingConfig:
    return board_tracing_config(daemon.address)


@pytest.fixture
async def traced(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig
) -> AsyncIterator[GraphQLClient]:
    async with traced_http(database, tokens, tracing_config) as http:
        yield GraphQLClient(http)
