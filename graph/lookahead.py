"""What a query asks for below a field, read from its syntax tree without resolving anything.

A list field that knows its children's fields ahead can load their relations in a few batches
before graphql-core descends; the nested resolvers then find their values loaded and answer at
once, with no coroutine, task or future per field (the feed made ~290 tasks and ~400 awaitables
per request before). Looking ahead is only ever an optimisation: whatever this module cannot
read with certainty (a ``@skip``/``@include``, an argument that is neither literal nor a
variable) is reported as unknown, and the resolvers then load lazily as they always could.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
)

from graph.context import Info


class Unknown(Exception):
    """Something below the field cannot be read ahead with certainty."""


@dataclass
class Asked:
    """One field as asked below a node: its arguments and, recursively, what is asked below it.

    A field asked several times (aliases, fragments) with the same arguments is one ``Asked``.
    """

    arguments: dict[str, Any]
    below: Fields = field(default_factory=dict)


Fields = dict[str, list[Asked]]
"""Fields asked below a node, by schema name (not alias)."""


def fields_below(info: Info, *path: str) -> Fields | None:
    """The fields asked below ``path`` (e.g. ``"edges", "node"``) of the resolving field.

    ``None`` when the selection holds anything this module does not read with certainty.
    """
    raw = info._raw_info
    # Strawberry hands resolvers the coerced variables as a plain dict.
    variables: Mapping[str, Any] = cast(Any, raw.variable_values)
    try:
        asked = _collect([node.selection_set for node in raw.field_nodes], raw.fragments, variables)
        for name in path:
            asked = _merged_below(asked.get(name, []))
    except Unknown:
        return None
    return asked


def asks_for(info: Info, *path: str) -> bool:
    """Whether the field at ``path`` below the resolving field is asked for; True when unsure.

    Walks only the selections along ``path`` (it runs once per resolved connection).
    """
    raw = info._raw_info
    selection_sets = [node.selection_set for node in raw.field_nodes]
    try:
        for name in path:
            selection_sets = [
                node.selection_set for node in _fields_named(name, selection_sets, raw.fragments)
            ]
    except Unknown:
        return True
    return bool(selection_sets)


def _fields_named(
    name: str,
    selection_sets: Iterable[SelectionSetNode | None],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Iterator[FieldNode]:
    for selection_set in selection_sets:
        for selection in selection_set.selections if selection_set else ():
            if selection.directives:
                raise Unknown
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from _fields_named(name, [selection.selection_set], fragments)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                yield from _fields_named(name, [fragment.selection_set], fragments)


def _merged_below(fields: list[Asked]) -> Fields:
    merged: Fields = {}
    for asked in fields:
        for name, below in asked.below.items():
            merged.setdefault(name, []).extend(below)
    return merged


def _collect(
    selection_sets: Iterable[SelectionSetNode | None],
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> Fields:
    asked: Fields = {}
    for selection_set in selection_sets:
        for selection in selection_set.selections if selection_set else ():
            if selection.directives:
                raise Unknown
            if isinstance(selection, FieldNode):
                _add(asked, selection, fragments, variables)
            elif isinstance(selection, InlineFragmentNode):
                _merge(asked, _collect([selection.selection_set], fragments, variables))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                _merge(asked, _collect([fragment.selection_set], fragments, variables))
    return asked


def _add(
    asked: Fields,
    node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> None:
    arguments = {
        arg.name.value: _value(arg.value, variables)
        for arg in node.arguments or ()
        # An omitted variable leaves the argument out: the resolver's default applies.
        if not isinstance(arg.value, VariableNode) or arg.value.name.value in variables
    }
    below = _collect([node.selection_set], fragments, variables)
    for same in asked.setdefault(node.name.value, []):
        if same.arguments == arguments:
            _merge(same.below, below)
            return
    asked[node.name.value].append(Asked(arguments, below))


def _merge(into: Fields, other: Fields) -> None:
    for name, fields in other.items():
        for asked in fields:
            for same in into.setdefault(name, []):
                if same.arguments == asked.arguments:
                    _merge(same.below, asked.below)
                    break
            else:
                into[name].append(asked)


def _value(node: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, StringValueNode):
        return node.value
    if isinstance(node, NullValueNode):
        return None
    raise Unknown


def argument(asked: Asked, name: str, default: Any) -> Any:
    """An argument's value as the resolver will receive it: omitted means the default."""
    return asked.arguments.get(name, default)
