"""Fault injection for demonstrations: random resolvers fail or slow down.

The seed tutorial's chaos middleware failed whole requests before any work was done; failing a
single resolver shows the partial failure GraphQL really has: the rest of the response arrives,
one field is null with an error, and the trace marks exactly that resolver. Only queries are
touched, never mutations. Off by default, and refused when ``BOARD_ENV=production``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo, OperationType
from strawberry.extensions import SchemaExtension
from strawberry.extensions.tracing.utils import should_skip_tracing

ResolveInfo = GraphQLResolveInfo[Any]


class ChaosError(RuntimeError):
    """An injected failure; clients see it masked like any other internal error."""


@dataclass(frozen=True)
class Chaos:
    error_rate: float
    latency_ms: tuple[int, int] | None
    rng: random.Random

    @property
    def enabled(self) -> bool:
        return self.error_rate > 0 or self.latency_ms is not None

    def fails(self) -> bool:
        return self.error_rate > 0 and self.rng.random() < self.error_rate

    def delay_seconds(self) -> float:
        if self.latency_ms is None:
            return 0.0
        low, high = self.latency_ms
        return self.rng.uniform(low, high) / 1000


class ChaosExtension(SchemaExtension):
    """Listed before the tracing extension, so an injected fault lands on a traced resolver."""

    def __init__(self, *, chaos: Chaos) -> None:
        self._chaos = chaos

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: ResolveInfo, *args: Any, **kwargs: Any
    ) -> Any:
        # Writes are left alone: a demonstration should not lose what its user meant to save.
        if info.operation.operation != OperationType.QUERY or should_skip_tracing(_next, info):
            return _next(root, info, *args, **kwargs)
        if self._chaos.fails():
            raise ChaosError(
                f"chaos: injected failure in {info.parent_type.name}.{info.field_name}"
            )
        delay = self._chaos.delay_seconds()
        result = _next(root, info, *args, **kwargs)
        if delay and isawaitable(result):
            return _after(delay, result)
        return result


async def _after(delay: float, result: Awaitable[Any]) -> Any:
    await asyncio.sleep(delay)
    return await result


def chaos_extension(chaos: Chaos) -> Callable[[], SchemaExtension]:
    return partial(ChaosExtension, chaos=chaos)
