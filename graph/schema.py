"""The GraphQL schema, with the extensions every deployment needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from graph.errors import CodedErrors, log_errors
from graph.mutation import Mutation
from graph.query import Query

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


class BoardSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)


def build_schema(extensions: Sequence[ExtensionFactory] = ()) -> strawberry.Schema:
    """The board schema; ``extensions`` (e.g. tracing) run before error coding and masking."""
    all_extensions: list[Any] = [*extensions, CodedErrors]
    return BoardSchema(query=Query, mutation=Mutation, extensions=all_extensions)
