"""The daemon's UDP protocol: a header line, a newline, then one segment document."""

from __future__ import annotations

import json
from typing import Any

from tracing.wire import DATAGRAM_MAX, Document, is_subsegment


class BadDatagram(ValueError):
    """A datagram that is not a segment document; it is counted and dropped."""


def parse_datagram(datagram: bytes) -> Document:
    if len(datagram) > DATAGRAM_MAX:
        raise BadDatagram("oversized")
    header, newline, body = datagram.partition(b"\n")
    if not newline or json_header(header) != {"format": "json", "version": 1}:
        raise BadDatagram("bad header")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadDatagram("not JSON (truncated?)") from error
    return checked_document(document)


def checked_document(document: Any) -> Document:
    """A parsed segment document with the fields storage and assembly rely on."""
    if not isinstance(document, dict):
        raise BadDatagram("not an object")
    for field in ("trace_id", "id", "name"):
        if not isinstance(document.get(field), str):
            raise BadDatagram(f"missing {field}")
    if is_subsegment(document) and not isinstance(document.get("parent_id"), str):
        raise BadDatagram("streamed subsegment without parent_id")
    return document


def json_header(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
