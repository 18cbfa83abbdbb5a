"""``loader:<Name>`` subsegments: one per batch load, under the fields that asked for it.

A DataLoader runs its batch function in a task copied from whichever resolver asked first, so
the batch alone would land under that one field. Every ``load`` is noted instead, and the batch
goes under the nearest common traced ancestor of all the fields that asked (``Query.posts`` for
a page of authors).

The app calls the hook from its own loader factory (the board's is ``graph.loaders``); the
hook only needs the loader's name, when a key is asked for, and the batch function to wrap.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tracing.request_trace import current_scope
from tracing.wire import LOADER_PREFIX

Key = TypeVar("Key")
Value = TypeVar("Value")
BatchFn = Callable[[list[Key]], Awaitable[list[Value]]]


class TracedLoaders:
    """The loader hook: ``watching``, then ``requested`` per load and ``batch`` per loader."""

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
