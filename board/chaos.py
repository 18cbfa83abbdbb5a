"""Fault injection for demonstrations: random resolvers fail or slow down.

The seed tutorial's chaos middleware failed whole requests before any work was done; failing a
single resolver shows the partial failure GraphQL really has: the rest of the response arrives,
one field is null with an error, and the trace marks exactly that resolver. Only queries are
touched, never mutations. Off by default, and refused when ``BOARD_ENV=production``.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo, OperationType

from graph.errors import BoardError
from graph.schema import Resolver, ResolverWrapper

ResolveInfo = GraphQLResolveInfo[Any]


class ChaosError(BoardError):
    """An injected failure, shown as it is rather than masked as INTERNAL_SERVER_ERROR.

    Masking hides internals, and an injected failure has none; what a demonstration's audience
    (or whoever left the switch on) needs is to tell it from a real bug, and which switch to
    turn off. In the trace it still counts as a fault, like the outage it stands for.
    """

    code = "CHAOS_INJECTED"


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


def chaotic(chaos: Chaos) -> ResolverWrapper:
    """For ``graph.schema.wrap_custom_resolvers``: each resolver of ours may fail or stall."""

    def wrap(name: str, resolve: Resolver) -> Resolver:
        def chaotic_resolver(root: Any, info: ResolveInfo, **kwargs: Any) -> Any:
            # Writes are left alone: a demonstration should not lose what its user meant to save.
            if info.operation.operation != OperationType.QUERY:
                return resolve(root, info, **kwargs)
            if chaos.fails():
                raise ChaosError(f"{name} failed on purpose (BOARD_CHAOS_ERROR_RATE)")
            delay = chaos.delay_seconds()
            result = resolve(root, info, **kwargs)
            if delay:  # answered at once or not, a resolver of ours may stall
                return _after(delay, result)
            return result

        return chaotic_resolver

    return wrap


async def _after(delay: float, result: Any) -> Any:
    await asyncio.sleep(delay)
    return await result if isawaitable(result) else result
