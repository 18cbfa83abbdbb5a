"""An aws-xray-sdk ``Context`` backed by our ``ContextVar`` scope.

The SDK's patchers (botocore, httpx) ask the recorder for the current entity; through this context
they get the resolver (or batch load) that is running in the calling task.
"""

from __future__ import annotations

from typing import Any

from aws_xray_sdk.core.context import Context

from tracing.request_trace import Scope, current_scope


class ScopeContext(Context):  # type: ignore[misc]
    def put_segment(self, segment: Any) -> None:
        raise NotImplementedError("the tracing middleware begins segments and sets their scope")

    def put_subsegment(self, subsegment: Any) -> None:
        scope = current_scope.get()
        if scope is None:
            self.handle_context_missing()
            return
        scope.entity.add_subsegment(subsegment)
        current_scope.set(
            Scope(trace=scope.trace, entity=subsegment, field=scope.field, parent=scope)
        )

    def end_subsegment(self, end_time: float | None = None) -> bool:
        scope = current_scope.get()
        if scope is None or scope.parent is None:
            return False
        scope.entity.close(end_time)
        current_scope.set(scope.parent)
        return True

    def get_trace_entity(self) -> Any:
        scope = current_scope.get()
        if scope is None:
            return self.handle_context_missing()
        return scope.entity

    def set_trace_entity(self, trace_entity: Any) -> None:
        raise NotImplementedError("the tracing middleware begins segments and sets their scope")

    def clear_trace_entities(self) -> None:
        current_scope.set(None)
