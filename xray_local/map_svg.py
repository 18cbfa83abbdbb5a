"""The console's service map: GetServiceGraph's services drawn as a layered graph in SVG.

Each node sits one column right of its furthest caller (the client first), so a chain of
services reads left to right and a service two hops away is not drawn beside the client. Names
and types go under the circle, where long names ("Database::SQL", "postgres@localhost") have room;
the circle holds the average response time and is coloured by faults, errors and throttles.
"""

from __future__ import annotations

from html import escape
from typing import Any

COLUMN = 320
ROW = 150
RADIUS = 32
MARGIN_X = 80
MARGIN_Y = 70
NAME_MAX = 28
FAULT, ERROR, THROTTLE, OK = "#c62828", "#ef6c00", "#6a1b9a", "#2e7d32"


def service_map_svg(services: list[dict[str, Any]]) -> str:
    if not services:
        return "<p class='muted' id='service-map'>No traffic in this window.</p>"
    depth = _depths(services)
    columns: dict[int, list[dict[str, Any]]] = {}
    for service in sorted(services, key=lambda s: (s["Type"] != "client", s["Name"])):
        columns.setdefault(depth[service["ReferenceId"]], []).append(service)
    position = {
        service["ReferenceId"]: (MARGIN_X + col * COLUMN, MARGIN_Y + row * ROW)
        for col, members in columns.items()
        for row, service in enumerate(members)
    }
    width = MARGIN_X * 2 + COLUMN * max(columns)
    height = MARGIN_Y + ROW * max(len(members) for members in columns.values())
    parts = [
        f"<svg id='service-map' width='{width + 60}' height='{height}' font-size='12'>"
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7'"
        " markerHeight='7' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z'"
        " fill='#888'/></marker></defs>"
    ]
    for service in services:
        for edge in service["Edges"]:
            parts.append(
                _edge(position[service["ReferenceId"]], position[edge["ReferenceId"]], edge)
            )
    for service in services:
        parts.append(_node(position[service["ReferenceId"]], service))
    parts.append("</svg>")
    return "".join(parts)


def calls_label(count: int) -> str:
    return _counted(count, "call")


def _depths(services: list[dict[str, Any]]) -> dict[int, int]:
    """Longest call chain from a node nobody calls; cycles stop growing after one pass each."""
    depth = {service["ReferenceId"]: 0 for service in services}
    for _ in services:
        changed = False
        for service in services:
            for edge in service["Edges"]:
                target, wanted = edge["ReferenceId"], depth[service["ReferenceId"]] + 1
                if target != service["ReferenceId"] and depth[target] < wanted <= len(services):
                    depth[target] = wanted
                    changed = True
        if not changed:
            break
    return depth


def _edge(source: tuple[int, int], target: tuple[int, int], edge: dict[str, Any]) -> str:
    (x1, y1), (x2, y2) = source, target
    stats = edge["SummaryStatistics"]
    count = stats["TotalCount"]
    average = stats["TotalResponseTime"] / max(count, 1) * 1000
    faults = stats["FaultStatistics"]["TotalCount"]
    errors = stats["ErrorStatistics"]["TotalCount"]
    colour = FAULT if faults else ERROR if errors else "#888"
    forward = x2 > x1
    start_x, end_x = (x1 + RADIUS, x2 - RADIUS) if forward else (x1, x2)
    start_y, end_y = (y1, y2) if forward else (y1 + RADIUS, y2 + RADIUS)
    bend_y = (start_y + end_y) / 2 + (0 if forward else ROW / 2)
    middle_x = (start_x + end_x) / 2
    failures = ", ".join(
        _counted(n, word) for n, word in ((faults, "fault"), (errors, "error")) if n
    )
    label_y = (start_y + bend_y + end_y) / 3 - (24 if failures else 8)
    second = (
        f"<tspan x='{middle_x}' dy='14' fill='{colour}'>{escape(failures)}</tspan>"
        if failures
        else ""
    )
    return (
        f"<g class='edge'><path d='M{start_x},{start_y} Q{middle_x},{bend_y} {end_x},{end_y}'"
        f" fill='none' stroke='{colour}' stroke-width='1.5' marker-end='url(#arrow)'/>"
        f"<text x='{middle_x}' y='{label_y}' text-anchor='middle' fill='#444' font-size='11'"
        " stroke='white' stroke-width='4' paint-order='stroke'>"
        f"{escape(calls_label(count))} · {average:.1f} ms{second}</text></g>"
    )


def _counted(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _node(position: tuple[int, int], service: dict[str, Any]) -> str:
    x, y = position
    stats = service.get("SummaryStatistics")
    colour, inside = OK, ""
    if stats:
        faults = stats["FaultStatistics"]["TotalCount"]
        errors = stats["ErrorStatistics"]["TotalCount"]
        throttles = stats["ErrorStatistics"]["ThrottleCount"]
        colour = FAULT if faults else THROTTLE if throttles else ERROR if errors else OK
        average = stats["TotalResponseTime"] / max(stats["TotalCount"], 1) * 1000
        inside = f"{average:.0f} ms"
    name = service["Name"]
    shown = name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…"
    return (
        f"<g class='node' data-name='{escape(name, quote=True)}'><title>{escape(name)}"
        f" ({escape(service['Type'])})</title>"
        f"<circle cx='{x}' cy='{y}' r='{RADIUS}' fill='white' stroke='{colour}'"
        f" stroke-width='3'/><text x='{x}' y='{y + 4}' text-anchor='middle'"
        f" font-size='11'>{escape(inside)}</text>"
        f"<text x='{x}' y='{y + RADIUS + 16}' text-anchor='middle' font-weight='bold'>"
        f"{escape(shown)}</text><text x='{x}' y='{y + RADIUS + 30}' text-anchor='middle'"
        f" font-size='10' fill='#777'>{escape(service['Type'])}</text></g>"
    )
