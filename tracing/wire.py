"""The wire format between the tracing library and whatever receives its traces.

Everything both sides must agree on lives here and nowhere else: the X-Ray daemon protocol's
datagram header and size bound, the segment document type, the subsegment name prefixes and
annotation keys a reader groups by, and the one function that puts streamed subsegments back
under their parents. ``xray_local`` (the local daemon), ``bench`` and the tests import it; it
imports nothing but the standard library, so a receiver does not load the instrumentation.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

HEADER = b'{"format":"json","version":1}'
"""The daemon protocol's first line; a newline and one JSON document follow it."""
DATAGRAM_PREFIX = HEADER + b"\n"
DATAGRAM_MAX = 64 * 1024
"""One document per UDP datagram, header included (X-Ray's segment document limit)."""

Document = dict[str, Any]
"""A segment or subsegment document as X-Ray defines it, decoded from JSON."""

# Subsegment names that are not resolvers, by their prefix.
STEP_PREFIX = "graphql."
"""``graphql.parse``, ``graphql.validate``, ``graphql.execute``: the operation's steps."""
FOLDED_PREFIX = "folded:"
"""``folded:Type.field``: the summary of a field's instances past the per-field cap."""
LOADER_PREFIX = "loader:"
"""``loader:Name``: one DataLoader batch."""
NOT_RESOLVER_PREFIXES = (STEP_PREFIX, FOLDED_PREFIX, LOADER_PREFIX)

# Annotation keys on the request's segment.
OPERATION_NAME = "operation_name"
OPERATION_TYPE = "operation_type"
USERNAME = "username"
N_PLUS_ONE = "n_plus_one"
N_PLUS_ONE_FIELD = "n_plus_one_field"
GRAPHQL_ERRORS = "graphql_errors"
"""How many errors the response listed."""
GRAPHQL_ERROR_CODES = "graphql_error_codes"
"""Their distinct ``extensions.code`` values, comma-separated."""

XRAY_ANNOTATIONS_ATTRIBUTE = "aws.xray.annotations"
"""The OpenTelemetry span attribute listing the attribute keys X-Ray keeps as annotations."""

_XRAY_TRACE_ID = re.compile(r"1-([0-9a-f]{8})-([0-9a-f]{24})")
_W3C_TRACE_ID = re.compile(r"[0-9a-f]{32}")


def w3c_trace_id(xray_id: str) -> str:
    """``1-5f8d1a2b-0123456789abcdef01234567`` → ``5f8d1a2b0123456789abcdef01234567``.

    X-Ray and W3C/OpenTelemetry trace ids are the same 128 bits written two ways (X-Ray's first
    8 hex digits are the epoch seconds the trace began): mapping one onto the other, rather than
    minting a second id, keeps ``X-Amzn-Trace-Id``, ``traceparent`` and OTLP spans one trace, and
    is how X-Ray's own OTLP endpoint reads W3C ids.
    """
    match = _XRAY_TRACE_ID.fullmatch(xray_id)
    if match is None:
        raise ValueError(f"not an X-Ray trace id: {xray_id!r}")
    return match.group(1) + match.group(2)


def xray_trace_id(w3c_id: str) -> str:
    """``5f8d1a2b0123456789abcdef01234567`` → ``1-5f8d1a2b-0123456789abcdef01234567``."""
    if _W3C_TRACE_ID.fullmatch(w3c_id) is None or w3c_id == "0" * 32:
        raise ValueError(f"not a W3C trace id: {w3c_id!r}")
    return f"1-{w3c_id[:8]}-{w3c_id[8:]}"


def is_subsegment(document: Document) -> bool:
    """A streamed subsegment: sent on its own, naming its parent by ``parent_id``."""
    return document.get("type") == "subsegment"


@dataclass
class Trace:
    """One trace's segments with their streamed subsegments put back in place."""

    trace_id: str
    segments: list[Document] = field(default_factory=list)
    orphans: list[Document] = field(default_factory=list)
    """Streamed subsegments whose parent has not arrived (yet)."""

    def entities(self) -> Iterator[Document]:
        for segment in self.segments:
            yield segment
            yield from descendants(segment)

    @property
    def root(self) -> Document | None:
        """The segment that started the trace: no parent, or else the earliest."""
        if not self.segments:
            return None
        roots = [segment for segment in self.segments if "parent_id" not in segment]
        return min(roots or self.segments, key=lambda segment: segment.get("start_time", 0.0))


def assemble(trace_id: str, documents: Iterable[Document]) -> Trace:
    """Rebuild a trace from its documents, which may arrive in any order.

    A streamed subsegment's parent may be a segment, a nested subsegment or another streamed
    subsegment; whatever is still missing its parent stays out of the tree, in ``orphans``.
    The documents given are not changed.
    """
    documents = [copy.deepcopy(document) for document in documents]
    trace = Trace(trace_id)
    streamed: defaultdict[str, list[Document]] = defaultdict(list)
    for document in documents:
        if is_subsegment(document):
            streamed[document["parent_id"]].append(document)
        else:
            trace.segments.append(document)
    trace.segments.sort(key=lambda segment: segment.get("start_time", 0.0))
    pending = [*trace.segments]
    while pending:
        entity = pending.pop()
        children = streamed.pop(entity["id"], [])
        if children:
            entity.setdefault("subsegments", []).extend(children)
        pending.extend(entity.get("subsegments", ()))
    trace.orphans = [orphan for group in streamed.values() for orphan in group]
    return trace


def descendants(entity: Document) -> Iterator[Document]:
    """Every subsegment beneath ``entity``, depth first."""
    for sub in entity.get("subsegments", ()):
        yield sub
        yield from descendants(sub)
