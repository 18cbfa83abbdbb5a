"""Who called whom in one trace: services linked by parent ids across segments, as X-Ray links them.

A segment whose ``parent_id`` names a subsegment of another segment was called by that
segment's service (a Node client calling board-api with a trace header, board-api calling a
worker); a segment with no parent, or whose parent never arrived, was called by the client. A
remote or AWS subsegment that no segment continues is a call to a service that sends no
segments of its own (a database, an AWS API): X-Ray infers a node for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tracing.wire import Document, Trace, descendants

Node = tuple[str, str]  # (name, type), as GetServiceGraph names a service
CLIENT: Node = ("client", "client")
SERVICE_TYPE = "service"


@dataclass(frozen=True)
class Call:
    source: Node
    target: Node
    entity: Document
    """What the edge's statistics are read from: the callee's segment, or the inferred call."""
    inferred: bool


def service_node(segment: Document) -> Node:
    return segment["name"], str(segment.get("origin") or SERVICE_TYPE)


def inferred_node(entity: Document) -> Node:
    if "sql" in entity:
        return entity["name"], "Database::SQL"
    if entity.get("namespace") == "aws":
        return entity["name"], f"AWS::{entity['name']}"
    return entity["name"], "remote"


def is_remote(entity: Document) -> bool:
    return entity.get("namespace") in ("remote", "aws")


def owners(trace: Trace) -> dict[str, Document]:
    """Every subsegment id of the trace mapped to the segment that holds it."""
    return {sub["id"]: segment for segment in trace.segments for sub in descendants(segment)}


def calls(trace: Trace) -> Iterator[Call]:
    owner_of = owners(trace)
    continued = {segment.get("parent_id") for segment in trace.segments}
    for segment in trace.segments:
        caller = owner_of.get(segment.get("parent_id", ""))
        source = service_node(caller) if caller is not None else CLIENT
        yield Call(source, service_node(segment), segment, inferred=False)
        for sub in descendants(segment):
            if is_remote(sub) and sub["id"] not in continued:
                yield Call(service_node(segment), inferred_node(sub), sub, inferred=True)


def children(trace: Trace) -> dict[str, list[Document]]:
    """Each entity's children across segments: its subsegments, then the segments it called."""
    found: dict[str, list[Document]] = {}
    for entity in trace.entities():
        found[entity["id"]] = list(entity.get("subsegments", ()))
    for segment in trace.segments:
        parent = segment.get("parent_id")
        if parent in found:
            found[parent].append(segment)
    return found


def entry_segments(trace: Trace) -> list[Document]:
    """Segments no other entity of the trace called: where the trace's requests came in."""
    known = {entity["id"] for entity in trace.entities()}
    return [segment for segment in trace.segments if segment.get("parent_id") not in known]


def duration(entity: Document) -> float:
    start = float(entity.get("start_time") or 0.0)
    return float(entity.get("end_time") or start) - start
