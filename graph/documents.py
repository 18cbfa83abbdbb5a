"""Parsed and validated operations kept between requests, in a bounded least-recently-used cache.

Parsing and validating the feed query took about 4 ms of its 24 ms, redone on every request
although clients send the same few operation texts over and over. A document is remembered by
its text (and parse options); it is marked valid once it has passed the very validation rules a
request asks for, so a cached document skips only work whose answer is already known. Invalid
documents are never marked and are validated again each time, so their errors are always fresh.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

DEFAULT_MAX_ENTRIES = 256
# A longer text is parsed each time: it cannot fill memory by being remembered.
CACHED_TEXT_MAX = 16_384


@dataclass(eq=False)
class CachedDocument:
    document: DocumentNode
    valid_under: tuple[Any, ...] | None = None
    """The validation rules the document passed, once it has."""


class DocumentCache:
    """At most ``max_entries`` documents; the least recently used one goes first."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, CachedDocument] = OrderedDict()

    def get(self, key: Hashable) -> CachedDocument | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, document: DocumentNode) -> CachedDocument:
        entry = self._entries[key] = CachedDocument(document)
        self._entries.move_to_end(key)
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return entry

    def __len__(self) -> int:
        return len(self._entries)


class CachedDocuments(SchemaExtension):
    """Fills ``graphql_document`` from the cache before parsing, and skips a validation the
    document already passed under the same rules; everything else runs as without it."""

    def __init__(self, cache: DocumentCache) -> None:
        self._cache = cache
        self._entry: CachedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        key = _key(context.query, context.parse_options)
        if key is None or context.graphql_document is not None:
            yield
            return
        self._entry = self._cache.get(key)
        if self._entry is not None:
            context.graphql_document = self._entry.document
        yield
        if self._entry is None and context.graphql_document is not None:
            self._entry = self._cache.put(key, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self._entry
        if (
            entry is not None
            and context.pre_execution_errors is None
            and entry.valid_under == context.validation_rules
        ):
            context.pre_execution_errors = []  # Strawberry validates only when this is None
        yield
        if entry is not None and context.pre_execution_errors == []:
            entry.valid_under = context.validation_rules


def _key(query: str | None, parse_options: Any) -> Hashable | None:
    if not query or len(query) > CACHED_TEXT_MAX:
        return None
    return query, tuple(sorted(parse_options.items())) if parse_options else ()
