"""The operation a request asks for, read without parsing the GraphQL document.

The sampling decision is made before the request reaches Strawberry; a full parse here would
parse every document twice. The JSON body's ``operationName`` (or the query string's) and a scan
for the operation keyword are enough to match rules; garbage gives an anonymous query.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

_COMMENT = re.compile(r"#[^\n]*")
_OPERATION = re.compile(r"\b(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
_FIRST_KEYWORD = re.compile(r"\s*(query|mutation|subscription|\{)")
NAME_MAX = 128


@dataclass(frozen=True)
class Operation:
    name: str | None
    type: str


ANONYMOUS_QUERY = Operation(None, "query")


def peek_operation(method: str, body: bytes, query_string: bytes) -> Operation:
    try:
        fields = _request_fields(method, body, query_string)
    except (ValueError, UnicodeDecodeError):
        return ANONYMOUS_QUERY
    document = fields.get("query")
    name = fields.get("operationName")
    if not isinstance(document, str):
        return ANONYMOUS_QUERY
    return _operation_in(document, name if isinstance(name, str) and name else None)


def _request_fields(method: str, body: bytes, query_string: bytes) -> dict[str, object]:
    if method == "GET":
        parsed = parse_qs(query_string.decode())
        return {key: values[0] for key, values in parsed.items()}
    fields = json.loads(body)
    return fields if isinstance(fields, dict) else {}


def _operation_in(document: str, name: str | None) -> Operation:
    text = _COMMENT.sub("", document)
    for kind, found in _OPERATION.findall(text):
        if name is None or found == name:
            return Operation(found[:NAME_MAX], kind)
    first = _FIRST_KEYWORD.match(text)
    kind = first.group(1) if first and first.group(1) != "{" else "query"
    return Operation(name[:NAME_MAX] if name else None, kind)
