"""Query limits checked before any resolver runs: static cost, depth, aliases and tokens.

Without them one request of a few hundred bytes was enough to take the server down (issue 13,
measured on one ``board serve``): ``posts(first:100) → author → posts(first:100)`` three levels
deep returned 11.5 MB after 9.8 s while ``/healthz`` waited behind it; 1,000 aliases of
``posts(first:100)`` ran 1,000 statements and exhausted the pool. The cost counts every field
the operation selects, multiplied by the ``first`` of each enclosing list (capped as execution
caps it), through aliases, fragments, inline fragments and variables, so a refusal happens
before a single statement is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

from graph.pagination import MAX_PAGE

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
PAGE_ARGUMENT = "first"
# graphql-core's own wording when the parser stops at ``max_tokens``.
TOKEN_LIMIT_MESSAGE = "Document contains more than"

CostObserver = Callable[[int], None]


@dataclass(frozen=True)
class QueryLimits:
    """The most one operation may ask for; the defaults admit the README's feed at
    ``posts(first: 100)`` with ``comments(first: 20)`` (cost 11,301, depth 8, no aliases)."""

    max_cost: int = 20_000
    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2_000


@dataclass(frozen=True)
class Measure:
    cost: int
    depth: int
    aliases: int

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.cost + other.cost, max(self.depth, other.depth), self.aliases + other.aliases
        )


NOTHING = Measure(0, 0, 0)


class _Walk:
    """Measures one operation; each fragment is measured once per type, so reuse stays cheap."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
    ) -> None:
        self._schema = schema
        self._variables = variables
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._measured: dict[str, Measure] = {}
        self._visiting: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        root = self._schema.get_root_type(operation.operation)
        if root is None:
            return NOTHING
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self._variables and isinstance(definition.default_value, IntValueNode):
                self._variables = {**self._variables, name: int(definition.default_value.value)}
        return self._selections(operation.selection_set, root)

    def _selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> Measure:
        total = NOTHING
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._schema.get_type(condition.name.value) if condition else parent
                total += self._selections(selection.selection_set, inner or parent)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._spread(selection.name.value)
        return total

    def _spread(self, name: str) -> Measure:
        fragment = self._fragments.get(name)
        if fragment is None or name in self._visiting:  # unknown or cyclic: validation says so
            return NOTHING
        if name not in self._measured:
            self._visiting.add(name)
            condition = self._schema.get_type(fragment.type_condition.name.value)
            found = self._selections(fragment.selection_set, condition) if condition else NOTHING
            self._visiting.discard(name)
            self._measured[name] = found
        return self._measured[name]

    def _field(self, node: FieldNode, parent: GraphQLNamedType) -> Measure:
        aliases = 1 if node.alias else 0
        if node.name.value.startswith("__"):
            # Introspection and __typename are answered from memory: counted, never multiplied.
            return Measure(_count_fields(node), 0, aliases)
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
        if definition is None or node.selection_set is None:
            return Measure(1, 1, aliases)
        inner = self._selections(node.selection_set, get_named_type(definition.type))
        items = self._page_size(node, definition)
        return Measure(1 + items * inner.cost, 1 + inner.depth, aliases + inner.aliases)

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int:
        """How many items a list field with a ``first`` argument can return; 1 otherwise."""
        argument = definition.args.get(PAGE_ARGUMENT)
        if argument is None:
            return 1
        value: Any = argument.default_value
        given = next((a.value for a in node.arguments or () if a.name.value == PAGE_ARGUMENT), None)
        if isinstance(given, IntValueNode):
            value = int(given.value)
        elif isinstance(given, VariableNode):
            value = self._variables.get(given.name.value, value)
        if not isinstance(value, int) or isinstance(value, bool):
            return MAX_PAGE  # unknown until execution: assume the most it can be
        return max(0, min(value, MAX_PAGE))


def _count_fields(node: FieldNode) -> int:
    children = node.selection_set.selections if node.selection_set else ()
    return 1 + sum(_count_fields(child) for child in children if isinstance(child, FieldNode))


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> Measure | None:
    """The cost, depth and aliases of the operation to run; None when there is none to pick."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None
    return _Walk(schema, document, variables or {}).operation(operations[0])


def too_complex(what: str, measured: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"Query {what} {measured} exceeds the limit of {limit}; ask for fewer items or fields",
        extensions={"code": QUERY_TOO_COMPLEX, "measured": measured, "limit": limit},
    )


def limit_errors(found: Measure, limits: QueryLimits) -> Iterator[GraphQLError]:
    if found.depth > limits.max_depth:
        yield too_complex("depth", found.depth, limits.max_depth)
    if found.aliases > limits.max_aliases:
        yield too_complex("aliases", found.aliases, limits.max_aliases)
    if found.cost > limits.max_cost:
        yield too_complex("cost", found.cost, limits.max_cost)


class QueryLimiter(SchemaExtension):
    """Refuses an operation over any limit before it is validated, so nothing executes.

    The measure runs on every request, the document parsed just now or taken from a cache
    (``graph.documents``) whose validation is skipped: the cost depends on the variables, and
    a refusal must not depend on what was asked before. ``observe`` receives every measured
    cost (e.g. to annotate the request's trace); the limits and the observer are policy,
    passed in by whoever builds the schema.
    """

    def __init__(self, limits: QueryLimits, observe: CostObserver | None = None) -> None:
        self._limits = limits
        self._observe = observe

    def on_operation(self) -> Iterator[None]:
        # Set before parsing: the parser stops at the limit, a huge document is never built.
        self.execution_context.parse_options["max_tokens"] = self._limits.max_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or ():
            if isinstance(error, GraphQLSyntaxError) and TOKEN_LIMIT_MESSAGE in error.message:
                error.message = (
                    f"Query tokens exceed the limit of {self._limits.max_tokens}; "
                    "send a shorter document"
                )
                error.extensions = {"code": QUERY_TOO_COMPLEX, "limit": self._limits.max_tokens}

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        found = None
        if document is not None:
            found = measure(
                context.schema._schema, document, context.operation_name, context.variables
            )
        if found is not None:
            if self._observe is not None:
                self._observe(found.cost)
            refusals = list(limit_errors(found, self._limits))
            if refusals:
                # Strawberry validates only while no errors are set: a refusal skips validation.
                context.pre_execution_errors = [*(context.pre_execution_errors or ()), *refusals]
        yield
