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


def app_from_environment(
    enabled: str, url: URL, daemon: UdpCollector, monkeypatch: pytest.MonkeyPatch
) -> tuple[Starlette, GraphQLEndpoint]:
    """What `board serve` builds with ``AWS_XRAY_SDK_ENABLED=enabled``, and its GraphQL endpoint."""
    monkeypatch.setenv("AWS_XRAY_SDK_ENABLED", enabled)
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.address)
    monkeypatch.setenv("BOARD_SECRET_KEY", "test-secret-of-at-least-32-bytes!")
    app = build_app(Settings.from_env(), url)
    assert isinstance(app, Starlette)
    (route,) = [r for r in app.routes if isinstance(r, Route) and r.path == GRAPHQL_PATH]
    assert isinstance(route.endpoint, GraphQLEndpoint)
    return app, route.endpoint


def middleware_classes(app: Starlette) -> list[object]:
    return [entry.cls for entry in app.user_middleware]


def extension_names(endpoint: GraphQLEndpoint) -> list[str]:
    assert isinstance(endpoint.schema, strawberry.Schema)
    # The query limiter and the document cache are functools.partials of their classes.
    return [getattr(factory, "func", factory).__name__ for factory in endpoint.schema.extensions]


async def test_disabled_tracing_sends_nothing_and_adds_nothing(
    migrated_url: URL, daemon: UdpCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, endpoint = app_from_environment("false", migrated_url, daemon, monkeypatch)

    assert XRayMiddleware not in middleware_classes(app)
    assert extension_names(endpoint) == ["QueryLimiter", "CodedErrors", "CachedDocuments"]
    assert endpoint.loader_hook is None
    assert not endpoint.database.engine.sync_engine.dialect.dispatch.do_execute
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


async def test_an_enabled_app_from_the_same_factory_has_every_part(
    migrated_url: URL, daemon: UdpCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counterpart: the same checks find the tracing parts when the switch is on."""
    app, endpoint = app_from_environment("true", migrated_url, daemon, monkeypatch)

    assert XRayMiddleware in middleware_classes(app)
    assert extension_names(endpoint) == [
        "tracing_extension",
        "QueryLimiter",
        "CodedErrors",
        "CachedDocuments",
    ]
    assert endpoint.loader_hook is not None
    engine = endpoint.database.engine.sync_engine
    assert engine.dialect.dispatch.do_execute
    # Tracing listens on the dialect alone: an engine with connection listeners takes
    # SQLAlchemy's event path on every statement, traced or not (``_has_events``, its own flag).
    assert not engine._has_events
    await endpoint.database.dispose()
