"""The bench's CPU comparison counts what a server does after its response has gone out."""

from __future__ import annotations

import asyncio

from bench.load import alternate, server

# Answers at once, then works 20 ms of CPU: as a traced server finishes and sends its trace.
WORKS_AFTER_ANSWERING = """
import sys, time, uvicorn

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["method"] == "POST":
        while (await receive()).get("more_body"):
            pass
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"data": {}}'})
    if scope["path"] == "/graphql":
        done = time.thread_time() + 0.02
        while time.thread_time() < done:
            pass

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def test_cpu_spent_after_the_response_counts_for_the_request() -> None:
    with server(("-c", WORKS_AFTER_ANSWERING, "{port}"), {}) as running:
        results = asyncio.run(alternate({"late": running}, {"query": "{ ok }"}, requests=1))
    assert results["late"].errors == 0
    assert results["late"].cpu_per_request >= 19.0
