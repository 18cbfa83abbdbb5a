"""Pure ASGI middleware: one X-Ray segment per GraphQL request.

It decides sampling, begins the segment, makes it the current scope for everything the request
runs, stamps the response with ``X-Amzn-Trace-Id`` and, once the response has gone out, closes
the tree and hands it to the exporter. Starlette's ``BaseHTTPMiddleware`` is avoided: it runs
the app in another task and buffers streaming responses.
"""

from __future__ import annotations

from typing import Any

from aws_xray_sdk.core.models import http
from aws_xray_sdk.core.models.segment import Segment
from aws_xray_sdk.core.models.traceid import TraceId
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracing.arguments import ArgumentFilter
from tracing.config import TracingConfig
from tracing.entities import name_annotation, record_exception
from tracing.export import TraceExporter
from tracing.policy import TracingPolicy
from tracing.request_trace import RequestTrace, current_scope, current_trace_id
from tracing.sampling.operation import ANONYMOUS_QUERY, peek_operation
from tracing.sampling.sampler import Sampler, SamplingDecision, SamplingRequest
from tracing.trace_header import HEADER, IncomingHeader, response_header
from tracing.traceparent import TRACEPARENT, TRACESTATE, continued, w3c_headers
from tracing.wire import USERNAME

SERVER_ERROR = 500


class XRayMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        config: TracingConfig,
        policy: TracingPolicy,
        sampler: Sampler,
        exporter: TraceExporter,
    ) -> None:
        self.app = app
        self._config = config
        self._path = policy.graphql_path
        self._arguments = ArgumentFilter(policy.private_arguments)
        self._error_codes = policy.error_codes
        self._sampler = sampler
        self._exporter = exporter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self._path:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = continued(IncomingHeader.parse(headers.get(HEADER)), headers.get(TRACEPARENT))
        rule: str | None = None
        if not _is_operation(scope):
            sampled = False
        elif incoming.sampled is not None:  # the caller decided; we keep its decision
            sampled = incoming.sampled
        else:
            receive, decision = await self._decide(scope, receive, headers)
            sampled, rule = decision.sampled, decision.rule_name
        if sampled:
            await self._traced(scope, receive, send, headers, incoming, rule)
        else:
            trace_id = incoming.root or TraceId().to_id()
            await self._untraced(scope, receive, send, trace_id, headers.get(TRACESTATE))

    async def _decide(
        self, scope: Scope, receive: Receive, headers: Headers
    ) -> tuple[Receive, SamplingDecision]:
        operation = ANONYMOUS_QUERY
        if self._sampler.needs_operation:
            body, receive = await _buffered(receive)
            operation = peek_operation(scope["method"], body, scope.get("query_string", b""))
        request = SamplingRequest(
            host=headers.get("host", ""),
            service_name=self._config.service_name,
            method=scope["method"],
            path=scope["path"],
            operation_name=operation.name,
            operation_type=operation.type,
        )
        return receive, self._sampler.decide(request)

    async def _untraced(
        self, scope: Scope, receive: Receive, send: Send, trace_id: str, tracestate: str | None
    ) -> None:
        w3c = w3c_headers(trace_id, None, sampled=False, tracestate=tracestate)
        response = _ResponseRecorder(send, response_header(trace_id, sampled=False), w3c)
        token = current_trace_id.set(trace_id)
        try:
            await self.app(scope, receive, response.send)
        finally:
            current_trace_id.reset(token)

    async def _traced(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: Headers,
        incoming: IncomingHeader,
        rule: str | None,
    ) -> None:
        segment = Segment(
            self._config.service_name, traceid=incoming.root, parent_id=incoming.parent
        )
        _record_request(segment, scope, headers)
        if rule is not None:
            segment.put_metadata("rule", rule, "sampling")
        trace = RequestTrace(
            segment,
            field_cap=self._config.field_cap,
            n_plus_one_threshold=self._config.n_plus_one_threshold,
            arguments=self._arguments,
            error_codes=self._error_codes,
        )
        w3c = w3c_headers(segment.trace_id, segment.id, True, headers.get(TRACESTATE))
        response = _ResponseRecorder(send, response_header(segment.trace_id, sampled=True), w3c)
        scope_token = current_scope.set(trace.root)
        id_token = current_trace_id.set(segment.trace_id)
        try:
            await self.app(scope, receive, response.send)
        except Exception as error:
            response.status = SERVER_ERROR
            record_exception(segment, error, fault=True)
            raise
        finally:
            current_scope.reset(scope_token)
            current_trace_id.reset(id_token)
            self._finish(trace, scope, response)

    def _finish(self, trace: RequestTrace, scope: Scope, response: _ResponseRecorder) -> None:
        segment = trace.segment
        _record_user(segment, scope.get("user"))
        segment.apply_status_code(response.status)
        segment.put_http_meta(http.STATUS, response.status)
        segment.put_http_meta(http.CONTENT_LENGTH, response.content_length)
        self._exporter.export(trace.finish())


HEADER_KEY = HEADER.lower().encode()


class _ResponseRecorder:
    """Wraps ``send``: stamps the trace header and notes status and body size on the way out."""

    def __init__(self, send: Send, stamp: str, w3c: list[tuple[bytes, bytes]]) -> None:
        self._send = send
        self._stamp = stamp.encode()
        self._w3c = w3c
        self.status = SERVER_ERROR
        self.content_length = 0

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message["headers"] = [
                *message.get("headers", ()),
                (HEADER_KEY, self._stamp),
                *self._w3c,
            ]
        elif message["type"] == "http.response.body":
            self.content_length += len(message.get("body", b""))
        await self._send(message)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it to the app as if unread."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", _replaying(message, receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replaying({"type": "http.request", "body": body, "more_body": False}, receive)


def _replaying(first: Message, receive: Receive) -> Receive:
    pending: list[Message] = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _is_operation(scope: Scope) -> bool:
    """A GraphQL operation, not the GraphiQL page that ``GET /graphql`` without a query serves."""
    return scope["method"] == "POST" or b"query=" in scope.get("query_string", b"")


def _record_request(segment: Segment, scope: Scope, headers: Headers) -> None:
    segment.put_http_meta(http.METHOD, scope["method"])
    segment.put_http_meta(http.URL, _url_without_query(scope, headers))
    if "user-agent" in headers:
        segment.put_http_meta(http.USER_AGENT, headers["user-agent"])
    forwarded = headers.get("x-forwarded-for")
    if forwarded:
        segment.put_http_meta(http.CLIENT_IP, forwarded.split(",")[0].strip())
        segment.put_http_meta(http.X_FORWARDED_FOR, True)
    elif scope.get("client"):
        segment.put_http_meta(http.CLIENT_IP, scope["client"][0])


def _url_without_query(scope: Scope, headers: Headers) -> str:
    # Query strings of GET requests carry GraphQL variables; they stay out of the trace.
    host = headers.get("host") or "localhost"
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"


def _record_user(segment: Segment, user: Any) -> None:
    if not getattr(user, "is_authenticated", False):
        return
    username = name_annotation(user.display_name)
    segment.set_user(username)
    segment.put_annotation(USERNAME, username)
