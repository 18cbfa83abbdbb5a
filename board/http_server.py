"""uvicorn, configured against oversized and slow request headers.

The ASGI app only sees a request once its headers are complete, so these limits live in the
server: measured before (issue 13), 2 MB of headers were accepted and 100 connections sending
their headers a byte at a time were held open indefinitely. Headers over ``max_header_bytes``
are refused (431, or 400 from h11 while they still arrive) and this protocol closes a
connection whose request line and headers have not all arrived within
``header_timeout_seconds``.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

access_logger = logging.getLogger("board.access")


@dataclass(frozen=True)
class HeaderLimits:
    max_header_bytes: int = 16 * 1024
    header_timeout_seconds: float = 10.0


class HeaderDeadlineProtocol(H11Protocol):
    """h11 with a deadline for each request's line and headers (``BoundedConfig``'s)."""

    _header_deadline: asyncio.TimerHandle | None = None

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        limits = config.header_limits if isinstance(config, BoundedConfig) else HeaderLimits()
        self.header_timeout_seconds = limits.header_timeout_seconds

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE and self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request on this connection gets its own

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        self._header_deadline = self.loop.call_later(
            self.header_timeout_seconds, self._on_header_deadline
        )

    def _on_header_deadline(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


class HeaderSizeLimit:
    """Answers 431 to a request whose headers add up to more than ``max_header_bytes``.

    h11's own limit only bounds headers still arriving; a block that came in one read is whole.
    """

    def __init__(self, app: ASGIApp, max_header_bytes: int) -> None:
        self.app = app
        self._max = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _header_bytes(scope) > self._max:
            response = PlainTextResponse(
                f"Request headers are over the limit of {self._max} bytes", status_code=431
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _header_bytes(scope: Scope) -> int:
    return sum(len(name) + len(value) + 4 for name, value in scope["headers"])


class AccessLog:
    """One line per request: client, method, path and status, never the query string.

    uvicorn's own access log prints the whole request target, and a GraphQL GET carries its
    operation and variables there: measured before, a ``signIn`` over GET logged the password.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            client = scope.get("client") or ("-", 0)
            access_logger.info(
                '%s - "%s %s" %s', client[0], scope["method"], scope["path"], status or "-"
            )


class BoundedConfig(uvicorn.Config):
    """uvicorn's configuration with the header limits, for one process or for workers.

    A plain class at module level, so that uvicorn can hand it to worker processes (it pickles
    the configuration for each one); each worker's app is wrapped by ``bounded_app``.
    """

    def __init__(self, app: ASGIApp | str, limits: HeaderLimits, **options: Any) -> None:
        super().__init__(
            app,
            access_log=False,  # AccessLog below: uvicorn's would print query strings
            http=HeaderDeadlineProtocol,
            h11_max_incomplete_event_size=limits.max_header_bytes,
            **options,
        )
        self.header_limits = limits


def bounded_app(app: ASGIApp, limits: HeaderLimits) -> ASGIApp:
    """The app as the server runs it: headers over the limit refused, one access line each."""
    return AccessLog(HeaderSizeLimit(app, limits.max_header_bytes))


def server_config(app: ASGIApp, limits: HeaderLimits, **options: Any) -> uvicorn.Config:
    """One server process running ``app`` within ``limits``."""
    return BoundedConfig(bounded_app(app, limits), limits, **options)


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the board's own loggers (access lines, outages) on its handler."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["board"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
