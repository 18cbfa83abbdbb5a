"""The console on a trace across services, as Chromium renders it: who set each annotation, root
causes, text as written, a header without empty parts, a layered map with readable labels,
latency of the board's own operations only, and groups as filters."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from tests.support.browser import needs_chromium, rendered
from tests.support.daemon import call, send, stored, xray_client
from tests.support.documents import trace_id
from tests.support.services import erroring_chain, failing_chain
from xray_local.server import RunningDaemon

pytestmark = needs_chromium


async def two_traces(xray: RunningDaemon) -> tuple[str, str]:
    failing, erroring = trace_id(), trace_id()
    segments, part = failing_chain(failing)
    send(xray, part, *segments, *erroring_chain(erroring))
    await stored(xray, 7)
    return failing, erroring


def cells(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


async def test_the_trace_page_names_who_set_what(xray: RunningDaemon, tmp_path: Path) -> None:
    failing, _ = await two_traces(xray)
    page = await rendered(f"{xray.url}/traces/{failing}", tmp_path)
    annotations = [row for row in cells(page, "annotations") if row]
    assert ["myKey", '"x"', "nodeclient", "nodeclient"] in annotations
    assert ["myKey", '"worker"', "worker", "worker"] in annotations
    assert ["step", '"handler"', "board-api", "Query.posts"] in annotations
    assert ["default.greeting", '"ünïcødé"', "worker"] in cells(page, "metadata")
    assert "\\u00fc" not in page
    header = re.sub(r"<[^>]+>", "", page.split('id="trace-header"', 1)[1].split("</p>", 1)[0])
    assert "· ·" not in header
    assert "status" not in header  # the root (nodeclient) has no http block
    (cause,) = [row for row in cells(page, "root-causes") if row]
    assert cause == [
        "fault",
        "board-api",
        "board-api → Query.posts",
        "ChaosError: Query.posts failed on purpose",
    ]


async def test_the_map_is_a_layered_graph_with_readable_labels(
    xray: RunningDaemon, tmp_path: Path
) -> None:
    await two_traces(xray)
    page = await rendered(f"{xray.url}/map", tmp_path)
    columns = {
        name: float(x)
        for name, x in re.findall(r'data-name="([^"]+)"[^>]*>.*?<circle cx="([\d.]+)"', page)
    }
    assert columns["client"] < columns["nodeclient"] < columns["board-api"] < columns["worker"]
    assert columns["worker"] == columns["postgres@localhost"]
    assert "1 call ·" in page  # board-api -> postgres, once
    assert "1 calls" not in page
    assert "2 calls ·" in page
    # The type sits under the circle, in its own line, never inside it.
    assert re.search(
        r"<circle[^>]*>(?:</circle>)?<text[^>]*>[^<]*</text><text[^>]*>postgres@localhost"
        r"</text><text[^>]*>Database::SQL</text>",
        page,
    )


async def test_latency_counts_only_the_boards_own_operations(
    xray: RunningDaemon, tmp_path: Path
) -> None:
    await two_traces(xray)
    page = await rendered(f"{xray.url}/latency?minutes=5", tmp_path)
    operations = [row[:3] for row in cells(page, "latency-operations") if row]
    assert operations == [["Feed", "1", "450.0 ms"]]  # board-api's own segment, not the caller's


async def test_a_group_filters_the_trace_list(xray: RunningDaemon, tmp_path: Path) -> None:
    failing, erroring = await two_traces(xray)
    await call(xray_client(xray).create_group, GroupName="faulty", FilterExpression="fault")
    page = await rendered(f"{xray.url}/?group=faulty&minutes=5", tmp_path)
    assert '<option value="faulty" selected=""' in page
    assert f"/traces/{failing}" in page
    assert f"/traces/{erroring}" not in page
    both = await rendered(f"{xray.url}/?filter={quote('error OR fault')}&minutes=5", tmp_path)
    flags = [row[5] for row in cells(both, "traces") if row]
    assert sorted(flags) == ["error", "fault"]
