"""Pure ASGI middleware bounding what one ``/graphql`` request may take from the server.

Measured before it (issue 13): a 20 MB body was accepted (+20-30 MB RSS per request), 300
slow-body connections were held open indefinitely, and a request ran as long as its query did.
Here a body over the limit is refused with 413 before it is read whole, a body that trickles in
slower than the body deadline gets 408, requests past the concurrency limit get 503 with
``Retry-After`` instead of queueing without end, and a request past its time limit is cancelled
(its database sessions close and their connections return to the pool) and answered 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.share import MIN_CONNECTIONS_PER_REQUEST

logger = logging.getLogger("board.http")

LIMITED_PATH = "/graphql"
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True)
class ServerLimits:
    max_body_bytes: int = 1024 * 1024
    max_concurrent_requests: int = 64
    """In-flight ``/graphql`` requests per process."""
    request_timeout_seconds: float = 30.0
    body_timeout_seconds: float = 10.0
    connections_per_request: int = 4
    """Database connections one request may hold at once: its reads' one and its sessions."""

    def __post_init__(self) -> None:
        if self.connections_per_request < MIN_CONNECTIONS_PER_REQUEST:
            raise ValueError(
                f"connections_per_request must be at least {MIN_CONNECTIONS_PER_REQUEST} "
                f"(got {self.connections_per_request})"
            )


class ClientGone(Exception):
    """The client disconnected before its whole request body arrived."""


class RefusedRequest(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers


class RequestLimits:
    def __init__(self, app: ASGIApp, *, limits: ServerLimits) -> None:
        self.app = app
        self._limits = limits
        self._in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != LIMITED_PATH:
            await self.app(scope, receive, send)
            return
        if self._in_flight >= self._limits.max_concurrent_requests:
            await _refuse(send, _busy(self._limits.max_concurrent_requests))
            return
        self._in_flight += 1
        try:
            await self._limited(scope, receive, send)
        finally:
            self._in_flight -= 1

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            receive = await self._read_body(scope, receive)
        except RefusedRequest as refusal:
            await _refuse(send, refusal)
            return
        except ClientGone:
            # Routine on mobile networks: one line, no traceback, nothing to answer.
            logger.info("client disconnected before sending its whole request body")
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self._limits.request_timeout_seconds):
                await self.app(scope, receive, watched_send)
        except TimeoutError:
            logger.warning("request cancelled after %.0f s", self._limits.request_timeout_seconds)
            if not started:
                await _refuse(send, _timed_out(self._limits.request_timeout_seconds))

    async def _read_body(self, scope: Scope, receive: Receive) -> Receive:
        """The whole body, read within the limits, and a ``receive`` that replays it."""
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self._limits.max_body_bytes:
            raise _too_large(self._limits.max_body_bytes)
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self._limits.body_timeout_seconds):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise ClientGone
                    if message["type"] != "http.request":
                        return _replaying(message, receive)
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self._limits.max_body_bytes:
                        raise _too_large(self._limits.max_body_bytes)
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            raise _slow_body(self._limits.body_timeout_seconds) from None
        body = b"".join(chunks)
        return _replaying({"type": "http.request", "body": body, "more_body": False}, receive)


def _replaying(first: Message, receive: Receive) -> Receive:
    pending = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _too_large(limit: int) -> RefusedRequest:
    return RefusedRequest(
        413, "PAYLOAD_TOO_LARGE", f"The request body is over the limit of {limit} bytes", {}
    )


def _slow_body(seconds: float) -> RefusedRequest:
    return RefusedRequest(
        408, "REQUEST_TIMEOUT", f"The request body did not arrive within {seconds:g} s", {}
    )


def _busy(limit: int) -> RefusedRequest:
    return RefusedRequest(
        503,
        "SERVICE_UNAVAILABLE",
        f"The server is busy ({limit} requests in flight); retry after {RETRY_AFTER_SECONDS} s",
        {"retry-after": str(RETRY_AFTER_SECONDS)},
    )


def _timed_out(seconds: float) -> RefusedRequest:
    return RefusedRequest(
        503,
        "REQUEST_TIMEOUT",
        f"The request ran longer than {seconds:g} s and was cancelled; ask for less",
        {},
    )


async def _refuse(send: Send, refusal: RefusedRequest) -> None:
    error: dict[str, Any] = {"message": str(refusal), "extensions": {"code": refusal.code}}
    if "retry-after" in refusal.headers:
        error["extensions"]["retryAfter"] = int(refusal.headers["retry-after"])
    body = json.dumps({"errors": [error]}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.encode(), value.encode()) for name, value in refusal.headers.items()),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
