"""Annotating the current request's segment from code that knows nothing about tracing.

The composition root hands a layer such as the GraphQL schema a plain callback made here; the
callback finds the request's trace through tracing's own context, so neither side imports the
other. Outside a traced request (sampled out, or tracing off) the callback does nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from tracing.request_trace import current_scope

AnnotationValue = str | int | float | bool


def request_annotator(key: str) -> Callable[[AnnotationValue], None]:
    """A callback that puts ``key`` = value on the segment of the request it runs in."""

    def annotate(value: AnnotationValue) -> None:
        scope = current_scope.get()
        if scope is not None:
            scope.trace.segment.put_annotation(key, value)

    return annotate
