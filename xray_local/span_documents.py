"""OpenTelemetry spans as X-Ray segment documents, mapped the way X-Ray maps OTLP it receives.

Every span becomes one document, as every datagram does: a SERVER or CONSUMER span (or a span
with no parent) is a segment named by the resource's ``service.name``; any other span is a
streamed subsegment naming its parent, ``namespace: remote`` when it is a CLIENT or PRODUCER call.
Attributes listed in ``aws.xray.annotations`` are annotations; HTTP attributes make the ``http``
block, a CLIENT span with ``db.system`` the ``sql`` block, ``enduser.id`` the ``user``; every
other attribute is metadata in the ``default`` namespace. An ERROR status is a fault (an error
when the HTTP status is 4xx); an exception recorded on a span whose status stays unset, as
OpenTelemetry asks for client errors, is an error; exception events become the ``cause``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from random import getrandbits
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from tracing.wire import XRAY_ANNOTATIONS_ATTRIBUTE, Document, xray_trace_id

UNKNOWN_SERVICE = "unknown_service"
_SEGMENT_KINDS = frozenset({Span.SPAN_KIND_SERVER, Span.SPAN_KIND_CONSUMER})
_REMOTE_KINDS = frozenset({Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_PRODUCER})
_NOT_ANNOTATION_KEY = re.compile(r"[^A-Za-z0-9_]")
_NANOSECONDS = 1e9
_TOO_MANY_REQUESTS = 429

Attributes = dict[str, Any]

# X-Ray's http block fields, each from the current semantic convention or the one before it.
_HTTP_REQUEST = {
    "method": ("http.request.method", "http.method"),
    "url": ("url.full", "http.url"),
    "user_agent": ("user_agent.original", "http.user_agent"),
    "client_ip": ("client.address", "http.client_ip"),
}
_HTTP_RESPONSE = {
    "status": ("http.response.status_code", "http.status_code"),
    "content_length": ("http.response.body.size", "http.response_content_length"),
}


def documents_of(request: ExportTraceServiceRequest) -> list[Document]:
    """One document per well-formed span; spans without a valid trace or span id are skipped."""
    documents = []
    for resource_spans in request.resource_spans:
        resource = attributes_of(resource_spans.resource.attributes)
        service = str(resource.get("service.name") or UNKNOWN_SERVICE)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                if len(span.trace_id) == 16 and len(span.span_id) == 8 and any(span.trace_id):
                    documents.append(document_of(span, service))
    return documents


def document_of(span: Span, service: str) -> Document:
    attributes = attributes_of(span.attributes)
    is_segment = span.kind in _SEGMENT_KINDS or not span.parent_span_id
    document: Document = {
        "id": span.span_id.hex(),
        "trace_id": xray_trace_id(span.trace_id.hex()),
        "name": service if is_segment else _subsegment_name(span, attributes),
        "start_time": span.start_time_unix_nano / _NANOSECONDS,
        "end_time": span.end_time_unix_nano / _NANOSECONDS,
    }
    if span.parent_span_id:
        document["parent_id"] = span.parent_span_id.hex()
    if not is_segment:
        document["type"] = "subsegment"
        if span.kind in _REMOTE_KINDS:
            document["namespace"] = "remote"
    _put(document, "annotations", _take_annotations(attributes))
    _put(document, "http", _take_http(attributes))
    if span.kind == Span.SPAN_KIND_CLIENT and _db_system(attributes):
        _put(document, "sql", _take_sql(attributes))
    user = attributes.pop("enduser.id", None)
    if is_segment and isinstance(user, str) and user:
        document["user"] = user
    _mark_failure(document, span, attributes)
    if attributes:
        document["metadata"] = {"default": attributes}
    return document


def attributes_of(pairs: Iterator[KeyValue] | Any) -> Attributes:
    return {pair.key: value_of(pair.value) for pair in pairs}


def value_of(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [value_of(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes_of(value.kvlist_value.values)
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind) if kind else None


def _subsegment_name(span: Span, attributes: Attributes) -> str:
    """A database call is named ``database@host`` as X-Ray SDKs name it; others keep theirs."""
    database, host = attributes.get("db.namespace"), attributes.get("server.address")
    if span.kind == Span.SPAN_KIND_CLIENT and _db_system(attributes) and database and host:
        return f"{database}@{host}"
    return span.name


def _take_annotations(attributes: Attributes) -> dict[str, Any]:
    listed = attributes.pop(XRAY_ANNOTATIONS_ATTRIBUTE, [])
    keys = [listed] if isinstance(listed, str) else listed
    annotations = {}
    for key in keys:
        value = attributes.get(key)
        if isinstance(value, str | bool | int | float):
            annotations[_NOT_ANNOTATION_KEY.sub("_", key)] = attributes.pop(key)
    return annotations


def _take_http(attributes: Attributes) -> dict[str, Any]:
    block = {}
    for part, fields in (("request", _HTTP_REQUEST), ("response", _HTTP_RESPONSE)):
        taken = {name: _take_first(attributes, keys) for name, keys in fields.items()}
        present = {name: value for name, value in taken.items() if value is not None}
        if present:
            block[part] = present
    return block


def _db_system(attributes: Attributes) -> Any:
    return attributes.get("db.system.name") or attributes.get("db.system")


def _take_sql(attributes: Attributes) -> dict[str, Any]:
    system = str(_db_system(attributes))
    host, port = attributes.get("server.address"), attributes.get("server.port")
    database = attributes.get("db.namespace", "")
    address = f"{host}:{port}" if host and port else (host or "")
    sql = {
        "url": f"{system}://{address}/{database}",
        "database_type": system,
        "sanitized_query": attributes.pop("db.query.text", None),
        "user": attributes.get("db.user"),
    }
    return {key: value for key, value in sql.items() if value}


def _mark_failure(document: Document, span: Span, attributes: Attributes) -> None:
    status = document.get("http", {}).get("response", {}).get("status")
    exceptions = [_exception(event) for event in span.events if event.name == "exception"]
    if isinstance(status, int) and status >= 400:
        document["fault" if status >= 500 else "error"] = True
        if status == _TOO_MANY_REQUESTS:
            document["throttle"] = True
    elif span.status.code == Status.STATUS_CODE_ERROR:
        document["fault"] = True
    elif exceptions or "error.type" in attributes:
        document["error"] = True
    if exceptions:
        document["cause"] = {"working_directory": ".", "exceptions": exceptions}
    elif span.status.code == Status.STATUS_CODE_ERROR and span.status.message:
        document["cause"] = {
            "working_directory": ".",
            "exceptions": [{"id": _exception_id(), "message": span.status.message}],
        }


def _exception(event: Span.Event) -> dict[str, Any]:
    attributes = attributes_of(event.attributes)
    exception = {"id": _exception_id()}
    for field in ("type", "message"):
        value = attributes.get(f"exception.{field}")
        if value:
            exception[field] = str(value)
    return exception


def _exception_id() -> str:
    return f"{getrandbits(64):016x}"


def _take_first(attributes: Attributes, keys: tuple[str, ...]) -> Any:
    found = None
    for key in keys:
        value = attributes.pop(key, None)
        if found is None:
            found = value
    return found


def _put(document: Document, key: str, value: dict[str, Any]) -> None:
    if value:
        document[key] = value
