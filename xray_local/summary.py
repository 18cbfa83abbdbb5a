"""What X-Ray's GetTraceSummaries says about a trace, plus what filter expressions look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracing.wire import Document, Trace, descendants

AnnotationValue = str | float | bool


@dataclass(frozen=True)
class Facts:
    """One trace reduced to the values filters and summaries need."""

    trace_id: str
    start: float
    duration: float
    response_time: float
    error: bool
    fault: bool
    throttle: bool
    http: dict[str, Any]
    annotations: dict[str, AnnotationValue]
    users: list[str]
    services: list[str]
    segment_names: list[str] = field(default_factory=list)


def facts_of(trace: Trace) -> Facts | None:
    root = trace.root
    if root is None:
        return None
    entities = list(trace.entities())
    root_start = float(root["start_time"])
    start = min(float(entity.get("start_time") or root_start) for entity in entities)
    end = max(
        float(entity.get("end_time") or entity.get("start_time") or start) for entity in entities
    )
    annotations: dict[str, AnnotationValue] = {}
    for segment in trace.segments:
        annotations.update(segment.get("annotations", {}))
    request = root.get("http", {}).get("request", {})
    response = root.get("http", {}).get("response", {})
    return Facts(
        trace_id=trace.trace_id,
        start=start,
        duration=end - start,
        response_time=float(root.get("end_time") or end) - root_start,
        error=any(segment.get("error") for segment in trace.segments),
        fault=any(segment.get("fault") for segment in trace.segments),
        throttle=any(segment.get("throttle") for segment in trace.segments),
        http={
            "url": request.get("url", ""),
            "method": request.get("method", ""),
            "status": response.get("status"),
            "user_agent": request.get("user_agent", ""),
            "client_ip": request.get("client_ip", ""),
        },
        annotations=annotations,
        users=sorted({segment["user"] for segment in trace.segments if segment.get("user")}),
        services=sorted({*(s["name"] for s in trace.segments), *remote_names(trace.segments)}),
        segment_names=[segment["name"] for segment in trace.segments],
    )


def remote_names(segments: list[Document]) -> set[str]:
    return {
        sub["name"]
        for segment in segments
        for sub in descendants(segment)
        if sub.get("namespace") in ("remote", "aws")
    }


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
            key: [{"AnnotationValue": _annotation_value(value)}]
            for key, value in facts.annotations.items()
        },
        "Users": [{"UserName": user} for user in facts.users],
        "ServiceIds": [{"Name": name, "Names": [name]} for name in facts.services],
    }
    if facts.http["status"] is not None:
        summary["Http"]["HttpStatus"] = facts.http["status"]
    if facts.segment_names:
        summary["EntryPoint"] = {"Name": facts.segment_names[0], "Names": [facts.segment_names[0]]}
    return summary


def _annotation_value(value: AnnotationValue) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, int | float):
        return {"NumberValue": value}
    return {"StringValue": str(value)}
