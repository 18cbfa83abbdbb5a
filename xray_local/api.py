"""The X-Ray API subset AWS SDKs call, at X-Ray's paths and in its JSON shapes."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from starlette.routing import Route

from tracing.wire import DATAGRAM_MAX, Trace
from xray_local.filters import FilterError, Predicate, compile_filter
from xray_local.groups import GroupStore
from xray_local.index import TraceIndex
from xray_local.operation import InvalidRequest, operation
from xray_local.protocol import BadDatagram, checked_document
from xray_local.sampling_api import SamplingAuthority
from xray_local.service_graph import service_graph
from xray_local.statistics import DEFAULT_PERIOD, SelectorError, parse_selector, time_series
from xray_local.store import Received
from xray_local.summary import facts_of, summary_of

PAGE_SIZE = 100
DEFAULT_WINDOW = 6 * 3600
PUT_MAX_DOCUMENTS = 50


def api_routes(index: TraceIndex, sampling: SamplingAuthority, groups: GroupStore) -> list[Route]:
    def compiled(expression: Any) -> Predicate:
        if expression is not None and not isinstance(expression, str):
            raise InvalidRequest("FilterExpression must be a string")
        try:
            return compile_filter(expression, groups.expression)
        except FilterError as error:
            raise InvalidRequest(f"Invalid filter expression: {error}") from error

    def group_filter(body: dict[str, Any]) -> Predicate:
        wanted = body.get("GroupARN") or body.get("GroupName")
        if wanted is None:
            return lambda facts: True
        expression = groups.expression(str(wanted))
        if expression is None:
            raise InvalidRequest(f"Group not found: {wanted}")
        return compiled(expression)

    async def traces_in(body: dict[str, Any]) -> tuple[float, float, list[Trace]]:
        start, end = _window(body)
        predicate = group_filter(body)
        found = await asyncio.to_thread(index.between, start, end)
        return start, end, [trace for trace, facts in found if predicate(facts)]

    async def trace_summaries(body: dict[str, Any]) -> dict[str, Any]:
        start, end = _window(body)
        predicate = compiled(body.get("FilterExpression"))
        found = await asyncio.to_thread(index.between, start, end)
        matching = [facts for _, facts in found if predicate(facts)]
        offset = _offset(body.get("NextToken"))
        page = matching[offset : offset + PAGE_SIZE]
        answer: dict[str, Any] = {
            "TraceSummaries": [summary_of(facts) for facts in page],
            "ApproximateTime": time.time(),
            "TracesProcessedCount": len(found),
        }
        if offset + PAGE_SIZE < len(matching):
            answer["NextToken"] = str(offset + PAGE_SIZE)
        return answer

    async def batch_get_traces(body: dict[str, Any]) -> dict[str, Any]:
        traces, missing = [], []
        for trace_id in _trace_ids(body):
            trace = await asyncio.to_thread(index.get, trace_id)
            if trace is None or not trace.segments:
                missing.append(trace_id)
                continue
            facts = facts_of(trace)
            traces.append(
                {
                    "Id": trace_id,
                    "Duration": facts.duration if facts else 0.0,
                    "LimitExceeded": False,
                    "Segments": [
                        {"Id": segment["id"], "Document": json.dumps(segment)}
                        for segment in trace.segments
                    ],
                }
            )
        return {"Traces": traces, "UnprocessedTraceIds": missing}

    async def get_service_graph(body: dict[str, Any]) -> dict[str, Any]:
        start, end, traces = await traces_in(body)
        return service_graph(traces, start, end)

    async def get_trace_graph(body: dict[str, Any]) -> dict[str, Any]:
        traces = [trace for trace in await _traces(index, body) if trace.segments]
        if not traces:
            return {"Services": []}
        times = [float(e.get("start_time") or 0.0) for t in traces for e in t.segments]
        ends = [float(e.get("end_time") or 0.0) for t in traces for e in t.segments]
        return {"Services": service_graph(traces, min(times), max(ends))["Services"]}

    async def time_series_statistics(body: dict[str, Any]) -> dict[str, Any]:
        start, end, traces = await traces_in(body)
        try:
            selector = parse_selector(body.get("EntitySelectorExpression"))
        except SelectorError as error:
            raise InvalidRequest(str(error)) from error
        period = body.get("Period", DEFAULT_PERIOD)
        if not isinstance(period, int) or period < 60 or period % 60:
            raise InvalidRequest("Period must be a multiple of 60 seconds")
        return {
            "TimeSeriesServiceStatistics": time_series(traces, selector, start, end, period),
            "ContainsOldGroupVersions": False,
        }

    async def put_trace_segments(body: dict[str, Any]) -> dict[str, Any]:
        raw = body.get("TraceSegmentDocuments")
        if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
            raise InvalidRequest("TraceSegmentDocuments must be a list of JSON strings")
        if len(raw) > PUT_MAX_DOCUMENTS:
            raise InvalidRequest(f"at most {PUT_MAX_DOCUMENTS} TraceSegmentDocuments per call")
        accepted, refused = [], []
        for text in raw:
            try:
                document = _segment_document(text)
            except BadDatagram as error:
                refused.append({"Id": _id_of(text), "ErrorCode": "400", "Message": str(error)})
                continue
            start = float(document.get("start_time") or time.time())
            accepted.append(Received(document["trace_id"], start, text))
        if accepted:
            await asyncio.to_thread(index.store.add, accepted)
        return {"UnprocessedTraceSegments": refused}

    async def get_sampling_rules(body: dict[str, Any]) -> dict[str, Any]:
        return {"SamplingRuleRecords": sampling.records()}

    async def sampling_targets(body: dict[str, Any]) -> dict[str, Any]:
        statistics = body.get("SamplingStatisticsDocuments", [])
        if not isinstance(statistics, list):
            raise InvalidRequest("SamplingStatisticsDocuments must be a list")
        return sampling.targets(statistics)

    return [
        Route("/TraceSummaries", operation(trace_summaries), methods=["POST"]),
        Route("/Traces", operation(batch_get_traces), methods=["POST"]),
        Route("/ServiceGraph", operation(get_service_graph), methods=["POST"]),
        Route("/TraceGraph", operation(get_trace_graph), methods=["POST"]),
        Route("/TraceSegments", operation(put_trace_segments), methods=["POST"]),
        Route("/TimeSeriesServiceStatistics", operation(time_series_statistics), methods=["POST"]),
        Route("/GetSamplingRules", operation(get_sampling_rules), methods=["POST"]),
        Route("/SamplingTargets", operation(sampling_targets), methods=["POST"]),
    ]


def _window(body: dict[str, Any]) -> tuple[float, float]:
    now = time.time()
    try:
        end = float(body.get("EndTime", now))
        start = float(body.get("StartTime", end - DEFAULT_WINDOW))
    except (TypeError, ValueError) as error:
        raise InvalidRequest("StartTime and EndTime must be timestamps") from error
    if start > end:
        raise InvalidRequest("StartTime must not be after EndTime")
    return start, end


def _offset(token: Any) -> int:
    if token is None:
        return 0
    if not isinstance(token, str) or not token.isdigit():
        raise InvalidRequest("NextToken is not one this daemon gave out")
    return int(token)


def _trace_ids(body: dict[str, Any]) -> list[str]:
    ids = body.get("TraceIds")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidRequest("TraceIds must be a list of trace ids")
    return ids


async def _traces(index: TraceIndex, body: dict[str, Any]) -> list[Trace]:
    found = [await asyncio.to_thread(index.get, trace_id) for trace_id in _trace_ids(body)]
    return [trace for trace in found if trace is not None]


def _segment_document(text: str) -> dict[str, Any]:
    if len(text.encode()) > DATAGRAM_MAX:
        raise BadDatagram("document over 64 KB")
    try:
        return checked_document(json.loads(text))
    except ValueError as error:
        if isinstance(error, BadDatagram):
            raise
        raise BadDatagram("not JSON") from error


def _id_of(text: str) -> str:
    try:
        document = json.loads(text)
    except ValueError:
        return ""
    return str(document.get("id", "")) if isinstance(document, dict) else ""
