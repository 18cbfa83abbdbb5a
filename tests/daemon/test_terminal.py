"""`board traces list|show|stats`: the daemon's traces in the terminal, from a real `board xray`."""

from __future__ import annotations

import asyncio
import time

import pytest

from board.cli import main
from tests.support.daemon import send, stored
from tests.support.documents import segment, subsegment, trace_id
from xray_local.server import RunningDaemon


async def board_traces(
    xray: RunningDaemon, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[str]]:
    # The command blocks on HTTP; the daemon under test runs on this event loop.
    code = await asyncio.to_thread(main, ["traces", "--endpoint", xray.url, *args])
    return code, capsys.readouterr().out.splitlines()


async def test_list_filters_and_flags_traces(
    xray: RunningDaemon, capsys: pytest.CaptureFixture[str]
) -> None:
    slow, failed = trace_id(), trace_id()
    send(
        xray,
        segment(slow, operation="Feed", seconds=0.25, n_plus_one=True, n_plus_one_field="Post.x"),
        segment(failed, operation="CreatePost", status=500),
    )
    await stored(xray, 2)

    code, lines = await board_traces(xray, capsys, "list")
    assert code == 0
    rows = {line.split()[0]: line for line in lines[1:]}
    assert rows.keys() == {slow, failed}
    assert rows[slow].split()[1:4] == ["Feed", "200", "250.0"]
    assert rows[slow].endswith("n+1:Post.x")
    assert rows[failed].split()[1:3] == ["CreatePost", "500"]
    assert rows[failed].endswith("fault")

    code, lines = await board_traces(xray, capsys, "list", "--filter", "fault")
    assert [line.split()[0] for line in lines[1:]] == [failed]


async def test_a_bad_filter_is_one_line_and_exit_2(
    xray: RunningDaemon, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = await board_traces(xray, capsys, "list", "--filter", "annotation.x = ")
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith("board traces: ")


async def test_show_draws_one_aligned_row_per_entity(
    xray: RunningDaemon, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = trace_id()
    start = time.time() - 2
    statement = subsegment(
        "postgres@localhost",
        start + 0.05,
        0.05,
        namespace="remote",
        sql={"sanitized_query": "SELECT count(*) AS count_1 \nFROM posts"},
    )
    field = subsegment("Query.posts", start, 0.2, subsegments=[statement], fault=True)
    send(xray, segment(trace, start=start, seconds=0.4, subsegments=[field]))
    await stored(xray, 1)

    code, lines = await board_traces(xray, capsys, "show", trace)
    assert code == 0
    assert [line.split()[0] for line in lines] == ["board-api", "Query.posts", "postgres@localhost"]
    assert lines[1].startswith("  Query.posts")
    assert "FAULT" in lines[1]
    assert lines[2].endswith("SELECT count(*) AS count_1 FROM posts")
    bars = [line.index("|") for line in lines]
    assert len(set(bars)) == 1
    # The statement starts an eighth of the way in and takes an eighth: its bar shows it.
    assert lines[2][bars[2] + 1 :].startswith(" " * 5 + "█" * 5 + " ")


async def test_show_an_unknown_trace_says_so(
    xray: RunningDaemon, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = trace_id()
    code, lines = await board_traces(xray, capsys, "show", missing)
    assert (code, lines) == (1, [f"board traces: no trace {missing}"])


async def test_stats_gives_percentiles_per_operation(
    xray: RunningDaemon, capsys: pytest.CaptureFixture[str]
) -> None:
    send(
        xray,
        *(segment(trace_id(), operation="Feed", seconds=s / 100) for s in range(1, 21)),
        segment(trace_id(), operation=None, seconds=0.5),
    )
    await stored(xray, 21)

    code, lines = await board_traces(xray, capsys, "stats")
    assert code == 0
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["(anonymous)"][0] == "1"
    count, p50, p95, p99 = rows["Feed"]
    assert count == "20"
    assert float(p50) == pytest.approx(105.0, abs=5.5)
    assert float(p50) < float(p95) <= float(p99) <= 200.0


async def test_no_daemon_is_one_line_naming_the_endpoint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = await asyncio.to_thread(main, ["traces", "--endpoint", "http://127.0.0.1:9", "list"])
    out = capsys.readouterr().out
    assert code == 2
    assert out.startswith("board traces: no daemon at http://127.0.0.1:9")
