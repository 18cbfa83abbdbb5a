"""Where the running code sits in the current request's trace, kept in context variables.

aws-xray-sdk's own contexts keep one stack per thread or share it between asyncio tasks, which
gives wrong parents under ``asyncio.gather``. A ``ContextVar`` is copied into every task, so each
resolver sees the scope it started in and nothing a sibling task set.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_xray_sdk.core.models.entity import Entity

    from tracing.folding import Fold
    from tracing.request_trace import RequestTrace


@dataclass(slots=True, eq=False)
class Scope:
    """A place in the trace tree that new subsegments and SQL statements attach to."""

    trace: RequestTrace
    entity: Entity
    field: str
    """Who issues statements here: ``Type.field``, ``loader:Name``, or ``""`` for the request."""
    fold: Fold | None = None
    """Set when this resolver instance is summarised instead of traced on its own."""
    parent: Scope | None = None


current_scope: ContextVar[Scope | None] = ContextVar("xray_board_scope", default=None)

# Unsampled requests have no scope but still report their trace id to the client.
current_trace_id: ContextVar[str | None] = ContextVar("xray_board_trace_id", default=None)
