"""Rebuilding traces from documents that arrive in any order.

Streamed subsegments name their parent by id; the parent may be a segment, a nested subsegment
or another streamed subsegment, and may arrive later. Whatever is still missing a parent stays
out of the tree (and is reported as such) until its parent arrives.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from xray_local.protocol import Document, is_subsegment


@dataclass
class Trace:
    trace_id: str
    segments: list[Document] = field(default_factory=list)
    orphans: list[Document] = field(default_factory=list)

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
    for sub in entity.get("subsegments", ()):
        yield sub
        yield from descendants(sub)
