"""Headless Chromium driven over its DevTools protocol: open a page, run script in it, wait.

Debian's chromium is enough: no driver binary and no browser download. The protocol is JSON
over a WebSocket (the ``websockets`` package comes with uvicorn[standard]).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)"
)
DRIVEN = ("--remote-debugging-port=0", "--window-size=1400,1000")
START_SECONDS = 30.0
WAIT_SECONDS = 30.0


class BrowserError(AssertionError):
    """The page did not do what the test waited for; the message says what and shows why."""


class Page:
    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        await self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:  # events arrive in between; the answer carries our id
            message = json.loads(await self._socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> Any:
        answer = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    async def wait_for(self, expression: str, what: str) -> Any:
        """Poll ``expression`` until it is truthy; on timeout, say ``what`` and show the page."""
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                while True:
                    value = await self.evaluate(expression)
                    if value:
                        return value
                    await asyncio.sleep(0.1)
        except TimeoutError:
            text = await self.evaluate("document.body ? document.body.innerText : ''")
            shown = f"the page shows: {text[:500]!r}"
            raise BrowserError(f"waited {WAIT_SECONDS} s for {what}; {shown}") from None


async def rendered(url: str, profile: Path) -> str:
    """The page at ``url`` as headless Chromium renders it, scripts run (``--dump-dom``)."""
    assert CHROMIUM is not None
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *HEADLESS,
        f"--user-data-dir={profile}",
        "--dump-dom",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return output.decode()


@contextlib.asynccontextmanager
async def chromium_page(profile: Path) -> AsyncIterator[Page]:
    """A fresh headless Chromium with one blank page, closed afterwards."""
    assert CHROMIUM is not None
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *HEADLESS,
        *DRIVEN,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        port = await _debugging_port(profile)
        async with httpx.AsyncClient() as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        (page,) = [target for target in targets if target["type"] == "page"]
        async with connect(page["webSocketDebuggerUrl"], max_size=None) as socket:
            yield Page(socket)
    finally:
        process.terminate()
        await process.wait()


async def _debugging_port(profile: Path) -> int:
    """Chromium writes the port it chose (``--remote-debugging-port=0``) into the profile."""
    marker = profile / "DevToolsActivePort"
    async with asyncio.timeout(START_SECONDS):
        while not (marker.exists() and marker.read_text().strip()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return int(marker.read_text().split()[0])
