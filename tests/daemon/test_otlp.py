"""`board xray` takes OTLP/HTTP from the real OpenTelemetry SDK exporter and keeps it as X-Ray."""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.util.types import Attributes

from tests.support.daemon import call, stored, xray_client
from tests.support.xray import named
from tracing.wire import Document, descendants
from xray_local.server import RunningDaemon

SELECT_ITEMS = "SELECT id, sku FROM items WHERE order_id = %(order_id)s"


def shop_spans(endpoint: str) -> str:
    """A request of an OpenTelemetry-instrumented service, exported span by span; its trace id."""
    provider = TracerProvider(resource=Resource.create({"service.name": "shop"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    tracer = provider.get_tracer("test")
    server_attributes: Attributes = {
        "http.request.method": "POST",
        "url.full": "http://shop.test/orders",
        "http.response.status_code": 200,
        "enduser.id": "ana",
        "order.tier": "gold",
        "order.items": 2,
        "aws.xray.annotations": ["order.tier", "order.items"],
    }
    with tracer.start_as_current_span(
        "POST /orders", kind=SpanKind.SERVER, attributes=server_attributes
    ) as request:
        with tracer.start_as_current_span("Order.items"):
            database: Attributes = {
                "db.system.name": "postgresql",
                "db.namespace": "shop",
                "server.address": "db.local",
                "server.port": 5432,
                "db.query.text": SELECT_ITEMS,
            }
            with tracer.start_as_current_span(
                "SELECT shop", kind=SpanKind.CLIENT, attributes=database
            ):
                pass
        with tracer.start_as_current_span("Order.coupon") as coupon:
            coupon.record_exception(LookupError("no such coupon"))
        with tracer.start_as_current_span("Order.payment") as payment:
            payment.record_exception(ConnectionError("payment service down"))
            payment.set_status(Status(StatusCode.ERROR, "payment service down"))
    provider.shutdown()
    return f"{request.get_span_context().trace_id:032x}"


async def stored_trace(daemon: RunningDaemon, trace_id: str) -> Document:
    (found,) = (await call(xray_client(daemon).batch_get_traces, TraceIds=[trace_id]))["Traces"]
    (segment,) = found["Segments"]
    document: Document = json.loads(segment["Document"])
    return document


async def test_sdk_spans_become_a_segment_with_nested_subsegments(xray: RunningDaemon) -> None:
    w3c_id = await asyncio.to_thread(shop_spans, f"{xray.url}/v1/traces")
    await stored(xray, 5)
    trace_id = f"1-{w3c_id[:8]}-{w3c_id[8:]}"

    segment = await stored_trace(xray, trace_id)
    assert segment["name"] == "shop"
    assert segment["trace_id"] == trace_id
    assert segment["annotations"] == {"order_tier": "gold", "order_items": 2}
    assert segment["user"] == "ana"
    assert segment["http"]["request"] == {"method": "POST", "url": "http://shop.test/orders"}
    assert segment["http"]["response"] == {"status": 200}
    assert "error" not in segment
    assert "fault" not in segment
    assert [sub["name"] for sub in segment["subsegments"]] == [
        "Order.items",
        "Order.coupon",
        "Order.payment",
    ]
    (items,) = named(segment, "Order.items")
    (select,) = items["subsegments"]
    assert select["name"] == "shop@db.local"
    assert select["namespace"] == "remote"
    assert select["sql"] == {
        "url": "postgresql://db.local:5432/shop",
        "database_type": "postgresql",
        "sanitized_query": SELECT_ITEMS,
    }
    (coupon,) = named(segment, "Order.coupon")
    assert coupon["error"] is True
    assert "fault" not in coupon
    assert coupon["cause"]["exceptions"][0]["type"] == "LookupError"
    (payment,) = named(segment, "Order.payment")
    assert payment["fault"] is True
    assert payment["cause"]["exceptions"][0]["message"] == "payment service down"
    for sub in descendants(segment):
        assert segment["start_time"] <= sub["start_time"] <= sub["end_time"]


async def test_annotations_from_otlp_are_filterable_like_any_other(xray: RunningDaemon) -> None:
    w3c_id = await asyncio.to_thread(shop_spans, f"{xray.url}/v1/traces")
    await stored(xray, 5)
    window = {"StartTime": time.time() - 60, "EndTime": time.time() + 60}

    (summary,) = (
        await call(
            xray_client(xray).get_trace_summaries,
            **window,
            FilterExpression='annotation.order_tier = "gold" AND service("shop")',
        )
    )["TraceSummaries"]
    assert summary["Id"] == f"1-{w3c_id[:8]}-{w3c_id[8:]}"
    assert summary["Users"] == [
        {"UserName": "ana", "ServiceIds": [{"Name": "shop", "Names": ["shop"]}]}
    ]


def json_request(trace: str, server: str, client: str, start: int) -> dict[str, Any]:
    """An OTLP/JSON body as the spec writes it: hex ids, enum numbers, int64 as strings."""
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "js"}}]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": trace,
                                "spanId": server,
                                "name": "GET /",
                                "kind": 2,
                                "startTimeUnixNano": str(start),
                                "endTimeUnixNano": str(start + 30_000_000),
                                "attributes": [
                                    {
                                        "key": "http.response.status_code",
                                        "value": {"intValue": "503"},
                                    }
                                ],
                            },
                            {
                                "traceId": trace,
                                "spanId": client,
                                "parentSpanId": server,
                                "name": "GET",
                                "kind": 3,
                                "startTimeUnixNano": str(start + 1_000_000),
                                "endTimeUnixNano": str(start + 20_000_000),
                                "status": {"code": 2, "message": "upstream timed out"},
                            },
                        ]
                    }
                ],
            }
        ]
    }


async def test_otlp_json_is_accepted_with_hex_ids(xray: RunningDaemon) -> None:
    trace, server, client = os.urandom(16).hex(), os.urandom(8).hex(), os.urandom(8).hex()
    body = json_request(trace, server, client, time.time_ns() - 10**9)
    async with httpx.AsyncClient(base_url=xray.url) as http:
        answer = await http.post("/v1/traces", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {}
    await stored(xray, 2)

    segment = await stored_trace(xray, f"1-{trace[:8]}-{trace[8:]}")
    assert (segment["id"], segment["name"], segment["fault"]) == (server, "js", True)
    assert segment["end_time"] - segment["start_time"] == pytest.approx(0.03, abs=1e-6)
    (call_out,) = segment["subsegments"]
    assert (call_out["id"], call_out["namespace"], call_out["fault"]) == (client, "remote", True)
    assert call_out["cause"]["exceptions"][0]["message"] == "upstream timed out"


async def test_bad_otlp_requests_are_refused_with_a_reason(xray: RunningDaemon) -> None:
    async with httpx.AsyncClient(base_url=xray.url) as http:
        garbage = await http.post(
            "/v1/traces",
            content=b"\xff\xff\xff not protobuf",
            headers={"content-type": "application/x-protobuf"},
        )
        text = await http.post(
            "/v1/traces", content=b"spans", headers={"content-type": "text/plain"}
        )
        not_otlp = await http.post("/v1/traces", json={"resourceSpans": "everything"})
    assert garbage.status_code == 400
    assert "protobuf" in garbage.json()["message"]
    assert text.status_code == 415
    assert "application/x-protobuf" in text.json()["message"]
    assert not_otlp.status_code == 400
    assert xray.counters.received == 0
