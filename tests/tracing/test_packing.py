"""Cutting a trace into datagrams: every piece fits, nothing is lost, nothing is sent twice."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.support.xray import whole_segment
from tracing.packing import OversizedDocument, pack
from tracing.wire import Document, descendants, is_subsegment

LIMIT = 4000
TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"


def tree(width: int, depth: int, prefix: str = "n") -> list[Document]:
    if depth == 0:
        return []
    nodes: list[Document] = []
    for i in range(width):
        node: Document = {
            "id": f"{prefix}{i}",
            "name": "Post.author",
            "metadata": {"path": "x" * 100},
        }
        children = tree(width, depth - 1, f"{prefix}{i}.")
        if children:
            node["subsegments"] = children
        nodes.append(node)
    return nodes


def reassemble(parts: list[bytes]) -> Document:
    docs = [json.loads(part) for part in parts]
    assert all(doc["trace_id"] == TRACE_ID for doc in docs if is_subsegment(doc))
    return whole_segment(TRACE_ID, docs)


def test_a_large_trace_is_cut_into_fitting_pieces_and_reassembles_whole() -> None:
    document = {"id": "root", "trace_id": TRACE_ID, "name": "board-api", "subsegments": tree(6, 3)}
    expected = sorted(sub["id"] for sub in descendants(document))

    parts = pack(document, LIMIT)

    assert len(parts) > 1
    assert all(len(part) <= LIMIT for part in parts)
    assert json.loads(parts[-1])["id"] == "root"
    assert sorted(sub["id"] for sub in descendants(reassemble(parts))) == expected


def test_a_small_trace_is_one_document() -> None:
    document = {"id": "root", "trace_id": TRACE_ID, "name": "board-api", "subsegments": tree(2, 2)}
    (part,) = pack(document, LIMIT)
    assert json.loads(part) == document


def test_an_entity_too_big_on_its_own_is_refused() -> None:
    document = {"id": "root", "trace_id": TRACE_ID, "name": "x" * LIMIT}
    with pytest.raises(OversizedDocument, match="exceeds one datagram"):
        pack(document, LIMIT)


def test_a_value_the_fast_encoder_cannot_write_is_written_as_json_would() -> None:
    document = {"id": "root", "trace_id": TRACE_ID, "metadata": {"default": {"big": 2**70}}}
    (part,) = pack(document, LIMIT)
    assert json.loads(part) == document


def test_keys_other_than_strings_are_written_as_strings() -> None:
    request = uuid.UUID("12345678-1234-5678-1234-567812345678")
    metadata = {"default": {7: "seven", request: "a request", None: "none"}}
    document = {"id": "root", "trace_id": TRACE_ID, "metadata": metadata}
    (part,) = pack(document, LIMIT)
    assert json.loads(part)["metadata"] == {
        "default": {"7": "seven", str(request): "a request", "null": "none"}
    }
