"""Stored traces as assembled trees and facts, cached until a new document for them arrives."""

from __future__ import annotations

import threading

from tracing.wire import Trace, assemble
from xray_local.store import StoredTrace, TraceStore
from xray_local.summary import Facts, facts_of

CACHE_MAX = 20_000


class TraceIndex:
    def __init__(self, store: TraceStore) -> None:
        self.store = store
        self._cache: dict[str, tuple[int, Trace, Facts | None]] = {}
        self._lock = threading.Lock()

    def between(self, start: float, end: float) -> list[tuple[Trace, Facts]]:
        """Traces that started in the window, newest first, with their facts."""
        found = []
        for stored in self.store.traces_between(start, end):
            trace, facts = self._load(stored)
            if facts is not None:
                found.append((trace, facts))
        return found

    def get(self, trace_id: str) -> Trace | None:
        documents = self.store.documents(trace_id)
        return assemble(trace_id, documents) if documents else None

    def _load(self, stored: StoredTrace) -> tuple[Trace, Facts | None]:
        with self._lock:
            cached = self._cache.get(stored.trace_id)
        if cached is not None and cached[0] == stored.documents:
            return cached[1], cached[2]
        trace = assemble(stored.trace_id, self.store.documents(stored.trace_id))
        facts = facts_of(trace)
        with self._lock:
            if len(self._cache) >= CACHE_MAX:
                self._cache.clear()
            self._cache[stored.trace_id] = (stored.documents, trace, facts)
        return trace, facts
