"""Hand-made segment documents for daemon tests, shaped like the ones our tracing sends."""

from __future__ import annotations

import os
import time
from typing import Any


def trace_id() -> str:
    return f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"


def segment(
    trace: str,
    *,
    operation: str | None = "Feed",
    status: int = 200,
    seconds: float = 0.1,
    user: str | None = None,
    start: float | None = None,
    subsegments: list[dict[str, Any]] | None = None,
    **annotations: Any,
) -> dict[str, Any]:
    begin = start if start is not None else time.time() - 1
    notes: dict[str, Any] = dict(annotations)
    if operation:
        notes["operation_name"] = operation
    document: dict[str, Any] = {
        "trace_id": trace,
        "id": os.urandom(8).hex(),
        "name": "board-api",
        "start_time": begin,
        "end_time": begin + seconds,
        "http": {
            "request": {
                "method": "POST",
                "url": "http://board.test/graphql",
                "client_ip": "127.0.0.1",
                "user_agent": "pytest",
            },
            "response": {"status": status, "content_length": 10},
        },
        "annotations": notes,
        "subsegments": subsegments or [],
    }
    if user:
        document["user"] = user
    if 400 <= status < 500:
        document["error"] = True
    if status >= 500:
        document["fault"] = True
    if status == 429:
        document["throttle"] = True
    return document


def subsegment(name: str, start: float, seconds: float, **fields: Any) -> dict[str, Any]:
    return {
        "id": os.urandom(8).hex(),
        "name": name,
        "start_time": start,
        "end_time": start + seconds,
        **fields,
    }


def sql(start: float, seconds: float = 0.002) -> dict[str, Any]:
    return subsegment(
        "postgres@localhost",
        start,
        seconds,
        namespace="remote",
        sql={
            "url": "postgresql://localhost/postgres",
            "database_type": "PostgreSQL",
            "sanitized_query": "SELECT 1",
        },
    )


def streamed(child: dict[str, Any], parent: dict[str, Any], trace: str) -> dict[str, Any]:
    return {**child, "type": "subsegment", "parent_id": parent["id"], "trace_id": trace}
