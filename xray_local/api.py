"""The X-Ray API subset AWS SDKs call, at X-Ray's paths and in its JSON shapes."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from xray_local.filters import FilterError, compile_filter
from xray_local.index import TraceIndex
from xray_local.sampling_api import SamplingAuthority
from xray_local.service_graph import service_graph
from xray_local.summary import facts_of, summary_of

PAGE_SIZE = 100
DEFAULT_WINDOW = 6 * 3600

Handler = Callable[[Request], Awaitable[Response]]


class InvalidRequest(ValueError):
    """Answered as X-Ray's InvalidRequestException (HTTP 400)."""


def api_routes(index: TraceIndex, sampling: SamplingAuthority) -> list[Route]:
    async def trace_summaries(body: dict[str, Any]) -> dict[str, Any]:
        start, end = _window(body)
        try:
            predicate = compile_filter(body.get("FilterExpression"))
        except FilterError as error:
            raise InvalidRequest(f"Invalid filter expression: {error}") from error
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
        ids = body.get("TraceIds")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InvalidRequest("TraceIds must be a list of trace ids")
        traces, missing = [], []
        for trace_id in ids:
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
        start, end = _window(body)
        found = await asyncio.to_thread(index.between, start, end)
        return service_graph((trace for trace, _ in found), start, end)

    async def get_sampling_rules(body: dict[str, Any]) -> dict[str, Any]:
        return {"SamplingRuleRecords": sampling.records()}

    async def sampling_targets(body: dict[str, Any]) -> dict[str, Any]:
        statistics = body.get("SamplingStatisticsDocuments", [])
        if not isinstance(statistics, list):
            raise InvalidRequest("SamplingStatisticsDocuments must be a list")
        return sampling.targets(statistics)

    return [
        Route("/TraceSummaries", _operation(trace_summaries), methods=["POST"]),
        Route("/Traces", _operation(batch_get_traces), methods=["POST"]),
        Route("/ServiceGraph", _operation(get_service_graph), methods=["POST"]),
        Route("/GetSamplingRules", _operation(get_sampling_rules), methods=["POST"]),
        Route("/SamplingTargets", _operation(sampling_targets), methods=["POST"]),
    ]


def _operation(
    handler: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
) -> Handler:
    async def endpoint(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise InvalidRequest("the request body must be a JSON object")
            return JSONResponse(await handler(body))
        except (InvalidRequest, json.JSONDecodeError) as error:
            return _invalid_request(str(error))

    return endpoint


def _invalid_request(message: str) -> Response:
    return JSONResponse(
        {"__type": "InvalidRequestException", "message": message},
        status_code=400,
        headers={"x-amzn-ErrorType": "InvalidRequestException"},
    )


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
