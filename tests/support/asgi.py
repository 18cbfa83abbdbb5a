"""The one way tests talk to an ASGI app: httpx in-process, no socket, lifespan not run."""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp

BOARD_URL = "http://board.test"


def asgi_client(app: ASGIApp, base_url: str = BOARD_URL) -> httpx.AsyncClient:
    """Use it as ``async with asgi_client(app) as http:``; requests go straight to ``app``."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
