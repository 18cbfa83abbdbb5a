"""Log lines hold no query string or body; a client leaving mid-upload is one INFO line."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import httpx
import pytest

from db.engine import Database
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.server import served

PASSWORD = "hunter2-is-a-password"


async def test_no_log_line_holds_a_query_string_or_body_and_a_disconnect_is_one_line(
    database: Database, tokens: TokenSigner, caplog: pytest.LogCaptureFixture
) -> None:
    server_errors = logging.getLogger("uvicorn.error")
    server_errors.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    try:
        async with served(create_app(database, build_schema(), tokens=tokens)) as base:
            sign_in = f'mutation {{ signIn(username: "ada", password: "{PASSWORD}") {{ token }} }}'
            async with httpx.AsyncClient(base_url=base) as http:
                await http.get("/graphql", params={"query": sign_in})
                await http.post("/graphql", json={"query": sign_in})
            address = urlsplit(base)
            _reader, writer = await asyncio.open_connection(address.hostname, address.port)
            writer.write(
                b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000\r\n\r\n{"query": "'
            )
            await writer.drain()
            await asyncio.sleep(0.2)
            writer.close()
            await asyncio.sleep(0.3)
    finally:
        server_errors.removeHandler(caplog.handler)
    server = [r for r in caplog.records if r.name.startswith(("board", "uvicorn"))]
    lines = [record.getMessage() for record in server]
    assert not [line for line in lines if PASSWORD in line or "query=" in line], lines
    assert any('"GET /graphql" 405' in line for line in lines), lines
    assert lines.count("client disconnected before sending its whole request body") == 1
    assert [r for r in server if r.levelno >= logging.ERROR] == []
