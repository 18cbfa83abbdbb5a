"""Whether a field's selection reaches a resolver of the app's own: only then can a traced field
run beneath one of its instances and need to find that instance's subsegment.

Every traced resolver instance used to be remembered by its path for its descendants to find;
most have none (in the feed, 240 of 261: each ``Comment.author { username }``, each
``Post.commentCount``). Remembering only the instances whose selection can hold a traced field
saved 0.2 of the 4.5 million instructions the feed's resolver tracing cost, and 240 objects a
request that the garbage collector would otherwise have to watch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.resolvers import is_default_resolver


def custom_resolver_fields(
    schema: GraphQLSchema,
) -> Iterator[tuple[str, str, GraphQLField, Callable[..., Any]]]:
    """``(type name, field name, field, resolver)`` of every field with a resolver of the app's
    own: default attribute fields and introspection left out."""
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_name, field in graphql_type.fields.items():
            if field.resolve is not None and not is_default_resolver(field.resolve):
                yield graphql_type.name, field_name, field, field.resolve


def selects_custom_resolvers(info: GraphQLResolveInfo[Any]) -> bool:
    """Whether any field selected beneath the one being resolved, at any depth and through
    fragments, has the name of a field with a resolver of the app's own (on any type: a name
    shared with a default field only makes the answer err towards yes)."""
    names = _custom_resolver_names(info.schema)
    walk = _SelectionWalk(names, info.fragments)
    return any(walk.reaches(node.selection_set) for node in info.field_nodes)


@lru_cache(maxsize=8)  # an app has one schema; tests build a few
def _custom_resolver_names(schema: GraphQLSchema) -> frozenset[str]:
    return frozenset(field_name for _, field_name, _, _ in custom_resolver_fields(schema))


class _SelectionWalk:
    def __init__(self, names: frozenset[str], fragments: Mapping[str, FragmentDefinitionNode]):
        self._names = names
        self._fragments = fragments
        # Each fragment is walked once, however often it is spread.
        self._fragment_reaches: dict[str, bool] = {}

    def reaches(self, selection_set: SelectionSetNode | None) -> bool:
        if selection_set is None:
            return False
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value in self._names or self.reaches(selection.selection_set):
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if self.reaches(selection.selection_set):
                    return True
            elif isinstance(selection, FragmentSpreadNode) and self._fragment(selection.name.value):
                return True
        return False

    def _fragment(self, name: str) -> bool:
        known = self._fragment_reaches.get(name)
        if known is None:
            self._fragment_reaches[name] = False  # a cycle, which validation rejects, ends here
            fragment = self._fragments.get(name)
            known = fragment is not None and self.reaches(fragment.selection_set)
            self._fragment_reaches[name] = known
        return known
