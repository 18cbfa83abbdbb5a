"""``loader:<Name>`` subsegments: one per batch load, under the fields that asked for it.

A DataLoader runs its batch function in a task copied from whichever resolver asked first, so
the batch alone would land under that one field. Every ``load`` is noted instead, and the batch
goes under the nearest common traced ancestor of all the fields that asked (``Query.posts`` for
a page of authors).
"""

from __future__ import annotations

from typing import TypeVar

from graph.loaders import BatchFn
from tracing.scope import current_scope

Key = TypeVar("Key")
Value = TypeVar("Value")

LOADER_PREFIX = "loader:"


class TracedLoaders:
    def watching(self) -> bool:
        """Only requests with a trace: sampled-out ones get plain DataLoaders."""
        return current_scope.get() is not None

    def requested(self, name: str, /) -> None:
        scope = current_scope.get()
        if scope is not None:
            scope.trace.note_load_request(name, scope)

    def batch(self, name: str, load_fn: BatchFn[Key, Value], /) -> BatchFn[Key, Value]:
        async def traced_batch(keys: list[Key]) -> list[Value]:
            scope = current_scope.get()
            if scope is None:
                return await load_fn(keys)
            trace = scope.trace
            requesters = trace.take_load_requests(name)
            batch_scope = trace.open_loader(LOADER_PREFIX + name, requesters, len(keys))
            token = current_scope.set(batch_scope)
            try:
                values = await load_fn(keys)
            except Exception as error:
                trace.close_loader(batch_scope, error)
                raise
            finally:
                current_scope.reset(token)
            trace.close_loader(batch_scope, None)
            return values

        return traced_batch
