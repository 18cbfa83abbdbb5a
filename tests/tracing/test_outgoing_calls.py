"""Outgoing httpx and botocore calls are remote subsegments under the resolver that made them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import boto3
import httpx
import pytest
import strawberry
from moto import mock_aws
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.asgi import asgi_client
from tests.support.traced_schema import traced_schema_client
from tests.support.xray import UdpCollector, named

REGION = "eu-west-1"
SECRET_VALUE = "s3cr3t-value-never-traced"


async def upstream(request: Request) -> JSONResponse:
    return JSONResponse({"trace_header": request.headers.get("x-amzn-trace-id", "")})


UPSTREAM = Starlette(routes=[Route("/hello", upstream)])


def read_secret() -> str:
    client = boto3.client("secretsmanager", region_name=REGION)
    value: str = client.get_secret_value(SecretId="board/db")["SecretString"]
    return value


@strawberry.type
class Query:
    @strawberry.field
    async def upstream_header(self) -> str:
        async with asgi_client(UPSTREAM, "http://upstream.test") as http:
            header: str = (await http.get("/hello?token=abc")).json()["trace_header"]
        return header

    @strawberry.field
    async def secret_length(self) -> int:
        return len(await asyncio.to_thread(read_secret))


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="board/db", SecretString=SECRET_VALUE
        )
        yield


@pytest.fixture
async def api(daemon: UdpCollector, aws: None) -> AsyncIterator[httpx.AsyncClient]:
    async with traced_schema_client(Query, daemon) as http:
        yield http


async def test_an_httpx_call_nests_under_its_resolver_and_carries_the_trace(
    api: httpx.AsyncClient, daemon: UdpCollector
) -> None:
    payload = (await api.post("/graphql", json={"query": "{ upstreamHeader }"})).json()
    trace_id = payload["extensions"]["traceId"]
    segment = await daemon.trace(trace_id)
    (resolver,) = named(segment, "Query.upstreamHeader")
    (call,) = named(resolver, "upstream.test")
    assert call["namespace"] == "remote"
    assert call["http"]["request"] == {"method": "GET", "url": "http://upstream.test/hello"}
    assert call["http"]["response"]["status"] == 200
    # The upstream service was told which trace and subsegment called it.
    assert f"Root={trace_id}" in payload["data"]["upstreamHeader"]
    assert f"Parent={call['id']}" in payload["data"]["upstreamHeader"]


async def test_a_botocore_call_nests_under_its_resolver_without_the_secret(
    api: httpx.AsyncClient, daemon: UdpCollector
) -> None:
    payload = (await api.post("/graphql", json={"query": "{ secretLength }"})).json()
    assert payload["data"] == {"secretLength": len(SECRET_VALUE)}
    segment = await daemon.trace(payload["extensions"]["traceId"])
    (resolver,) = named(segment, "Query.secretLength")
    (call,) = named(resolver, "secretsmanager")
    assert call["namespace"] == "aws"
    assert call["aws"]["operation"] == "GetSecretValue"
    assert SECRET_VALUE.encode() not in b"".join(daemon.datagrams)
