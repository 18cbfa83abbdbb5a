"""Root causes as GetTraceSummaries reports them: where a fault, an error or the time went.

A fault (or error) root cause is found by following flagged entities down the call tree, across
segments and through unflagged steps between them, to the deepest flagged ones: a board-api
segment marked ``fault`` because its ``Post.author`` resolver failed has ``Post.author`` as its
root cause, with the resolver's exception. A flagged remote call that no segment continues is
blamed on the inferred service it called (the database). The response-time root cause follows
the slowest child while it holds most of its parent's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracing.wire import Document, Trace
from xray_local.calls import children, duration, entry_segments, inferred_node, is_remote, owners

SPENT_BELOW = 0.5


@dataclass(frozen=True)
class RootCause:
    service: str
    service_type: str
    inferred: bool
    path: list[Document]
    """Entities from the root-cause service's segment (or the inferred call) down to the cause."""
    client_impacting: bool


def root_causes(trace: Trace, flag: str) -> list[RootCause]:
    """Root causes for ``flag`` (``fault`` or ``error``; a throttle counts as an error)."""
    below = children(trace)
    owner_of = owners(trace)
    found: list[RootCause] = []

    def flagged(entity: Document) -> bool:
        return bool(entity.get(flag) or (flag == "error" and entity.get("throttle")))

    def culprits(entity: Document) -> list[Document]:
        """The nearest flagged entities below, through unflagged steps such as graphql.execute."""
        found = []
        for child in below.get(entity["id"], ()):
            found.extend([child] if flagged(child) else culprits(child))
        return found

    def walk(entity: Document, impacting: bool) -> None:
        nearest = culprits(entity)
        if not nearest:
            found.append(_cause(entity, owner_of, below, impacting))
        for child in nearest:
            walk(child, impacting)

    for segment in entry_segments(trace):
        if flagged(segment):
            walk(segment, impacting=True)
    return found


def response_time_root_cause(trace: Trace) -> RootCause | None:
    """Down the slowest child while it holds most of its parent's time: where the time went."""
    entries = entry_segments(trace)
    if not entries:
        return None
    below = children(trace)
    entity = max(entries, key=duration)
    while below.get(entity["id"]):
        slowest = max(below[entity["id"]], key=duration)
        if duration(slowest) < SPENT_BELOW * duration(entity):
            break  # the time was spent here, not in any one child
        entity = slowest
    return _cause(entity, owners(trace), below, client_impacting=True)


def _cause(
    entity: Document,
    owner_of: dict[str, Document],
    below: dict[str, list[Document]],
    client_impacting: bool,
) -> RootCause:
    if is_remote(entity) and not below.get(entity["id"]):
        name, kind = inferred_node(entity)
        return RootCause(name, kind, True, [entity], client_impacting)
    segment = owner_of.get(entity["id"], entity)
    return RootCause(
        segment["name"],
        str(segment.get("origin") or "service"),
        False,
        _path(segment, entity),
        client_impacting,
    )


def _path(segment: Document, target: Document) -> list[Document]:
    def search(entity: Document, trail: list[Document]) -> list[Document] | None:
        trail = [*trail, entity]
        if entity is target:
            return trail
        for sub in entity.get("subsegments", ()):
            hit = search(sub, trail)
            if hit is not None:
                return hit
        return None

    return search(segment, []) or [target]


def exceptions(entity: Document) -> list[dict[str, str]]:
    cause = entity.get("cause")
    if not isinstance(cause, dict):
        return []
    return [
        {"Name": str(e.get("type") or ""), "Message": str(e.get("message") or "")}
        for e in cause.get("exceptions", ())
        if isinstance(e, dict)
    ]


def as_fault_or_error(cause: RootCause) -> dict[str, Any]:
    """A FaultRootCause/ErrorRootCause in botocore's xray shape."""
    path = [
        {"Name": e["name"], "Exceptions": exceptions(e), "Remote": is_remote(e)} for e in cause.path
    ]
    return _shaped(cause, path)


def as_response_time(cause: RootCause, total: float) -> dict[str, Any]:
    path = [
        {
            "Name": e["name"],
            "Coverage": round(duration(e) / total, 4) if total > 0 else 0.0,
            "Remote": is_remote(e),
        }
        for e in cause.path
    ]
    return _shaped(cause, path)


def _shaped(cause: RootCause, entity_path: list[dict[str, Any]]) -> dict[str, Any]:
    service = {
        "Name": cause.service,
        "Names": [cause.service],
        "Type": cause.service_type,
        "EntityPath": entity_path,
        "Inferred": cause.inferred,
    }
    return {"Services": [service], "ClientImpacting": cause.client_impacting}
