"""GetServiceGraph: the client, each service, and the databases and remote services they call.

Edges follow parent links across segments (``xray_local.calls``): a service that calls another
traced service gets an edge to it, with the callee's segments as its statistics. A database node
is inferred from subsegments with ``namespace: remote`` and an ``sql`` block, as X-Ray does;
other remote and AWS subsegments that no segment continues become nodes of their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracing.wire import Document, Trace
from xray_local.calls import CLIENT, Node, calls, duration


@dataclass
class EdgeStats:
    total: int = 0
    errors: int = 0
    faults: int = 0
    throttles: int = 0
    response_time: float = 0.0
    histogram: Counter[float] = field(default_factory=Counter)

    def add(self, entity: Document) -> None:
        seconds = duration(entity)
        self.total += 1
        # A throttle is an error too (429); a request both errored and faulted counts as a fault.
        fault = bool(entity.get("fault"))
        self.faults += fault
        self.errors += bool(entity.get("error") or entity.get("throttle")) and not fault
        self.throttles += bool(entity.get("throttle")) and not fault
        self.response_time += seconds
        self.histogram[round(seconds, 3)] += 1

    def summary(self) -> dict[str, Any]:
        return {
            "OkCount": self.total - self.errors - self.faults,
            "ErrorStatistics": {
                "ThrottleCount": self.throttles,
                "OtherCount": self.errors - self.throttles,
                "TotalCount": self.errors,
            },
            "FaultStatistics": {"OtherCount": self.faults, "TotalCount": self.faults},
            "TotalCount": self.total,
            "TotalResponseTime": round(self.response_time, 6),
        }

    def histogram_entries(self) -> list[dict[str, float]]:
        return [{"Value": value, "Count": count} for value, count in sorted(self.histogram.items())]


def service_graph(traces: Iterable[Trace], start: float, end: float) -> dict[str, Any]:
    edges: dict[tuple[Node, Node], EdgeStats] = {}
    nodes: dict[Node, EdgeStats] = {}
    for trace in traces:
        for call in calls(trace):
            nodes.setdefault(call.source, EdgeStats())
            nodes.setdefault(call.target, EdgeStats()).add(call.entity)
            edges.setdefault((call.source, call.target), EdgeStats()).add(call.entity)
    ids = {node: index for index, node in enumerate(nodes)}
    return {
        "StartTime": start,
        "EndTime": end,
        "Services": [
            _service(node, stats, ids, edges, start, end) for node, stats in nodes.items()
        ],
        "ContainsOldGroupVersions": False,
    }


def _service(
    node: Node,
    stats: EdgeStats,
    ids: dict[Node, int],
    edges: dict[tuple[Node, Node], EdgeStats],
    start: float,
    end: float,
) -> dict[str, Any]:
    name, kind = node
    service: dict[str, Any] = {
        "ReferenceId": ids[node],
        "Name": name,
        "Names": [name],
        "Type": kind,
        "Root": node == CLIENT,
        "State": "active",
        "StartTime": start,
        "EndTime": end,
        "Edges": [
            {
                "ReferenceId": ids[target],
                "StartTime": start,
                "EndTime": end,
                "SummaryStatistics": edge.summary(),
                "ResponseTimeHistogram": edge.histogram_entries(),
                "Aliases": [],
                "EdgeType": "STANDARD",
            }
            for (source, target), edge in edges.items()
            if source == node
        ],
    }
    if node != CLIENT:
        service["SummaryStatistics"] = stats.summary()
        service["ResponseTimeHistogram"] = stats.histogram_entries()
        service["DurationHistogram"] = stats.histogram_entries()
    return service
