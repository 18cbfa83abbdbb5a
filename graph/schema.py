"""The GraphQL schema, with the extensions every deployment needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.types import ExecutionContext

from graph.cost import CostObserver, QueryLimiter, QueryLimits
from graph.errors import CodedErrors, log_errors
from graph.mutation import Mutation
from graph.query import Query

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


class BoardSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)


def build_schema(
    extensions: Sequence[ExtensionFactory] = (),
    *,
    limits: QueryLimits | None = None,
    observe_cost: CostObserver | None = None,
    introspection: bool = True,
) -> strawberry.Schema:
    """The board schema; ``extensions`` (e.g. tracing) run before error coding and masking.

    Query limits always apply (``QueryLimits()`` unless given); ``observe_cost`` sees each
    operation's measured cost; ``introspection=False`` refuses ``__schema``/``__type``.
    """
    # Factories, not instances: Strawberry makes one extension per operation from each.
    limiter = partial(QueryLimiter, limits or QueryLimits(), observe_cost)
    guards: list[Any] = [] if introspection else [DisableIntrospection]
    all_extensions: list[Any] = [*extensions, limiter, *guards, CodedErrors]
    return BoardSchema(query=Query, mutation=Mutation, extensions=all_extensions)
