"""Traces across services in X-Ray's segment-document format, linked by parent ids the way
X-Ray SDKs link them: a caller's remote subsegment is the parent of the callee's segment."""

from __future__ import annotations

import os
import time
from typing import Any

from tests.support.documents import sql, streamed, subsegment

Document = dict[str, Any]
START = time.time() - 5


def service_segment(name: str, trace: str, start: float, seconds: float, **fields: Any) -> Document:
    return {
        "trace_id": trace,
        "id": os.urandom(8).hex(),
        "name": name,
        "start_time": start,
        "end_time": start + seconds,
        **fields,
    }


def remote_call(name: str, start: float, seconds: float, **fields: Any) -> Document:
    return subsegment(name, start, seconds, namespace="remote", **fields)


def cause(kind: str, message: str) -> dict[str, Any]:
    return {"working_directory": ".", "exceptions": [{"id": "1", "type": kind, "message": message}]}


def failing_chain(trace: str) -> tuple[list[Document], Document]:
    """nodeclient -> board-api (a resolver faults; SQL streamed apart) -> worker (fine)."""
    posts = subsegment(
        "Query.posts",
        START + 0.02,
        0.2,
        fault=True,
        cause=cause("ChaosError", "Query.posts failed on purpose"),
        annotations={"step": "handler"},
    )
    database = sql(START + 0.03, 0.01)
    worker_call = remote_call("worker.internal", START + 0.25, 0.1)
    api_call = remote_call("board.test", START + 0.01, 0.5, fault=True)
    client = service_segment(
        "nodeclient",
        trace,
        START,
        0.55,
        fault=True,
        annotations={"myKey": "x"},
        subsegments=[api_call],
    )
    api = service_segment(
        "board-api",
        trace,
        START + 0.015,
        0.45,
        parent_id=api_call["id"],
        fault=True,
        annotations={"myKey": "api", "operation_name": "Feed", "operation_type": "query"},
        http={
            "request": {"method": "POST", "url": "http://board.test/graphql"},
            "response": {"status": 200},
        },
        subsegments=[posts, worker_call],
    )
    worker = service_segment(
        "worker",
        trace,
        START + 0.26,
        0.08,
        parent_id=worker_call["id"],
        annotations={"myKey": "worker"},
        metadata={"default": {"greeting": "ünïcødé"}},
    )
    return [client, api, worker], streamed(database, posts, trace)


def erroring_chain(trace: str) -> list[Document]:
    """nodeclient -> board-api -> worker, where the worker refuses the input: an error."""
    step = subsegment(
        "Worker.validate", START + 1.3, 0.01, error=True, cause=cause("ValueError", "bad id")
    )
    worker_call = remote_call("worker.internal", START + 1.2, 0.2, error=True)
    api_call = remote_call("board.test", START + 1.01, 0.5, error=True)
    return [
        service_segment("nodeclient", trace, START + 1, 0.6, error=True, subsegments=[api_call]),
        service_segment(
            "board-api",
            trace,
            START + 1.02,
            0.45,
            parent_id=api_call["id"],
            error=True,
            subsegments=[worker_call],
        ),
        service_segment(
            "worker",
            trace,
            START + 1.25,
            0.1,
            parent_id=worker_call["id"],
            error=True,
            subsegments=[step],
        ),
    ]
