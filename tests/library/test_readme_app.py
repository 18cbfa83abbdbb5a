"""README "Trace your own Strawberry app": its code, run as written, traces a schema of its own."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.asgi import asgi_client
from tests.support.xray import UdpCollector, named
from tracing.wire import descendants

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Trace your own Strawberry app"


def readme_app_code() -> str:
    section = README.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, f"no python block under {SECTION!r}"
    return match.group(1)


async def test_the_readme_app_sends_its_trace_to_the_daemon(
    daemon: UdpCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.address)
    # As `uvicorn answers:app` would load it: a module of that name (Strawberry looks it up).
    answers = ModuleType("answers")
    monkeypatch.setitem(sys.modules, "answers", answers)
    exec(compile(readme_app_code(), str(README), "exec"), answers.__dict__)
    engine: AsyncEngine = answers.engine
    try:
        async with asgi_client(answers.app) as http:
            response = await http.post("/graphql", json={"query": "{ answer(factor: 7) }"})
    finally:
        await engine.dispose()

    payload = response.json()
    assert payload["data"] == {"answer": 42}
    assert response.headers["x-amzn-trace-id"].endswith(";Sampled=1")
    segment = await daemon.trace(payload["extensions"]["traceId"])
    assert segment["name"] == "answers-api"
    assert segment["annotations"] == {"operation_type": "query"}
    (execute,) = named(segment, "graphql.execute")
    (answer,) = named(execute, "Query.answer")
    assert answer["metadata"]["graphql"] == {"path": "answer", "arguments": {"factor": 7}}
    (statement,) = answer["subsegments"]
    assert statement["name"] == "sqlite@localhost"
    assert statement["namespace"] == "remote"
    assert statement["sql"]["database_type"] == "SQLite"
    assert statement["sql"]["driver_version"].startswith("aiosqlite ")
    assert statement["sql"]["sanitized_query"] == "SELECT 6 * ?"
    assert len(list(descendants(segment))) == 5  # parse, validate, execute, resolver, statement
