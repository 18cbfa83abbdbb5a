"""OTLP/HTTP trace requests (``POST /v1/traces``), binary protobuf or JSON, as the spec defines.

OTLP/JSON is the protobuf JSON mapping except that trace and span ids are hex, not base64, so
ids are turned into base64 first and both encodings then go through one protobuf decoder.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import zlib
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tracing.wire import Document
from xray_local.span_documents import documents_of

PATH = "/v1/traces"
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
BODY_MAX = 5 * 1024 * 1024  # X-Ray's own OTLP endpoint takes at most 5 MB a request
_ID_FIELDS = ("traceId", "spanId", "parentSpanId")

DocumentSink = Callable[[list[Document]], None]


class BadOtlpRequest(ValueError):
    """A request body that is not an OTLP trace export; the message says what is wrong."""

    status = 400


class UnsupportedMediaType(BadOtlpRequest):
    status = 415


def decode(body: bytes, content_type: str, encoding: str = "") -> ExportTraceServiceRequest:
    """The export request in ``body``, which is protobuf or JSON as ``content_type`` says."""
    body = _decompressed(body, encoding.strip().lower())
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == PROTOBUF:
        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except DecodeError as error:
            raise BadOtlpRequest(f"not an OTLP protobuf trace export: {error}") from error
        return request
    if media_type == JSON:
        return _from_json(body)
    raise UnsupportedMediaType(f"Content-Type must be {PROTOBUF} or {JSON} (got {content_type!r})")


def otlp_route(store: DocumentSink) -> Route:
    """``POST /v1/traces``: spans become segment documents handed to ``store``."""

    async def export(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        body = await request.body()
        if len(body) > BODY_MAX:
            return _rejected(413, f"request body over {BODY_MAX} bytes")
        encoding = request.headers.get("content-encoding", "")
        try:
            # Decoding a request of thousands of spans is CPU work: off the event loop.
            documents = await asyncio.to_thread(_documents, body, content_type, encoding)
        except BadOtlpRequest as error:
            return _rejected(error.status, error)
        store(documents)
        if content_type.startswith(JSON):
            return JSONResponse({})
        return Response(ExportTraceServiceResponse().SerializeToString(), media_type=PROTOBUF)

    return Route(PATH, export, methods=["POST"])


def _documents(body: bytes, content_type: str, encoding: str) -> list[Document]:
    return documents_of(decode(body, content_type, encoding))


def _rejected(status: int, error: object) -> Response:
    # OTLP/HTTP answers failures with a google.rpc.Status; its JSON form is readable everywhere.
    return JSONResponse({"code": 3, "message": str(error)}, status_code=status)


def _decompressed(body: bytes, encoding: str) -> bytes:
    if encoding in ("", "identity"):
        return body
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError) as error:
        raise BadOtlpRequest(f"body is not valid {encoding}: {error}") from error
    raise UnsupportedMediaType(f"Content-Encoding {encoding!r} is not supported (gzip, deflate)")


def _from_json(body: bytes) -> ExportTraceServiceRequest:
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadOtlpRequest(f"not JSON: {error}") from error
    if not isinstance(raw, dict):
        raise BadOtlpRequest("an OTLP/JSON request is an object with resourceSpans")
    try:
        for resource_spans in raw.get("resourceSpans", ()):
            for scope_spans in resource_spans.get("scopeSpans", ()):
                for span in scope_spans.get("spans", ()):
                    _ids_to_base64(span)
                    for link in span.get("links", ()):
                        _ids_to_base64(link)
        request = ExportTraceServiceRequest()
        json_format.ParseDict(raw, request, ignore_unknown_fields=True)
    except (AttributeError, TypeError, ValueError, json_format.ParseError) as error:
        raise BadOtlpRequest(f"not an OTLP/JSON trace export: {error}") from error
    return request


def _ids_to_base64(entity: dict[str, Any]) -> None:
    for field in _ID_FIELDS:
        value = entity.get(field)
        if isinstance(value, str) and value:
            entity[field] = base64.b64encode(bytes.fromhex(value)).decode()
