"""A small Strawberry schema of a test's own, served traced: for failures the board API lacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from board.app import is_client_error
from tests.support.asgi import asgi_client
from tests.support.xray import UdpCollector
from tracing import TracingConfig, TracingPolicy, configure

Endpoint = type[GraphQL[Any, Any]]


@asynccontextmanager
async def traced_schema_client(
    query: type,
    daemon: UdpCollector,
    endpoint: Endpoint = GraphQL,
    *,
    engine: AsyncEngine | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """``query``'s schema behind the tracing middleware; ``engine``'s statements traced too."""
    config = TracingConfig.from_env(
        {"AWS_XRAY_DAEMON_ADDRESS": daemon.address}, service_name="schema-api"
    )
    tracing = configure(config, TracingPolicy(is_client_error=is_client_error))
    schema = strawberry.Schema(query=query, extensions=tracing.schema_extensions())
    tracing.instrument_schema(schema)
    if engine is not None:
        tracing.instrument_engine(engine)
    app = Starlette(
        routes=[Route("/graphql", endpoint(schema), methods=["POST"])],
        middleware=tracing.middleware(),
    )
    async with asgi_client(app, "http://schema.test") as http:
        yield http
