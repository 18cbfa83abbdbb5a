"""The facade's seams: any exporter takes the finished tree; a schema must be built for tracing."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from tests.support.asgi import asgi_client
from tests.support.xray import UdpCollector, named
from tracing import SchemaNotPrepared, TracingConfig, TracingPolicy, configure
from tracing.wire import Document


@strawberry.type
class Query:
    @strawberry.field
    async def greeting(self, password: str = "") -> str:
        return "hello"


class KeptTraces:
    """A ``TraceExporter`` of the test's own: it keeps what it is given."""

    def __init__(self) -> None:
        self.traces: list[Document] = []

    def export(self, trace: Document) -> None:
        self.traces.append(trace)


def config_for(daemon: UdpCollector) -> TracingConfig:
    return TracingConfig(service_name="greeting-api", daemon_address=daemon.address)


async def test_a_custom_exporter_gets_the_whole_tree_instead_of_the_daemon(
    daemon: UdpCollector,
) -> None:
    exporter = KeptTraces()
    tracing = configure(config_for(daemon), TracingPolicy(graphql_path="/api"), exporter=exporter)
    schema = strawberry.Schema(query=Query, extensions=tracing.schema_extensions())
    tracing.instrument_schema(schema)
    app = Starlette(routes=[Route("/api", GraphQL(schema))], middleware=tracing.middleware())

    async with asgi_client(app) as http:
        query = '{ greeting(password: "hunter2") }'
        payload = (await http.post("/api", json={"query": query})).json()

    (trace,) = exporter.traces
    assert trace["name"] == "greeting-api"
    assert trace["trace_id"] == payload["extensions"]["traceId"]
    (greeting,) = named(trace, "Query.greeting")
    assert greeting["metadata"]["graphql"]["arguments"] == {"password": "[redacted]"}
    await asyncio.sleep(0.05)
    assert daemon.datagrams == []


def test_instrumenting_a_schema_built_without_the_extension_says_what_to_do(
    daemon: UdpCollector,
) -> None:
    tracing = configure(config_for(daemon))
    schema = strawberry.Schema(query=Query)
    with pytest.raises(SchemaNotPrepared, match=r"extensions=\[\*tracing.schema_extensions\(\)"):
        tracing.instrument_schema(schema)


def resolvers_of(schema: strawberry.Schema) -> dict[str, object]:
    query_type = schema._schema.query_type
    assert query_type is not None
    return {name: field.resolve for name, field in query_type.fields.items()}


def test_disabled_tracing_gives_nothing_to_attach() -> None:
    tracing = configure(TracingConfig(service_name="greeting-api", enabled=False))
    schema = strawberry.Schema(query=Query, extensions=tracing.schema_extensions())
    resolvers = resolvers_of(schema)
    tracing.instrument_schema(schema)

    assert tracing.schema_extensions() == []
    assert tracing.middleware() == []
    assert tracing.loader_hook() is None
    assert resolvers_of(schema) == resolvers
