"""The Strawberry extension: operation annotations, the parse/validate/execute steps, and
``extensions.traceId``. Resolvers are traced by ``tracing.resolvers``, wrapped at build time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from tracing.entities import name_annotation
from tracing.graphql_errors import mark_graphql_errors
from tracing.request_trace import RequestTrace, current_scope, current_trace_id
from tracing.wire import OPERATION_NAME, OPERATION_TYPE, STEP_PREFIX


class TraceIdExtension(SchemaExtension):
    """For requests without a trace (sampled out): only ``extensions.traceId``, no hooks."""

    def get_results(self) -> dict[str, Any]:
        trace_id = current_trace_id.get()
        return {"traceId": trace_id} if trace_id else {}


class TracingExtension(TraceIdExtension):
    def __init__(self, *, trace: RequestTrace) -> None:
        self._trace = trace

    def on_operation(self) -> Iterator[None]:
        yield
        self._annotate_operation(self._trace)
        # Extensions listed after this one (error coding, masking) have finished by now.
        result = self.execution_context.result
        errors = (result.errors if result is not None else None) or ()
        mark_graphql_errors(self._trace.segment, errors, self._trace.error_codes)

    def on_parse(self) -> Iterator[None]:
        yield from self._step(STEP_PREFIX + "parse")

    def on_validate(self) -> Iterator[None]:
        yield from self._step(STEP_PREFIX + "validate")

    def on_execute(self) -> Iterator[None]:
        step = self._trace.open_step(STEP_PREFIX + "execute")
        self._trace.enter_execution(step, one_top_level_field=self._one_top_level_field())
        yield
        self._trace.close_step(step)

    def _step(self, name: str) -> Iterator[None]:
        step = self._trace.open_step(name)
        yield
        self._trace.close_step(step)

    def _one_top_level_field(self) -> bool:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        selections = operation.selection_set.selections if operation is not None else ()
        return len(selections) == 1 and isinstance(selections[0], FieldNode)

    def _annotate_operation(self, trace: RequestTrace) -> None:
        context = self.execution_context
        name = context.operation_name
        if name:
            trace.segment.put_annotation(OPERATION_NAME, name_annotation(name))
        if context.graphql_document is not None:
            try:
                kind = context.operation_type.value
            except RuntimeError:  # the named operation is not in the document
                return
            trace.segment.put_annotation(OPERATION_TYPE, kind)


def tracing_extension() -> SchemaExtension:
    """The factory Strawberry calls once per operation, in the request's context."""
    scope = current_scope.get()
    if scope is None:
        return TraceIdExtension()
    return TracingExtension(trace=scope.trace)
