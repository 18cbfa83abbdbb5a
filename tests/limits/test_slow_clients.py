"""Against the real uvicorn: oversized headers, and clients that send slower than the deadlines."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from board.http_server import HeaderLimits
from db.engine import Database
from graph.app import create_app
from graph.request_limits import ServerLimits
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.server import served

DEADLINE = 0.5


async def exchange(base: str, request: bytes, *, pause_after: int | None = None) -> bytes:
    """Send ``request`` (stalling after ``pause_after`` bytes) and read until the server closes."""
    address = urlsplit(base)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(request[:pause_after])
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout=5 * DEADLINE + 2)
    finally:
        writer.close()


async def test_slow_headers_slow_bodies_and_huge_headers_are_cut_off(
    database: Database, tokens: TokenSigner
) -> None:
    app = create_app(
        database, build_schema(), tokens=tokens, limits=ServerLimits(body_timeout_seconds=DEADLINE)
    )
    headers = HeaderLimits(max_header_bytes=4096, header_timeout_seconds=DEADLINE)
    body = b'{"query": "{ viewer { id } }"}'
    request = (
        b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
    )
    async with served(app, headers) as base:
        whole = await exchange(base, request)
        slow_headers = await exchange(base, request, pause_after=20)
        slow_body = await exchange(base, request, pause_after=len(request) - 5)
        huge = request.replace(b"Host: t\r\n", b"Host: t\r\nX-Pad: " + b"a" * 8000 + b"\r\n")
        huge_headers = await exchange(base, huge)
    assert whole.startswith(b"HTTP/1.1 200")
    assert slow_headers == b""  # closed without a word once the header deadline passed
    assert slow_body.startswith(b"HTTP/1.1 408")
    assert huge_headers.startswith(b"HTTP/1.1 431")
