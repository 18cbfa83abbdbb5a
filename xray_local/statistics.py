"""GetTimeSeriesServiceStatistics: a service's (or an edge's) counts and latency per period.

The entity is chosen as X-Ray's ``EntitySelectorExpression`` does: ``service("board-api")``
for what a service answered, ``edge("client", "board-api")`` for the calls along one edge;
without one, every call into every service counts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tracing.wire import Trace
from xray_local.calls import Call, calls
from xray_local.service_graph import EdgeStats

DEFAULT_PERIOD = 60
_SELECTOR = re.compile(r'^\s*(service|edge)\s*\(\s*"([^"]*)"\s*(?:,\s*"([^"]*)"\s*)?\)\s*$')


class SelectorError(ValueError):
    """An entity selector this daemon does not understand; the message shows the forms it does."""


@dataclass(frozen=True)
class Selector:
    kind: str  # "service", "edge" or "all"
    source: str = ""
    target: str = ""

    def picks(self, call: Call) -> bool:
        if self.kind == "service":
            return call.target[0] == self.target
        if self.kind == "edge":
            return (call.source[0], call.target[0]) == (self.source, self.target)
        return True


def parse_selector(expression: str | None) -> Selector:
    if not expression or not expression.strip():
        return Selector("all")
    match = _SELECTOR.match(expression)
    if match is None or (match[1] == "edge") != (match[3] is not None):
        raise SelectorError(
            'EntitySelectorExpression must be service("name") or edge("from", "to")'
        )
    if match[1] == "service":
        return Selector("service", target=match[2])
    return Selector("edge", source=match[2], target=match[3])


def time_series(
    traces: Iterable[Trace], selector: Selector, start: float, end: float, period: int
) -> list[dict[str, Any]]:
    buckets: dict[int, EdgeStats] = {}
    for trace in traces:
        for call in calls(trace):
            when = float(call.entity.get("start_time") or 0.0)
            if selector.picks(call) and start <= when <= end:
                slot = math.floor((when - start) / period)
                buckets.setdefault(slot, EdgeStats()).add(call.entity)
    statistics_key = (
        "EdgeSummaryStatistics" if selector.kind == "edge" else "ServiceSummaryStatistics"
    )
    return [
        {
            "Timestamp": start + slot * period,
            statistics_key: stats.summary(),
            "ResponseTimeHistogram": stats.histogram_entries(),
        }
        for slot, stats in sorted(buckets.items())
    ]
