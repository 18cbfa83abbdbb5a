"""AWS_XRAY_SDK_ENABLED=false, through the environment and the real app factory: nothing traced."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from sqlalchemy.engine import URL
from starlette.applications import Starlette
from starlette.routing import Route

from board.app import build_app
from board.settings import Settings
from graph.app import GRAPHQL_PATH, GraphQLEndpoint
from tests.support.asgi import asgi_client
from tests.support.xray import UdpCollector
from tracing import XRayMiddleware


def middleware_classes(app: Starlette) -> list[object]:
    return [entry.cls for entry in app.user_middleware]


def extension_names(endpoint: GraphQLEndpoint) -> list[str]:
    assert isinstance(endpoint.schema, strawberry.Schema)
    return [getattr(factory, "__name__", "") for factory in endpoint.schema.extensions]


async def test_disabled_tracing_sends_nothing_and_adds_nothing(
    migrated_url: URL, daemon: UdpCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_XRAY_SDK_ENABLED", "false")
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.address)
    monkeypatch.setenv("BOARD_SECRET_KEY", "test-secret")

    app = build_app(Settings.from_env(), migrated_url)

    assert isinstance(app, Starlette)
    (route,) = [r for r in app.routes if isinstance(r, Route) and r.path == GRAPHQL_PATH]
    endpoint = route.endpoint
    assert isinstance(endpoint, GraphQLEndpoint)
    assert XRayMiddleware not in middleware_classes(app)
    assert extension_names(endpoint) == ["CodedErrors"]
    assert endpoint.loader_hook is None
    engine = endpoint.database.engine
    assert not engine.sync_engine.dispatch.before_cursor_execute
    try:
        async with asgi_client(app) as http:
            response = await http.post("/graphql", json={"query": "{ posts { totalCount } }"})
    finally:
        await endpoint.database.dispose()
    assert response.status_code == 200, response.text
    assert "x-amzn-trace-id" not in response.headers
    assert "traceId" not in response.json().get("extensions", {})
    await asyncio.sleep(0.05)
    assert daemon.datagrams == []


def test_an_enabled_app_from_the_same_factory_has_every_part(
    migrated_url: URL, daemon: UdpCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counterpart: the same checks find the tracing parts when the switch is on."""
    monkeypatch.setenv("AWS_XRAY_SDK_ENABLED", "true")
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.address)
    monkeypatch.setenv("BOARD_SECRET_KEY", "test-secret")

    app = build_app(Settings.from_env(), migrated_url)

    assert isinstance(app, Starlette)
    (route,) = [r for r in app.routes if isinstance(r, Route) and r.path == GRAPHQL_PATH]
    endpoint = route.endpoint
    assert isinstance(endpoint, GraphQLEndpoint)
    assert XRayMiddleware in middleware_classes(app)
    assert extension_names(endpoint) == ["tracing_extension", "CodedErrors"]
    assert endpoint.loader_hook is not None
    assert endpoint.database.engine.sync_engine.dispatch.before_cursor_execute
