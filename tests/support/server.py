"""An app served by the real uvicorn on a free loopback port, in the test's event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

from board.http_server import HeaderLimits, server_config


@asynccontextmanager
async def served(app: ASGIApp, header_limits: HeaderLimits | None = None) -> AsyncIterator[str]:
    """Yields the base URL (``http://127.0.0.1:PORT``) while ``app`` is served."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = server_config(
        app, header_limits or HeaderLimits(), log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    while True:  # uvicorn flips `started` once it accepts connections
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await serving
