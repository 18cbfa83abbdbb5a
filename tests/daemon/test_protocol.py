"""Datagrams in, traces out: streamed and out-of-order subsegments, garbage counted and dropped."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.daemon import send, stored
from tests.support.documents import segment, sql, streamed, subsegment, trace_id
from tracing.wire import HEADER, assemble, descendants
from xray_local.protocol import BadDatagram, parse_datagram
from xray_local.server import RunningDaemon


def datagram(document: object) -> bytes:
    return HEADER + b"\n" + json.dumps(document).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"garbage", "bad header"),
        (b'{"format":"json","version":2}\n{}', "bad header"),
        (HEADER + b'\n{"trace_id": "1-', "not JSON (truncated?)"),
        (HEADER + b"\n[1, 2]", "not an object"),
        (datagram({"id": "a", "name": "x"}), "missing trace_id"),
        (
            datagram({"trace_id": "t", "id": "a", "name": "x", "type": "subsegment"}),
            "streamed subsegment without parent_id",
        ),
        (HEADER + b"\n" + b" " * (64 * 1024), "oversized"),
    ],
)
def test_bad_datagrams_say_why(raw: bytes, reason: str) -> None:
    with pytest.raises(BadDatagram, match=re.escape(reason)):
        parse_datagram(raw)


def test_streamed_subsegments_find_their_parents_in_any_order() -> None:
    trace = trace_id()
    root = segment(trace)
    resolver = subsegment("Query.posts", root["start_time"], 0.05)
    author = subsegment("Post.author", root["start_time"] + 0.01, 0.01)
    statement = sql(root["start_time"] + 0.012)
    documents = [
        streamed(statement, author, trace),  # grandchild first
        streamed(author, resolver, trace),
        root,
        streamed(resolver, root, trace),
    ]
    built = assemble(trace, documents)
    assert built.orphans == []
    (only,) = built.segments
    names = [(sub["name"]) for sub in descendants(only)]
    assert names == ["Query.posts", "Post.author", "postgres@localhost"]


def test_subsegments_without_a_parent_yet_are_kept_aside() -> None:
    trace = trace_id()
    root = segment(trace)
    lost = streamed(subsegment("Post.author", 0, 1), {"id": "feedfacefeedface"}, trace)
    built = assemble(trace, [root, lost])
    assert [orphan["name"] for orphan in built.orphans] == ["Post.author"]


async def test_the_listener_counts_garbage_and_keeps_going(xray: RunningDaemon) -> None:
    trace = trace_id()
    send(xray, b"garbage", HEADER + b"\n{", segment(trace))
    await stored(xray, 3)
    assert xray.counters.stored == 1
    assert xray.counters.dropped == {"bad header": 1, "not JSON (truncated?)": 1}
