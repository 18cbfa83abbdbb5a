"""Fault injection for demonstrations: a share of requests fail in one resolver; any may slow down.

The seed tutorial's chaos middleware failed whole requests before any work was done; failing a
single resolver shows the partial failure GraphQL really has: the rest of the response arrives,
one field is null with an error, and the trace marks exactly that resolver. The rate is a share
of requests, as a user reads it: drawn per resolver instead, 0.1 failed 97% of feeds (~30
resolvers each). Only queries are touched, never mutations. Off by default, and refused when
``BOARD_ENV=production``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLResolveInfo,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_operation_ast,
    visit,
)
from graphql.language.visitor import SKIP, VisitorAction
from strawberry.extensions import SchemaExtension

from graph.errors import BoardError
from tracing import Resolver

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


@dataclass
class _Target:
    """The field one failing request fails at: its first instance only, once."""

    field: FieldNode
    spent: bool = False


_target: ContextVar[_Target | None] = ContextVar("chaos_target", default=None)


class ChaosInjector:
    """Wraps resolvers (``wrap``) and picks, per request, the one that fails (``extension``)."""

    def __init__(self, chaos: Chaos) -> None:
        self.chaos = chaos
        self._wrapped: set[str] = set()

    def extension(self) -> SchemaExtension:
        return _ChaosExtension(self)

    def wrap(self, name: str, resolve: Resolver) -> Resolver:
        """A ``tracing.ResolverWrapper``: each resolver of ours may fail or stall."""
        self._wrapped.add(name)
        chaos = self.chaos

        def chaotic_resolver(root: Any, info: ResolveInfo, **kwargs: Any) -> Any:
            # Writes are left alone: a demonstration should not lose what its user meant to save.
            if info.operation.operation != OperationType.QUERY:
                return resolve(root, info, **kwargs)
            target = _target.get()
            if target is not None and not target.spent and target.field is info.field_nodes[0]:
                target.spent = True
                raise ChaosError(f"{name} failed on purpose (BOARD_CHAOS_ERROR_RATE)")
            delay = chaos.delay_seconds()
            result = resolve(root, info, **kwargs)
            if delay:  # answered at once or not, a resolver of ours may stall
                return _after(delay, result)
            return result

        return chaotic_resolver

    def pick_target(self, candidates: list[FieldNode]) -> _Target | None:
        if not candidates or not self.chaos.fails():
            return None
        return _Target(self.chaos.rng.choice(candidates))

    def is_wrapped(self, name: str) -> bool:
        return name in self._wrapped


class _ChaosExtension(SchemaExtension):
    def __init__(self, injector: ChaosInjector) -> None:
        self._injector = injector

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        target = None
        if document and operation and operation.operation == OperationType.QUERY:
            schema = context.schema._schema
            fields = _resolved_fields(schema, document, operation, self._injector)
            target = self._injector.pick_target(fields)
        token = _target.set(target)
        try:
            yield
        finally:
            _target.reset(token)


def _resolved_fields(
    schema: Any, document: DocumentNode, operation: OperationDefinitionNode, injector: ChaosInjector
) -> list[FieldNode]:
    """Fields of the operation and of fragments whose resolvers are ours, each node once."""
    fields: list[FieldNode] = []
    type_info = TypeInfo(schema)

    class Collector(Visitor):
        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_: Any
        ) -> VisitorAction:
            return None if node is operation else SKIP

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is not None and injector.is_wrapped(f"{parent.name}.{node.name.value}"):
                fields.append(node)

    visit(document, TypeInfoVisitor(type_info, Collector()))
    return fields


async def _after(delay: float, result: Any) -> Any:
    await asyncio.sleep(delay)
    return await result if isawaitable(result) else result
