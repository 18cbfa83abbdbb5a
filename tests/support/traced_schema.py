"""A small Strawberry schema of a test's own, served traced: for failures the board API lacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from board.app import is_client_error
from tests.support.xray import UdpCollector
from tracing.config import TracingConfig
from tracing.setup import configure_tracing

Endpoint = type[GraphQL]  # type: ignore[type-arg]


@asynccontextmanager
async def traced_schema_client(
    query: type, daemon: UdpCollector, endpoint: Endpoint = GraphQL
) -> AsyncIterator[httpx.AsyncClient]:
    tracing = configure_tracing(TracingConfig.from_env({"AWS_XRAY_DAEMON_ADDRESS": daemon.address}))
    assert tracing is not None
    schema = strawberry.Schema(query=query, extensions=[tracing.extension()])
    tracing.instrument_schema(schema, is_client_error)
    app = Starlette(
        routes=[Route("/graphql", endpoint(schema), methods=["POST"])],
        middleware=[tracing.middleware()],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://schema.test"
    ) as http:
        yield http
