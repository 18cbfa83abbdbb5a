"""The facade's seams: any exporter takes the finished tree; the policy decides what a fault is;
a schema must be built for tracing."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from tests.support.asgi import asgi_client
from tests.support.xray import UdpCollector, named
from tracing import (
    SERVER_FAULT_CODES,
    ErrorCodes,
    SchemaNotPrepared,
    TracingConfig,
    TracingPolicy,
    configure,
)
from tracing.wire import Document


@strawberry.type
class Query:
    @strawberry.field
    async def greeting(self, password: str = "") -> str:
        return "hello"

    @strawberry.field
    async def forecast(self) -> str:
        raise GraphQLError("the weather service is down", extensions={"code": "UPSTREAM_DOWN"})


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


@pytest.mark.parametrize(
    ("policy", "flag"),
    [
        (TracingPolicy(), "error"),
        (
            TracingPolicy(error_codes=ErrorCodes(faults=SERVER_FAULT_CODES | {"UPSTREAM_DOWN"})),
            "fault",
        ),
    ],
)
async def test_the_policy_decides_which_error_codes_make_a_request_a_fault(
    daemon: UdpCollector, policy: TracingPolicy, flag: str
) -> None:
    exporter = KeptTraces()
    tracing = configure(config_for(daemon), policy, exporter=exporter)
    schema = strawberry.Schema(query=Query, extensions=tracing.schema_extensions())
    tracing.instrument_schema(schema)
    app = Starlette(routes=[Route("/graphql", GraphQL(schema))], middleware=tracing.middleware())

    async with asgi_client(app) as http:
        response = await http.post("/graphql", json={"query": "{ forecast }"})

    assert response.status_code == 200
    (trace,) = exporter.traces
    assert {"error", "fault"} & set(trace) == {flag}
    assert trace["annotations"]["graphql_error_codes"] == "UPSTREAM_DOWN"
