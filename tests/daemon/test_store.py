"""Retention: traces beyond the age bound or the count bound are dropped, oldest first."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.support.documents import segment, trace_id
from xray_local.store import Received, Retention, TraceStore


def received(trace: str, start: float) -> Received:
    return Received(trace, start, json.dumps(segment(trace, start=start)))


def test_the_count_bound_keeps_the_newest(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "t.sqlite3", Retention(max_age_seconds=3600, max_traces=3))
    now = time.time()
    traces = [trace_id() + str(n) for n in range(5)]
    store.add([received(trace, now - 100 + n) for n, trace in enumerate(traces)])
    assert store.prune() == 2
    kept = [stored.trace_id for stored in store.traces_between(now - 200, now)]
    assert kept == traces[:1:-1]  # newest first
    assert store.documents(traces[0]) == []


def test_the_age_bound_drops_what_arrived_long_ago(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "t.sqlite3", Retention(max_age_seconds=60, max_traces=100))
    trace = trace_id()
    store.add([received(trace, time.time())])
    assert store.prune(now=time.time() + 30) == 0
    assert store.prune(now=time.time() + 120) == 1
    assert store.documents(trace) == []
