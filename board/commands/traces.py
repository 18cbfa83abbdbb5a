"""`board traces list|show|stats`: the local daemon's traces in the terminal."""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import httpx

from xray_local.latency import latency

NAME = "traces"
HELP = "List, show and summarise traces held by an X-Ray daemon (board xray)."
WINDOW_SECONDS = 3600
BAR_WIDTH = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    address = os.environ.get("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000").split()[0]
    parser.add_argument(
        "--endpoint",
        default=f"http://{address.removeprefix('tcp:').removeprefix('udp:')}",
        help="the daemon's API (default from AWS_XRAY_DAEMON_ADDRESS)",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="recent traces, newest first")
    listing.add_argument(
        "--filter", help='an X-Ray filter expression, e.g. annotation.username = "haandol"'
    )
    listing.add_argument("--minutes", type=int, default=60)
    show = actions.add_parser("show", help="one trace as a text waterfall")
    show.add_argument("trace_id")
    stats = actions.add_parser("stats", help="P50/P95/P99 per operation")
    stats.add_argument("--minutes", type=int, default=60)


def run(args: argparse.Namespace) -> int:
    with httpx.Client(base_url=args.endpoint, timeout=10) as http:
        try:
            if args.action == "show":
                return _show(http, args.trace_id)
            summaries = _summaries(http, args.minutes, getattr(args, "filter", None))
        except httpx.HTTPStatusError as error:
            print(f"board traces: {error.response.json().get('message', error)}")
            return 2
        except httpx.TransportError as error:
            print(f"board traces: no daemon at {args.endpoint} ({error}); start `board xray`")
            return 2
    if args.action == "list":
        _print_list(summaries)
    else:
        _print_stats(summaries)
    return 0


def _summaries(http: httpx.Client, minutes: int, expression: str | None) -> list[dict[str, Any]]:
    now = time.time()
    body: dict[str, Any] = {"StartTime": now - minutes * 60, "EndTime": now}
    if expression:
        body["FilterExpression"] = expression
    found: list[dict[str, Any]] = []
    while True:
        response = http.post("/TraceSummaries", json=body)
        response.raise_for_status()
        page = response.json()
        found.extend(page["TraceSummaries"])
        if "NextToken" not in page:
            return found
        body["NextToken"] = page["NextToken"]


def _annotation(summary: dict[str, Any], key: str) -> str:
    for value in summary.get("Annotations", {}).get(key, []):
        return str(next(iter(value["AnnotationValue"].values())))
    return ""


def _print_list(summaries: list[dict[str, Any]]) -> None:
    print(f"{'trace id':<37}{'operation':<20}{'status':>7}{'ms':>9}  flags")
    for summary in summaries:
        flags = [
            name
            for name, present in (
                ("fault", summary["HasFault"]),
                ("error", summary["HasError"]),
                (
                    "n+1:" + _annotation(summary, "n_plus_one_field"),
                    _annotation(summary, "n_plus_one"),
                ),
            )
            if present
        ]
        print(
            f"{summary['Id']:<37}{_annotation(summary, 'operation_name')[:19]:<20}"
            f"{summary['Http'].get('HttpStatus', ''):>7}{summary['ResponseTime'] * 1000:>9.1f}  "
            + " ".join(flags)
        )


def _print_stats(summaries: list[dict[str, Any]]) -> None:
    samples: dict[str, list[float]] = {}
    for summary in summaries:
        name = _annotation(summary, "operation_name") or "(anonymous)"
        samples.setdefault(name, []).append(summary["ResponseTime"])
    print(f"{'operation':<24}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, values in sorted(samples.items()):
        row = latency(name, values)
        print(
            f"{name[:23]:<24}{row.count:>7}{row.p50 * 1000:>10.1f}"
            f"{row.p95 * 1000:>10.1f}{row.p99 * 1000:>10.1f}"
        )


def _show(http: httpx.Client, trace_id: str) -> int:
    response = http.post("/Traces", json={"TraceIds": [trace_id]})
    response.raise_for_status()
    traces = response.json()["Traces"]
    if not traces:
        print(f"board traces: no trace {trace_id}")
        return 1
    segments = [json.loads(segment["Document"]) for segment in traces[0]["Segments"]]
    start = min(segment["start_time"] for segment in segments)
    end = max(segment.get("end_time", segment["start_time"]) for segment in segments)
    for segment in segments:
        _print_waterfall(segment, 0, start, max(end - start, 1e-6))
    return 0


def _print_waterfall(entity: dict[str, Any], depth: int, start: float, total: float) -> None:
    begin = entity["start_time"]
    duration = entity.get("end_time", begin) - begin
    offset = round((begin - start) / total * BAR_WIDTH)
    width = max(1, round(duration / total * BAR_WIDTH))
    bar = (" " * offset + "█" * width).ljust(BAR_WIDTH)[:BAR_WIDTH]
    mark = " FAULT" if entity.get("fault") else " ERROR" if entity.get("error") else ""
    # Statements keep their line breaks in the trace; one row per entity keeps the bars aligned.
    sql = " ".join(entity.get("sql", {}).get("sanitized_query", "").split())
    label = ("  " * depth + entity["name"])[:44]
    print(f"{label:<45}{duration * 1000:>9.1f} ms |{bar}|{mark} {sql[:60]}")
    for child in sorted(entity.get("subsegments", ()), key=lambda c: c.get("start_time", 0)):
        _print_waterfall(child, depth + 1, start, total)
