"""The operation a request asks for, read without parsing the GraphQL document.

The sampling decision is made before the request reaches Strawberry; a full parse here would
parse every document twice. The JSON body's ``operationName`` (or the query string's) and a scan
of the document's top level for the operation keyword are enough to match rules; garbage gives
an anonymous query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs

OPERATION_KEYWORDS = frozenset({"query", "mutation", "subscription"})
NAME_MAX = 128
# Only what can hide a keyword or change the nesting: comments and strings are skipped whole,
# `$variable` and `@directive` are single tokens so they are never mistaken for keywords. Inside
# braces or parentheses names do not matter, so a cheaper pattern hops from bracket to bracket.
_SKIPPED = r"""
      \#[^\n\r]*
    | \"\"\"(?:\\\"\"\"|[^"]|"(?!""))*\"\"\"
    | "(?:\\.|[^"\\\n\r])*"
    | [{}()]
"""
_TOP_LEVEL = re.compile(_SKIPPED + r"| [$@]?[_A-Za-z][_0-9A-Za-z]*", re.VERBOSE)
_NESTED = re.compile(_SKIPPED, re.VERBOSE)
_OPENING = frozenset({"{", "("})
_CLOSING = frozenset({"}", ")"})


@dataclass(frozen=True)
class Operation:
    name: str | None
    type: str


ANONYMOUS_QUERY = Operation(None, "query")


def peek_operation(method: str, body: bytes, query_string: bytes) -> Operation:
    """The operation of a GraphQL-over-HTTP request (JSON body, or the query string for GET)."""
    try:
        fields = _request_fields(method, body, query_string)
    except (ValueError, UnicodeDecodeError):
        return ANONYMOUS_QUERY
    name = fields.get("operationName")
    wanted = name[:NAME_MAX] if isinstance(name, str) and name else None
    document = fields.get("query")
    if not isinstance(document, str):  # e.g. a persisted query sent by its hash
        return Operation(wanted, "query")
    return operation_in(document, wanted)


def operation_in(document: str, wanted: str | None) -> Operation:
    """The ``wanted`` operation of the document, else its first; the type defaults to query."""
    for kind, name in _top_level_operations(document):
        if wanted is None or name == wanted:
            return Operation(name, kind)
    return Operation(wanted, "query")


def _top_level_operations(document: str) -> Iterator[tuple[str, str | None]]:
    depth = 0
    keyword: str | None = None  # a top-level keyword waiting for its name
    at_definition_start = True
    position = 0
    while match := (_NESTED if depth else _TOP_LEVEL).search(document, position):
        position, token = match.end(), match.group()
        if token[0] == "#":
            continue
        if depth == 0:
            if keyword is not None:
                yield keyword, _name(token)
                keyword = None
            elif at_definition_start and token in OPERATION_KEYWORDS:
                keyword = token
            elif at_definition_start and token == "{":
                yield "query", None  # the `{ … }` shorthand
            at_definition_start = False
        if token in _OPENING:
            depth += 1
        elif token in _CLOSING:
            depth = max(0, depth - 1)
            at_definition_start = depth == 0 and token == "}"
    if keyword is not None:
        yield keyword, None


def _name(token: str) -> str | None:
    if token[0] in '{}()"$@':
        return None
    return token[:NAME_MAX]


def _request_fields(method: str, body: bytes, query_string: bytes) -> dict[str, object]:
    if method == "GET":
        parsed = parse_qs(query_string.decode())
        return {key: values[0] for key, values in parsed.items()}
    fields = json.loads(body)
    return fields if isinstance(fields, dict) else {}
