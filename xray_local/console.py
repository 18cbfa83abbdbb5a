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

from tracing.wire import (
    GRAPHQL_ERROR_CODES,
    N_PLUS_ONE,
    N_PLUS_ONE_FIELD,
    OPERATION_NAME,
    OPERATION_TYPE,
    Document,
    Trace,
)
from xray_local.annotations import sources
from xray_local.filters import FilterError, Predicate, compile_filter
from xray_local.groups import DEFAULT_GROUP, GroupStore
from xray_local.index import TraceIndex
from xray_local.latency import HISTOGRAM_BUCKETS_MS, Latency, by_operation, by_resolver
from xray_local.map_svg import service_map_svg
from xray_local.root_causes import exceptions, root_causes
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


def console_routes(index: TraceIndex, groups: GroupStore) -> list[Route]:
    async def trace_list(request: Request) -> HTMLResponse:
        expression = request.query_params.get("filter", "")
        group = request.query_params.get("group", DEFAULT_GROUP)
        minutes = _minutes(request)
        form = _filter_form(expression, minutes, group, groups)
        try:
            predicate = _group_and_filter(groups, group, expression)
        except FilterError as error:
            body = form + f'<p class="bad" id="filter-error">{escape(str(error))}</p>'
            return _page("Traces", body, status=400)
        now = time.time()
        found = await asyncio.to_thread(index.between, now - minutes * 60, now)
        rows = [facts for _, facts in found if predicate(facts)][:LIST_LIMIT]
        return _page("Traces", form + _trace_table(rows))

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
        group = request.query_params.get("group", DEFAULT_GROUP)
        try:
            predicate = _group_and_filter(groups, group, "")
        except FilterError as error:
            return _page("Service map", f"<p class='bad'>{escape(str(error))}</p>", status=400)
        now = time.time()
        found = await asyncio.to_thread(index.between, now - minutes * 60, now)
        traces = (trace for trace, facts in found if predicate(facts))
        graph = service_graph(traces, now - minutes * 60, now)
        form = _minutes_form("/map", minutes, _group_select(groups, group))
        return _page("Service map", form + service_map_svg(graph["Services"]))

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


def _group_and_filter(groups: GroupStore, group: str, expression: str) -> Predicate:
    """The chosen group's expression and the typed one, both of which a trace must match."""
    group_expression = groups.expression(group)
    if group_expression is None:
        raise FilterError(f"no group {group!r}")
    in_group = compile_filter(group_expression, groups.expression)
    typed = compile_filter(expression, groups.expression)
    return lambda facts: in_group(facts) and typed(facts)


def _group_select(groups: GroupStore, chosen: str) -> str:
    options = "".join(
        f"<option value='{escape(g.name, quote=True)}'"
        f"{' selected' if g.name == chosen else ''}"
        f" title='{escape(g.filter_expression or 'every trace', quote=True)}'>"
        f"{escape(g.name)}</option>"
        for g in groups.all()
    )
    return f" group <select name='group' id='group'>{options}</select>"


def _filter_form(expression: str, minutes: int, group: str, groups: GroupStore) -> str:
    return (
        "<form method='get' action='/'>"
        f"<input type='text' name='filter' value='{escape(expression, quote=True)}'"
        " placeholder='annotation.operation_name = \"Feed\" AND responsetime > 0.5'>"
        f"{_group_select(groups, group)}"
        f" last <input type='number' name='minutes' value='{minutes}' style='width:5em'> min"
        " <button>Filter</button></form>"
    )


def _minutes_form(action: str, minutes: int, extra: str = "") -> str:
    return (
        f"<form method='get' action='{action}'>last "
        f"<input type='number' name='minutes' value='{minutes}' style='width:5em'> minutes"
        f"{extra} <button>Show</button></form>"
    )


def _trace_table(rows: list[Facts]) -> str:
    if not rows:
        return "<p class='muted' id='traces-empty'>No traces in this window.</p>"
    lines = [
        "<table id='traces'><tr><th>Time</th><th>Operation</th><th>Type</th><th>User</th>"
        "<th>Status</th><th>Flags</th><th>Duration</th><th>N+1</th><th>Trace</th></tr>"
    ]
    for facts in rows:
        status = facts.http.get("status")
        css = "bad" if facts.fault else "warn" if facts.error else ""
        n_plus_one = facts.annotation(N_PLUS_ONE_FIELD) if facts.annotation(N_PLUS_ONE) else ""
        lines.append(
            f"<tr class='trace'><td>{_clock(facts.start)}</td>"
            f"<td>{escape(str(facts.annotation(OPERATION_NAME) or ''))}</td>"
            f"<td>{escape(str(facts.annotation(OPERATION_TYPE) or ''))}</td>"
            f"<td>{escape(', '.join(facts.users))}</td>"
            f"<td class='{css}'>{escape(str(status or ''))}</td>"
            f"<td class='{css} flags'>{_flags(facts)}</td>"
            f"<td>{facts.response_time * 1000:.1f} ms</td>"
            f"<td class='warn'>{escape(str(n_plus_one))}</td>"
            f"<td><a href='/traces/{quote(facts.trace_id)}'>{escape(facts.trace_id)}</a></td></tr>"
        )
    lines.append("</table>")
    return "".join(lines)


