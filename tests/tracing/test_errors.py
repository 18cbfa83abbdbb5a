"""A GraphQL error marks the subsegment of the resolver (or batch load) where it happened."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import strawberry
from aws_xray_sdk.core.models.segment import Segment
from strawberry.asgi import GraphQL

from graph.errors import Forbidden
from graph.loaders import CachingLoader, ObservedLoader
from tests.support.traced_schema import traced_schema_client
from tests.support.xray import UdpCollector, named
from tracing.arguments import SECRET_ARGUMENTS, ArgumentFilter
from tracing.loaders import TracedLoaders
from tracing.request_trace import RequestTrace
from tracing.wire import Document

SECRET_DETAIL = "DETAIL: Key (username)=(haandol) already exists."


async def failing_batch(keys: list[int]) -> list[int]:
    raise ConnectionError("database went away")


def make_loader() -> ObservedLoader[int, int]:
    hook = TracedLoaders()
    return ObservedLoader(
        "Failing", CachingLoader(load_fn=hook.batch("Failing", failing_batch)), hook
    )


@strawberry.type
class Item:
    id: int

    @strawberry.field
    async def value(self, info: strawberry.Info) -> int | None:
        loader: ObservedLoader[int, int] = info.context["loader"]
        return await loader.load(self.id)


@strawberry.type
class Query:
    @strawberry.field
    async def broken(self) -> int:
        raise RuntimeError("statement failed\n" + SECRET_DETAIL)

    @strawberry.field
    async def refused(self) -> int:
        raise Forbidden("only the author may do that")

    @strawberry.field
    async def items(self) -> list[Item]:
        return [Item(id=n) for n in range(3)]


class LoaderGraphQL(GraphQL[dict[str, object], None]):
    async def get_context(self, request: object, response: object) -> dict[str, object]:
        return {"loader": make_loader()}


@pytest.fixture
async def failing_api(daemon: UdpCollector) -> AsyncIterator[httpx.AsyncClient]:
    async with traced_schema_client(Query, daemon, LoaderGraphQL) as http:
        yield http


async def run(
    http: httpx.AsyncClient, daemon: UdpCollector, query: str
) -> tuple[dict[str, Any], Document]:
    payload = (await http.post("/graphql", json={"query": query})).json()
    return payload, await daemon.trace(payload["extensions"]["traceId"])


async def test_an_unexpected_exception_is_a_fault_with_its_cause(
    failing_api: httpx.AsyncClient, daemon: UdpCollector
) -> None:
    payload, segment = await run(failing_api, daemon, "{ broken }")
    assert payload["errors"]
    (broken,) = named(segment, "Query.broken")
    assert broken["fault"] is True
    (exception,) = broken["cause"]["exceptions"]
    assert exception["type"] == "RuntimeError"
    assert exception["message"] == "statement failed"
    assert exception["stack"]
    assert b"haandol" not in b"".join(daemon.datagrams)


async def test_a_client_error_is_an_error_not_a_fault(
    failing_api: httpx.AsyncClient, daemon: UdpCollector
) -> None:
    _, segment = await run(failing_api, daemon, "{ refused }")
    (refused,) = named(segment, "Query.refused")
    assert refused["error"] is True
    assert "fault" not in refused
    assert refused["cause"]["exceptions"][0]["type"] == "Forbidden"


async def test_a_failed_batch_load_reaches_every_field_and_the_trace(
    failing_api: httpx.AsyncClient, daemon: UdpCollector
) -> None:
    payload, segment = await run(failing_api, daemon, "{ items { id value } }")
    assert sorted(error["path"][1] for error in payload["errors"]) == [0, 1, 2]
    (items,) = named(segment, "Query.items")
    (batch,) = named(items, "loader:Failing")
    assert batch["fault"] is True
    assert batch["cause"]["exceptions"][0]["type"] == "ConnectionError"
    values = named(segment, "Item.value")
    assert len(values) == 3
    assert all(value["fault"] for value in values)


@pytest.mark.parametrize("askers", [1, 2])
def test_a_batch_asked_for_outside_any_traced_field_goes_under_execution(askers: int) -> None:
    trace = RequestTrace(
        Segment("board-api"),
        field_cap=20,
        n_plus_one_threshold=5,
        arguments=ArgumentFilter(SECRET_ARGUMENTS),
    )
    batch = trace.open_loader("loader:UserById", [trace.root] * askers, keys=2)
    assert batch.parent is None
    document = trace.finish()
    assert [sub["name"] for sub in document["subsegments"]] == ["loader:UserById"]
