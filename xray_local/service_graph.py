"""GetServiceGraph: the client, each service, and the databases and remote services they call.

A database node is inferred from subsegments with ``namespace: remote`` and an ``sql`` block, as
X-Ray does; other remote and AWS subsegments become nodes of their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracing.wire import Document, Trace, descendants

CLIENT = ("client", "client")


@dataclass
class EdgeStats:
    total: int = 0
    errors: int = 0
    faults: int = 0
    throttles: int = 0
    response_time: float = 0.0
    histogram: Counter[float] = field(default_factory=Counter)

    def add(self, entity: Document) -> None:
        duration = float(entity.get("end_time") or entity["start_time"]) - entity["start_time"]
        self.total += 1
        self.errors += bool(entity.get("error"))
        self.faults += bool(entity.get("fault"))
        self.throttles += bool(entity.get("throttle"))
        self.response_time += duration
        self.histogram[round(duration, 3)] += 1

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


Node = tuple[str, str]  # (name, type)


def node_of(entity: Document) -> Node:
    if "sql" in entity:
        return entity["name"], "Database::SQL"
    if entity.get("namespace") == "aws":
        return entity["name"], f"AWS::{entity['name']}"
    return entity["name"], "remote"


def service_graph(traces: Iterable[Trace], start: float, end: float) -> dict[str, Any]:
    edges: dict[tuple[Node, Node], EdgeStats] = {}
    nodes: dict[Node, EdgeStats] = {}
    for trace in traces:
        for segment in trace.segments:
            service = (segment["name"], "service")
            caller = CLIENT if "parent_id" not in segment else None
            if caller is not None:
                edges.setdefault((caller, service), EdgeStats()).add(segment)
                nodes.setdefault(CLIENT, EdgeStats())
            nodes.setdefault(service, EdgeStats()).add(segment)
            for sub in descendants(segment):
                if sub.get("namespace") in ("remote", "aws"):
                    target = node_of(sub)
                    nodes.setdefault(target, EdgeStats()).add(sub)
                    edges.setdefault((service, target), EdgeStats()).add(sub)
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
            }
            for (source, target), edge in edges.items()
            if source == node
        ],
    }
    if node != CLIENT:
        service["SummaryStatistics"] = stats.summary()
        service["ResponseTimeHistogram"] = stats.histogram_entries()
    return service