def _flags(facts: Facts) -> str:
    named = [("fault", facts.fault), ("error", facts.error), ("throttle", facts.throttle)]
    codes = facts.annotation(GRAPHQL_ERROR_CODES)
    shown = " ".join(name for name, on in named if on)
    return escape(f"{shown} ({codes})" if codes and shown else shown)


def _trace_detail(trace: Trace) -> str:
    root = trace.root or trace.segments[0]
    rows = list(_rows(trace))
    start = min(entity["start_time"] for entity, _, _ in rows)
    end = max(entity.get("end_time") or entity["start_time"] for entity, _, _ in rows)
    total = max(end - start, 1e-6)
    annotations = "".join(
        f"<tr><td>{escape(a.key)}</td><td>{escape(_json(a.value))}</td>"
        f"<td>{escape(a.service)}</td><td class='muted'>{escape(a.entity)}</td></tr>"
        for a in sources(trace.segments)
    )
    # Subsegments' metadata (paths, arguments) stays in their timeline rows, named there.
    metadata = "".join(
        f"<tr><td>{escape(namespace)}.{escape(key)}</td><td><pre>{escape(_json(value))}</pre></td>"
        f"<td>{escape(segment['name'])}</td></tr>"
        for segment in trace.segments
        for namespace, entries in (segment.get("metadata") or {}).items()
        if isinstance(entries, dict)
        for key, value in entries.items()
    )
    parts = [
        f"<p id='trace-header'>{_header(root, total)}</p>",
        _root_causes(trace),
        "<h2>Annotations</h2><table id='annotations'><tr><th>Key</th><th>Value</th>"
        f"<th>Service</th><th>Set on</th></tr>{annotations}</table>",
        "<h2>Segment metadata</h2><table id='metadata'><tr><th>Key</th><th>Value</th>"
        f"<th>Service</th></tr>{metadata}</table>",
        "<h2>Timeline</h2><table id='waterfall'><tr><th>Name</th><th>Duration</th>"
        "<th style='width:50%'>Timeline</th></tr>",
    ]
    for entity, depth, service in rows:
        parts.append(_waterfall_row(entity, depth, start, total, service))
    parts.append("</table>")
    if trace.orphans:
        parts.append(
            f"<p class='muted'>{len(trace.orphans)} subsegments wait for their parent.</p>"
        )
    return "".join(parts)


def _header(root: Document, total: float) -> str:
    """Time, duration, then only what the root segment has: URL, status, user."""
    http = root.get("http") or {}
    url = (http.get("request") or {}).get("url")
    status = (http.get("response") or {}).get("status")
    parts = [_clock(root["start_time"]), f"{total * 1000:.1f} ms", root["name"]]
    if url:
        parts.append(url)
    if status is not None:
        parts.append(f"status {status}")
    if root.get("user"):
        parts.append(f"user {root['user']}")
    return " · ".join(escape(str(part)) for part in parts)


def _root_causes(trace: Trace) -> str:
    rows = []
    for kind in ("fault", "error"):
        for cause in root_causes(trace, kind):
            thrown = [f"{e['Name']}: {e['Message']}" for e in exceptions(cause.path[-1])]
            rows.append(
                f"<tr class='{kind}'><td class='{'bad' if kind == 'fault' else 'warn'}'>{kind}</td>"
                f"<td>{escape(cause.service)}</td>"
                f"<td>{escape(' → '.join(e['name'] for e in cause.path))}</td>"
                f"<td>{escape('; '.join(thrown))}</td></tr>"
            )
    if not rows:
        return ""
    return (
        "<h2>Root causes</h2><table id='root-causes'><tr><th>Kind</th><th>Service</th>"
        "<th>Path</th><th>Exception</th></tr>" + "".join(rows) + "</table>"
    )


def _json(value: Any) -> str:
    """JSON as a reader wants it: non-ASCII text shown as itself, not as \\u escapes."""
    return json.dumps(value, indent=1, default=str, ensure_ascii=False)


def _rows(trace: Trace) -> Iterator[tuple[Document, int, str]]:
    """Every entity with its depth and the service (segment) it belongs to."""

    def walk(entity: Document, depth: int, service: str) -> Iterator[tuple[Document, int, str]]:
        yield entity, depth, service
        for child in sorted(entity.get("subsegments", ()), key=lambda c: c.get("start_time", 0)):
            yield from walk(child, depth + 1, service)

    for segment in trace.segments:
        yield from walk(segment, 0, segment["name"])


def _waterfall_row(entity: Document, depth: int, start: float, total: float, service: str) -> str:
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
    details = _details(entity, service)
    return (
        f"<tr class='span {kind}'><td style='padding-left:{8 + depth * 14}px'>"
        f"{escape(entity['name'])}{details}</td><td>{duration * 1000:.1f} ms</td>"
        f"<td><div class='track'><div class='bar {kind}' style='position:absolute;"
        f"left:{left:.2f}%;width:{width:.2f}%'></div></div></td></tr>"
    )


def _details(entity: Document, service: str) -> str:
    shown: dict[str, Any] = {}
    if "sql" in entity:
        shown["sql"] = entity["sql"]
    for key in ("metadata", "annotations", "http", "aws", "cause"):
        if entity.get(key):
            shown[key] = entity[key]
    if not shown:
        return ""
    sql = entity.get("sql", {}).get("sanitized_query")
    summary = escape(sql[:80]) if sql else f"details (set by {escape(service)})"
    return (
        f"<details><summary class='muted'>{summary}</summary>"
        f"<pre>{escape(_json(shown))}</pre></details>"
    )


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
