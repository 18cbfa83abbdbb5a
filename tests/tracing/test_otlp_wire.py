"""The hand-written OTLP encoding reads back, through protobuf, equal to the OpenTelemetry SDK's
own encoding of the same spans (``encode_spans`` over ``ReadableSpan``)."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from tracing import otlp_wire

TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
SAMPLED = TraceFlags(TraceFlags.SAMPLED)
RESOURCE = Resource({"service.name": "feed-api", "deployment.environment": "test", "pid": 42})
SCOPE = InstrumentationScope("xray_board.tracing")
KINDS = {
    SpanKind.INTERNAL: otlp_wire.KIND_INTERNAL,
    SpanKind.SERVER: otlp_wire.KIND_SERVER,
    SpanKind.CLIENT: otlp_wire.KIND_CLIENT,
}
EVERY_VALUE: dict[str, Any] = {
    "text": "héllo ✓",
    "empty": "",
    "long": "x" * 20_000,  # a three-byte length
    "true": True,
    "false": False,
    "zero": 0,
    "negative": -7,
    "int64 min": -(1 << 63),
    "int64 max": (1 << 63) - 1,
    "float": 0.25,
    "negative float": -1e300,
    "texts": ["a", "b"],
    "ints": [1, -2, 300],
    "no items": [],
    "nothing": None,
    "bytes": b"\x00\xff",
    "map": {"inner": 1, "deeper": {"text": "t"}},
}


def sdk_request(spans: list[ReadableSpan]) -> ExportTraceServiceRequest:
    return parsed(encode_spans(spans).SerializeToString())


def our_request(*spans: bytes) -> ExportTraceServiceRequest:
    return parsed(otlp_wire.ExportRequests(RESOURCE.attributes, SCOPE.name).of(spans))


def parsed(body: bytes) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    return request


def sdk_span(
    span_id: int,
    parent: SpanContext | None,
    attributes: dict[str, Any],
    kind: SpanKind = SpanKind.INTERNAL,
    status: Status | None = None,
    exceptions: tuple[dict[str, Any], ...] = (),
) -> ReadableSpan:
    end = 1_795_655_124_784_652_700
    return ReadableSpan(
        f"span {span_id}",
        context=SpanContext(TRACE_ID, span_id, is_remote=False, trace_flags=SAMPLED),
        parent=parent,
        resource=RESOURCE,
        attributes=attributes,
        events=[Event("exception", exception, end) for exception in exceptions],
        kind=kind,
        instrumentation_scope=SCOPE,
        status=status or Status(StatusCode.UNSET),
        start_time=1_795_655_124_754_547_600,
        end_time=end,
    )


def wire_span(span: ReadableSpan) -> bytes:
    """``span`` written by ``otlp_wire`` from the same fields."""
    parent = span.parent
    error = span.status.description or "" if span.status.status_code is StatusCode.ERROR else None
    assert span.start_time is not None
    assert span.end_time is not None
    return otlp_wire.span(
        otlp_wire.span_ids(
            TRACE_ID.to_bytes(16, "big"),
            span.context.span_id.to_bytes(8, "big"),
            parent.span_id.to_bytes(8, "big") if parent else None,
        ),
        span.name,
        KINDS[span.kind],
        span.start_time,
        span.end_time,
        dict(span.attributes or {}),
        events=[dict(event.attributes or {}) for event in span.events],
        error=error,
        remote_parent=bool(parent and parent.is_remote),
    )


def test_every_attribute_value_is_encoded_as_the_sdk_encodes_it() -> None:
    span = sdk_span(1, None, EVERY_VALUE, SpanKind.SERVER)
    assert our_request(wire_span(span)) == sdk_request([span])


@pytest.mark.parametrize("is_remote", [True, False])
def test_parents_local_and_remote_are_flagged_as_the_sdk_flags_them(is_remote: bool) -> None:
    parent = SpanContext(TRACE_ID, 0xB7AD6B7169203331, is_remote=is_remote, trace_flags=SAMPLED)
    span = sdk_span(2, parent, {"graphql.path": "posts"}, SpanKind.CLIENT)
    assert our_request(wire_span(span)) == sdk_request([span])


@pytest.mark.parametrize("message", ["boom", ""])
def test_errors_and_exception_events_are_encoded_as_the_sdk_encodes_them(message: str) -> None:
    exception = {"exception.type": "ValueError", "exception.message": message}
    traced = {**exception, "exception.stacktrace": '  File "a.py", line 1, in f'}
    span = sdk_span(3, None, {}, status=Status(StatusCode.ERROR, message), exceptions=(traced,))
    assert our_request(wire_span(span)) == sdk_request([span])


def test_the_spans_of_several_traces_share_one_resource_and_scope() -> None:
    root = sdk_span(4, None, {"http.route": "/graphql"}, SpanKind.SERVER)
    child = sdk_span(5, root.context, {"db.system.name": "postgresql"}, SpanKind.CLIENT)
    other = sdk_span(6, None, {}, SpanKind.SERVER)
    spans = [root, child, other]
    assert our_request(*map(wire_span, spans)) == sdk_request(spans)


def test_a_value_protobuf_cannot_hold_is_left_out_as_the_sdk_leaves_it_out() -> None:
    span = sdk_span(7, None, {"too big": 1 << 64, "kept": 1, "odd": object()})
    ours = our_request(wire_span(span))
    sdk = sdk_request([span])
    assert ours == sdk
    (kept,) = ours.resource_spans[0].scope_spans[0].spans[0].attributes
    assert kept.key == "kept"
