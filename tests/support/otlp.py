"""A plain OTLP/HTTP receiver (a real HTTP server on loopback) and span-tree readers."""

from __future__ import annotations

import gzip
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

from tracing.wire import Document
from xray_local.span_documents import attributes_of

Shape = tuple[str, str, list[Any]]


class OtlpReceiver:
    """Keeps every export request it is sent at ``url``; answers as a collector does."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.requests: list[ExportTraceServiceRequest] = []
        self.headers: list[dict[str, str]] = []

    def resource_spans(self) -> list[ResourceSpans]:
        return [group for request in self.requests for group in request.resource_spans]

    def spans(self, trace_id: str | None = None) -> list[Span]:
        """Every span received, or those of one trace (X-Ray or W3C form of its id)."""
        wanted = trace_id.removeprefix("1-").replace("-", "") if trace_id else None
        return [
            span
            for group in self.resource_spans()
            for scope in group.scope_spans
            for span in scope.spans
            if wanted is None or span.trace_id.hex() == wanted
        ]


@contextmanager
def otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            receiver.requests.append(request)
            receiver.headers.append({key.lower(): value for key, value in self.headers.items()})
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/v1/traces"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def span_tree(spans: list[Span]) -> Shape:
    """The one root span's tree: labels, failures and children as ``xray_tree`` gives them."""
    children: defaultdict[bytes, list[Span]] = defaultdict(list)
    ids = {span.span_id for span in spans}
    roots = [span for span in spans if span.parent_span_id not in ids]
    assert len(roots) == 1, [span.name for span in roots]
    for span in spans:
        children[span.parent_span_id].append(span)

    def shape(span: Span, root: bool = False) -> Shape:
        attributes = attributes_of(span.attributes)
        if root:
            label = "request"
        elif "db.query.text" in attributes:
            label = "sql: " + attributes["db.query.text"]
        else:
            label = span.name
        status = attributes.get("http.response.status_code", 0)
        if span.status.code == Status.STATUS_CODE_ERROR:
            failure = "fault"
        elif "error.type" in attributes or 400 <= status < 500:
            failure = "error"
        else:
            failure = ""
        return (label, failure, sorted(shape(child) for child in children[span.span_id]))

    return shape(roots[0], root=True)


def xray_tree(entity: Document, sql_names: bool = False, root: bool = True) -> Shape:
    """A segment's tree: names (``request`` for the segment), fault/error, sorted children."""
    if root:
        label = "request"
    elif "sql" in entity:
        prefix = entity["name"] if sql_names else "sql"
        label = f"{prefix}: {entity['sql']['sanitized_query']}"
    else:
        label = entity["name"]
    failure = "fault" if entity.get("fault") else "error" if entity.get("error") else ""
    subtrees = [xray_tree(sub, sql_names, root=False) for sub in entity.get("subsegments", [])]
    return (label, failure, sorted(subtrees))


def listed_annotations(span: Span) -> dict[str, Any]:
    attributes = attributes_of(span.attributes)
    return {key: attributes[key] for key in attributes.get("aws.xray.annotations", [])}
