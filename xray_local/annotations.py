"""Every annotation of a trace, from every segment and subsegment, each value with its services.

X-Ray indexes annotations wherever they were set and keeps every value: in a trace where service
A sets ``myKey = "x"`` and its downstream B sets ``myKey = "worker"``, both
``annotation.myKey = "x"`` and ``annotation.myKey = "worker"`` find it, and the summary lists
both values, each with the services that set it. A single ``dict.update`` over segments kept
only the last value and never looked at subsegments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tracing.wire import Document, descendants

AnnotationValue = str | float | bool


@dataclass
class Annotated:
    value: AnnotationValue
    services: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """Where one annotation was set: the service (segment) and the entity within it."""

    service: str
    entity: str
    key: str
    value: AnnotationValue


def sources(segments: Iterable[Document]) -> list[Source]:
    """Every annotation in the order a reader meets them: segment first, then its subsegments."""
    found = []
    for segment in segments:
        for entity in (segment, *descendants(segment)):
            for key, value in (entity.get("annotations") or {}).items():
                if isinstance(value, str | int | float | bool):
                    found.append(Source(segment["name"], entity["name"], key, value))
    return found


def indexed(segments: Iterable[Document]) -> dict[str, list[Annotated]]:
    """Per key, each distinct value once, with the services that set it."""
    by_key: dict[str, list[Annotated]] = {}
    for source in sources(segments):
        values = by_key.setdefault(source.key, [])
        match = next((a for a in values if _same(a.value, source.value)), None)
        if match is None:
            match = Annotated(source.value)
            values.append(match)
        if source.service not in match.services:
            match.services.append(source.service)
    return by_key


def _same(left: AnnotationValue, right: AnnotationValue) -> bool:
    return isinstance(left, bool) == isinstance(right, bool) and left == right
