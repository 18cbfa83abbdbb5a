"""The web console: trace list, a trace's waterfall, the service map and latency percentiles.

Server-rendered HTML with inline CSS; nothing is fetched from the internet.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tracing.wire import N_PLUS_ONE, N_PLUS_ONE_FIELD, Document, Trace
from xray_local.filters import FilterError, compile_filter
from xray_local.index import TraceIndex
from xray_local.latency import HISTOGRAM_BUCKETS_MS, Latency, by_operation, by_resolver
from xray_local.service_graph import service_graph
from xray_local.summary import Facts

DEFAULT_MINUTES = 60
LIST_LIMIT = 200
STYLE = """
body{font:14px system-ui,sans-serif;margin:0;color:#222}
nav{background:#232f3e;padding:10px 16px}nav a{color:#fff;margin-right:18px;text-decoration:none}
main{padding:16px}table{border-collapse:collapse;width:100%}
td,th{padding:4px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.bad{color:#b00020}.warn{color:#b35c00}.muted{color:#777}code,pre{font-size:12px}
.bar{height:12px;background:#2e7d32;position:relative;min-width:2px}
.bar.remote{background:#1565c0}.bar.error{background:#ef6c00}.bar.fault{background:#c62828}
.track{position:relative;height:12px;background:#fafafa;width:100%}
.hist{display:flex;align-items:flex-end;height:28px;gap:1px}.hist div{background:#1565c0;width:8px}
input[type=text]{width:60%;padding:4px}
"""


def console_routes(index: TraceIndex) -> list[Route]:
    async def trace_list(request: Request) -> HTMLResponse:
        expression = request.query_params.get("filter", "")
        minutes = _minutes(request)
        try:
            predicate = compile_filter(expression)
        except FilterError as error:
            body = (
                _filter_form(expression, minutes)
                + f'<p class="bad" id="filter-error">{escape(str(error))}</p>'
            )
            return _page("Traces", body, status=400)
        now = time.time()
        found = await asyncio.to_thread(index.between, now - minutes * 60, now)
        rows = [facts for _, facts in found if predicate(facts)][:LIST_LIMIT]
        return _page("Traces", _filter_form(expression, minutes) + _trace_table(rows))

    async def trace_page(request: Request) -> HTMLResponse:
        trace_id = request.path_params["trace_id"]
        trace = await asyncio.to_thread(index.get, trace_id)
        if trace is None or not trace.segments:
            return _page(
                "Trace not found", f"<p>No trace {escape(trace_id)} (yet).</p>", status=404
            )
        return _page(f"Trace {trace_id}", _trace_detail(trace))

    async def service_map(request: Request) -> HTMLResponse:
        minutes = _minutes(request)
        now = time.time()
        found = await asyncio.to_thread(index.between, now - minutes * 60, now)
        graph = service_graph((trace for trace, _ in found), now - minutes * 60, now)
        return _page("Service map", _minutes_form("/map", minutes) + _map_svg(graph["Services"]))

    async def latency_page(request: Request) -> HTMLResponse:
        minutes = _minutes(request)
        now = time.time()
        found = await asyncio.to_thread(index.between, now - minutes * 60, now)
        body = (
            _minutes_form("/latency", minutes)
            + "<h2>By operation</h2>"
            + _latency_table("latency-operations", by_operation(found))
            + "<h2>By resolver</h2>"
            + _latency_table("latency-resolvers", by_resolver(found))
        )
        return _page("Latency", body)

    return [
        Route("/", trace_list),
        Route("/traces/{trace_id}", trace_page),
        Route("/map", service_map),
        Route("/latency", latency_page),
    ]


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><nav><a href='/'>Traces</a>"
        "<a href='/map'>Service map</a><a href='/latency'>Latency</a></nav>"
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status)


def _minutes(request: Request) -> int:
    raw = request.query_params.get("minutes", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 7 * 24 * 60 else DEFAULT_MINUTES


def _filter_form(expression: str, minutes: int) -> str:
    return (
        "<form method='get' action='/'>"
        f"<input type='text' name='filter' value='{escape(expression, quote=True)}'"
        " placeholder='annotation.operation_name = \"Feed\" AND responsetime > 0.5'>"
        f" last <input type='number' name='minutes' value='{minutes}' style='width:5em'> min"
        " <button>Filter</button></form>"
    )


def _minutes_form(action: str, minutes: int) -> str:
    return (
        f"<form method='get' action='{action}'>last "
        f"<input type='number' name='minutes' value='{minutes}' style='width:5em'> minutes "
        "<button>Show</button></form>"
    )


def _trace_table(rows: list[Facts]) -> str:
    if not rows:
        return "<p class='muted' id='traces-empty'>No traces in this window.</p>"
    lines = [
        "<table id='traces'><tr><th>Time</th><th>Operation</th><th>Type</th><th>User</th>"
        "<th>Status</th><th>Duration</th><th>N+1</th><th>Trace</th></tr>"
    ]
    for facts in rows:
        status = facts.http.get("status")
        css = "bad" if facts.fault else "warn" if facts.error else ""
        n_plus_one = (
            facts.annotations.get(N_PLUS_ONE_FIELD) if facts.annotations.get(N_PLUS_ONE) else ""
        )
        lines.append(
            f"<tr class='trace'><td>{_clock(facts.start)}</td>"
            f"<td>{escape(str(facts.annotations.get('operation_name', '')))}</td>"
            f"<td>{escape(str(facts.annotations.get('operation_type', '')))}</td>"
            f"<td>{escape(', '.join(facts.users))}</td>"
            f"<td class='{css}'>{escape(str(status or ''))}</td>"
            f"<td>{facts.response_time * 1000:.1f} ms</td>"
            f"<td class='warn'>{escape(str(n_plus_one))}</td>"
            f"<td><a href='/traces/{quote(facts.trace_id)}'>{escape(facts.trace_id)}</a></td></tr>"
        )
    lines.append("</table>")
    return "".join(lines)


def _trace_detail(trace: Trace) -> str:
    root = trace.root or trace.segments[0]
    rows = list(_rows(trace))
    start = min(entity["start_time"] for entity, _ in rows)
    end = max(entity.get("end_time") or entity["start_time"] for entity, _ in rows)
    total = max(end - start, 1e-6)
    annotations = "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(json.dumps(v))}</td></tr>"
        for segment in trace.segments
        for k, v in segment.get("annotations", {}).items()
    )
    parts = [
        f"<p>{_clock(root['start_time'])} · {total * 1000:.1f} ms · "
        f"{escape(root.get('http', {}).get('request', {}).get('url', ''))} · "
        f"status {escape(str(root.get('http', {}).get('response', {}).get('status', '')))}"
        f"{' · user ' + escape(root['user']) if root.get('user') else ''}</p>",
        f"<h2>Annotations</h2><table id='annotations'>{annotations}</table>",
        "<h2>Timeline</h2><table id='waterfall'><tr><th>Name</th><th>Duration</th>"
        "<th style='width:50%'>Timeline</th></tr>",
    ]
    for entity, depth in rows:
        parts.append(_waterfall_row(entity, depth, start, total))
    parts.append("</table>")
    if trace.orphans:
        parts.append(
            f"<p class='muted'>{len(trace.orphans)} subsegments wait for their parent.</p>"
        )
    return "".join(parts)


def _rows(trace: Trace) -> Iterator[tuple[Document, int]]:
    def walk(entity: Document, depth: int) -> Iterator[tuple[Document, int]]:
        yield entity, depth
        for child in sorted(entity.get("subsegments", ()), key=lambda c: c.get("start_time", 0)):
            yield from walk(child, depth + 1)

    for segment in trace.segments:
        yield from walk(segment, 0)


def _waterfall_row(entity: Document, depth: int, start: float, total: float) -> str:
    begin = entity["start_time"]
    duration = (entity.get("end_time") or begin) - begin
    kind = (
        "fault"
        if entity.get("fault")
        else "error"
        if entity.get("error")
        else ("remote" if entity.get("namespace") else "")
    )
    left = (begin - start) / total * 100
    width = max(duration / total * 100, 0.2)
    details = _details(entity)
    return (
        f"<tr class='span {kind}'><td style='padding-left:{8 + depth * 14}px'>"
        f"{escape(entity['name'])}{details}</td><td>{duration * 1000:.1f} ms</td>"
        f"<td><div class='track'><div class='bar {kind}' style='position:absolute;"
        f"left:{left:.2f}%;width:{width:.2f}%'></div></div></td></tr>"
    )


def _details(entity: Document) -> str:
    shown: dict[str, Any] = {}
    if "sql" in entity:
        shown["sql"] = entity["sql"]
    for key in ("metadata", "annotations", "http", "aws", "cause"):
        if entity.get(key):
            shown[key] = entity[key]
    if not shown:
        return ""
    sql = entity.get("sql", {}).get("sanitized_query")
    summary = escape(sql[:80]) if sql else "details"
    return (
        f"<details><summary class='muted'>{summary}</summary>"
        f"<pre>{escape(json.dumps(shown, indent=1, default=str))}</pre></details>"
    )


def _map_svg(services: list[dict[str, Any]]) -> str:
    if not services:
        return "<p class='muted' id='service-map'>No traffic in this window.</p>"
    column = {"client": 0, "service": 1}
    columns: dict[int, list[dict[str, Any]]] = {}
    for service in services:
        columns.setdefault(column.get(service["Type"], 2), []).append(service)
    position: dict[int, tuple[int, int]] = {}
    for col, members in columns.items():
        for row, service in enumerate(members):
            position[service["ReferenceId"]] = (110 + col * 280, 60 + row * 110)
    height = 120 + 110 * max(len(m) for m in columns.values())
    parts = [f"<svg id='service-map' width='900' height='{height}' font-size='12'>"]
    for service in services:
        x1, y1 = position[service["ReferenceId"]]
        for edge in service["Edges"]:
            x2, y2 = position[edge["ReferenceId"]]
            stats = edge["SummaryStatistics"]
            average = stats["TotalResponseTime"] / max(stats["TotalCount"], 1) * 1000
            parts.append(
                f"<line x1='{x1 + 45}' y1='{y1}' x2='{x2 - 45}' y2='{y2}' stroke='#888'/>"
                f"<text x='{(x1 + x2) / 2}' y='{(y1 + y2) / 2 - 6}' text-anchor='middle'>"
                f"{stats['TotalCount']} calls · {average:.1f} ms</text>"
            )
    for service in services:
        x, y = position[service["ReferenceId"]]
        stats = service.get("SummaryStatistics")
        faults = stats["FaultStatistics"]["TotalCount"] if stats else 0
        colour = "#c62828" if faults else "#2e7d32"
        parts.append(
            f"<g class='node'><circle cx='{x}' cy='{y}' r='40' fill='white' stroke='{colour}'"
            f" stroke-width='3'/><text x='{x}' y='{y + 58}' text-anchor='middle'>"
            f"{escape(service['Name'])}</text><text x='{x}' y='{y + 4}' text-anchor='middle'"
            f" class='muted'>{escape(service['Type'])}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _latency_table(table_id: str, rows: list[Latency]) -> str:
    if not rows:
        return f"<p class='muted' id='{table_id}'>No data in this window.</p>"
    head = (
        f"<table id='{table_id}'><tr><th>Name</th><th>Count</th><th>P50</th><th>P95</th>"
        "<th>P99</th><th>Histogram (ms: "
        + ", ".join(str(bound) for bound in HISTOGRAM_BUCKETS_MS)
        + ", more)</th></tr>"
    )
    body = []
    for row in rows:
        peak = max(row.histogram) or 1
        bars = "".join(
            f"<div title='{count}' style='height:{max(1, 28 * count // peak)}px'></div>"
            for count in row.histogram
        )
        body.append(
            f"<tr><td>{escape(row.name)}</td><td>{row.count}</td>"
            f"<td>{row.p50 * 1000:.1f} ms</td><td>{row.p95 * 1000:.1f} ms</td>"
            f"<td>{row.p99 * 1000:.1f} ms</td><td><div class='hist'>{bars}</div></td></tr>"
        )
    return head + "".join(body) + "</table>"


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
