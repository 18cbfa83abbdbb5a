"""What X-Ray's GetTraceSummaries says about a trace, plus what filter expressions look at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracing.wire import Document, Trace
from xray_local.annotations import Annotated, AnnotationValue, indexed
from xray_local.calls import calls
from xray_local.root_causes import (
    RootCause,
    as_fault_or_error,
    as_response_time,
    response_time_root_cause,
    root_causes,
)


@dataclass(frozen=True)
class Facts:
    """One trace (or one service's part of it) reduced to what filters and summaries need."""

    trace_id: str
    start: float
    duration: float
    response_time: float
    error: bool
    fault: bool
    throttle: bool
    http: dict[str, Any]
    annotations: dict[str, list[Annotated]]
    users: list[str]
    services: list[str]
    segment_names: list[str] = field(default_factory=list)
    trace: Trace | None = field(default=None, repr=False, compare=False)
    fault_causes: list[RootCause] = field(default_factory=list)
    error_causes: list[RootCause] = field(default_factory=list)
    slowest: RootCause | None = None

    def annotation(self, key: str) -> AnnotationValue | None:
        """The first value of ``key``: the one the entry service set, when it set one."""
        values = self.annotations.get(key)
        return values[0].value if values else None


def facts_of(trace: Trace) -> Facts | None:
    root = trace.root
    if root is None:
        return None
    services = sorted({call.target[0] for call in calls(trace)})
    return part_facts(trace, trace.segments, root, services=services, root_causes_too=True)


def part_facts(
    trace: Trace,
    segments: Sequence[Document],
    root: Document,
    *,
    services: list[str],
    root_causes_too: bool = False,
) -> Facts:
    """Facts of ``segments`` (the whole trace, one service's segments, or one call)."""
    entities = [entity for segment in segments for entity in _tree(segment)]
    root_start = float(root["start_time"])
    start = min(float(entity.get("start_time") or root_start) for entity in entities)
    end = max(
        float(entity.get("end_time") or entity.get("start_time") or start) for entity in entities
    )
    request = root.get("http", {}).get("request", {})
    response = root.get("http", {}).get("response", {})
    return Facts(
        trace_id=trace.trace_id,
        start=start,
        duration=end - start,
        response_time=float(root.get("end_time") or end) - root_start,
        error=any(segment.get("error") for segment in segments),
        fault=any(segment.get("fault") for segment in segments),
        throttle=any(segment.get("throttle") for segment in segments),
        http={
            "url": request.get("url", ""),
            "method": request.get("method", ""),
            "status": response.get("status"),
            "user_agent": request.get("user_agent", ""),
            "client_ip": request.get("client_ip", ""),
        },
        annotations=indexed(segments),
        users=sorted({segment["user"] for segment in segments if segment.get("user")}),
        services=services,
        segment_names=[segment["name"] for segment in segments],
        trace=trace,
        fault_causes=root_causes(trace, "fault") if root_causes_too else [],
        error_causes=root_causes(trace, "error") if root_causes_too else [],
        slowest=response_time_root_cause(trace) if root_causes_too else None,
    )


def _tree(entity: Document) -> list[Document]:
    return [entity, *(e for sub in entity.get("subsegments", ()) for e in _tree(sub))]


def summary_of(facts: Facts) -> dict[str, Any]:
    """A TraceSummary in the shape of botocore's xray service model."""
    summary: dict[str, Any] = {
        "Id": facts.trace_id,
        "StartTime": facts.start,
        "Duration": round(facts.duration, 6),
        "ResponseTime": round(facts.response_time, 6),
        "HasFault": facts.fault,
        "HasError": facts.error,
        "HasThrottle": facts.throttle,
        "IsPartial": False,
        "Http": {
            "HttpURL": facts.http["url"],
            "HttpMethod": facts.http["method"],
            "UserAgent": facts.http["user_agent"],
            "ClientIp": facts.http["client_ip"],
        },
        "Annotations": {
            key: [
                {
                    "AnnotationValue": _annotation_value(annotated.value),
                    "ServiceIds": [_service_id(name) for name in annotated.services],
                }
                for annotated in values
            ]
            for key, values in facts.annotations.items()
        },
        "Users": [
            {"UserName": user, "ServiceIds": [_service_id(n) for n in _users_services(facts, user)]}
            for user in facts.users
        ],
        "ServiceIds": [_service_id(name) for name in facts.services],
        "FaultRootCauses": [as_fault_or_error(cause) for cause in facts.fault_causes],
        "ErrorRootCauses": [as_fault_or_error(cause) for cause in facts.error_causes],
        "ResponseTimeRootCauses": (
            [as_response_time(facts.slowest, facts.response_time)] if facts.slowest else []
        ),
    }
    if facts.http["status"] is not None:
        summary["Http"]["HttpStatus"] = facts.http["status"]
    if facts.segment_names:
        summary["EntryPoint"] = {"Name": facts.segment_names[0], "Names": [facts.segment_names[0]]}
    return summary


def _service_id(name: str) -> dict[str, Any]:
    return {"Name": name, "Names": [name]}


def _users_services(facts: Facts, user: str) -> list[str]:
    segments = facts.trace.segments if facts.trace else []
    return sorted({segment["name"] for segment in segments if segment.get("user") == user})


def _annotation_value(value: AnnotationValue) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, int | float):
        return {"NumberValue": value}
    return {"StringValue": str(value)}
