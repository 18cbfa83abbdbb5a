"""The GraphQL schema, with the extensions every deployment needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, cast

import strawberry
from graphql import GraphQLError, GraphQLField, GraphQLObjectType
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.resolvers import is_default_resolver
from strawberry.types import ExecutionContext
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

from graph.cost import CostObserver, QueryLimiter, QueryLimits
from graph.documents import CachedDocuments, DocumentCache
from graph.errors import CodedErrors, log_errors
from graph.mutation import Mutation
from graph.query import Query

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]
STRAWBERRY_DEFINITION = "strawberry-definition"
PLAIN_SCALARS: tuple[object, ...] = (int, str, bool, strawberry.ID)
Resolver = Callable[..., Any]


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
    Parsed and validated documents are cached per schema; the limits are still measured on
    every request, and the tracing steps still show the (now short) parse and validate.
    """
    # Factories, not instances: Strawberry makes one extension per operation from each.
    limiter = partial(QueryLimiter, limits or QueryLimits(), observe_cost)
    guards: list[Any] = [] if introspection else [DisableIntrospection]
    documents = partial(CachedDocuments, DocumentCache())
    all_extensions: list[Any] = [*extensions, limiter, *guards, CodedErrors, documents]
    schema = BoardSchema(query=Query, mutation=Mutation, extensions=all_extensions)
    read_plain_fields_directly(schema)
    call_resolvers_directly(schema)
    return schema


def read_plain_fields_directly(schema: strawberry.Schema) -> None:
    """Plain fields (no resolver, no field extension) read their attribute in one call.

    Strawberry's resolver for them calls ``get_result`` and then the configured default
    resolver: two calls more for each of the ~800 plain fields of the feed. The replacement is
    still marked default, so ``wrap_custom_resolvers`` leaves it alone.
    """
    for field in _object_fields(schema):
        definition = field.extensions.get(STRAWBERRY_DEFINITION)
        if (
            isinstance(definition, StrawberryField)
            and definition.is_basic_field
            and field.resolve is not None
            and is_default_resolver(field.resolve)
        ):
            field.resolve = _attribute_reader(definition.python_name)


def _attribute_reader(name: str) -> Resolver:
    def read_attribute(source: Any, info: Any, **_: Any) -> Any:
        return getattr(source, name)

    read_attribute._is_default = True  # type: ignore[attr-defined]
    return read_attribute


def call_resolvers_directly(schema: strawberry.Schema) -> None:
    """Resolvers of our own whose arguments are plain scalars are called in one step.

    Strawberry reaches them through six calls (its Info, argument conversion, a chain of field
    extensions, which we have none of); the feed has ~260 of them. What it would convert is
    already right here: scalar arguments arrive coerced, only their names change.
    """
    info_class = schema.config.info_class
    for field in _object_fields(schema):
        definition = field.extensions.get(STRAWBERRY_DEFINITION)
        if isinstance(definition, StrawberryField) and _plainly_called(definition):
            names = dict(
                zip(field.args, (arg.python_name for arg in definition.arguments), strict=True)
            )
            field.resolve = _direct_call(definition, names, info_class)


def _plainly_called(definition: StrawberryField) -> bool:
    resolver = definition.base_resolver
    return (
        resolver is not None
        and not definition.extensions
        and resolver.self_parameter is not None
        and resolver.root_parameter is None
        and resolver.parent_parameter is None
        and all(_is_plain_scalar(argument.type) for argument in definition.arguments)
    )


def _is_plain_scalar(annotation: object) -> bool:
    if isinstance(annotation, StrawberryOptional):
        annotation = annotation.of_type
    return annotation in PLAIN_SCALARS


def _direct_call(definition: StrawberryField, names: dict[str, str], info_class: Any) -> Resolver:
    resolver = definition.base_resolver
    assert resolver is not None
    function = cast(Callable[..., Any], resolver.wrapped_func)  # a method: self is checked
    info_parameter = resolver.info_parameter
    info_name = info_parameter.name if info_parameter is not None else None

    def call_directly(source: Any, info: Any, **arguments: Any) -> Any:
        kwargs = {names[name]: value for name, value in arguments.items()}
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return function(source, **kwargs)

    return call_directly


def _object_fields(schema: strawberry.Schema) -> Iterator[GraphQLField]:
    """Every field of the schema's own object types (introspection types left out)."""
    for graphql_type in schema._schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            yield from graphql_type.fields.values()
