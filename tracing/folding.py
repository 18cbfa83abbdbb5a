"""Summaries of repeated resolver instances, so a trace stays small at any page size.

Past the per-field cap, further instances of a field (and everything beneath them) no longer get
subsegments of their own; one ``folded:Type.field`` subsegment keeps their count, total and
slowest time, and the statements they issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracing.entities import record_exception
from tracing.nodes import Node
from tracing.wire import FOLDED_PREFIX

KEPT_CAUSES = 3


@dataclass(eq=False)
class Fold:
    summary: Node
    count: int = 0
    total: float = 0.0
    slowest: float = 0.0
    statements: int = 0
    statement_time: float = 0.0
    failures: int = 0
    last_end: float = 0.0

    @classmethod
    def named(cls, field: str, segment: Any) -> Fold:
        return cls(Node(FOLDED_PREFIX + field, segment))

    def add_instance(self, start: float, end: float) -> None:
        duration = end - start
        self.count += 1
        self.total += duration
        if duration > self.slowest:
            self.slowest = duration
        if end > self.last_end:
            self.last_end = end

    def add_statement(self, duration: float) -> None:
        self.statements += 1
        self.statement_time += duration

    def add_failure(self, exception: BaseException, *, fault: bool) -> None:
        self.failures += 1
        if self.failures <= KEPT_CAUSES:
            record_exception(self.summary, exception, fault=fault)
        elif fault:
            self.summary.fault = True
        else:
            self.summary.error = True

    def close(self) -> None:
        self.summary.put_metadata(
            "folded",
            {
                "count": self.count,
                "total": round(self.total, 6),
                "max": round(self.slowest, 6),
                "failures": self.failures,
                "sql_count": self.statements,
                "sql_total": round(self.statement_time, 6),
            },
            "graphql",
        )
        self.summary.end_time = max(self.last_end, self.summary.start_time)
