"""The GraphQL schema, with the extensions every deployment needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLObjectType
from strawberry.extensions import SchemaExtension
from strawberry.resolvers import is_default_resolver
from strawberry.types import ExecutionContext

from graph.documents import CachedDocuments, DocumentCache
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
    """The board schema; ``extensions`` (e.g. tracing) run before error coding and masking.

    Parsed and validated documents are cached per schema; the tracing steps still show the
    (now short) parse and validate of every request.
    """
    documents = DocumentCache()
    all_extensions: list[Any] = [*extensions, CodedErrors, partial(CachedDocuments, documents)]
    return BoardSchema(query=Query, mutation=Mutation, extensions=all_extensions)


Resolver = Callable[..., Any]
ResolverWrapper = Callable[[str, Resolver], Resolver]


def wrap_custom_resolvers(schema: strawberry.Schema, wrap: ResolverWrapper) -> None:
    """Replace each resolver of our own with ``wrap("Type.field", resolver)``, once.

    Default attribute fields and introspection keep graphql-core's direct path: instrumenting
    through this seam costs them nothing, unlike an extension ``resolve`` hook, which runs for
    every field of every object.
    """
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_name, field in graphql_type.fields.items():
            if field.resolve is not None and not is_default_resolver(field.resolve):
                field.resolve = wrap(f"{graphql_type.name}.{field_name}", field.resolve)
