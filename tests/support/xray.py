"""A real UDP socket standing in for the X-Ray daemon, and readers for the traces it receives."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

from tracing.wire import DATAGRAM_PREFIX, Document, assemble, descendants, is_subsegment

TRACE_WAIT_SECONDS = 5.0
# Shares the test's event loop with the app: requests that finish in one turn of the loop send
# their traces before it reads any, so the socket holds a burst (the kernel caps it at rmem_max).
RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024


class UdpCollector(asyncio.DatagramProtocol):
    """Keeps every datagram; ``trace`` rebuilds one trace from its documents."""

    def __init__(self) -> None:
        self.datagrams: list[bytes] = []
        self._arrived = asyncio.Event()
        self.address = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.get_extra_info("socket").setsockopt(
            socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES
        )
        host, port = transport.get_extra_info("sockname")[:2]
        self.address = f"{host}:{port}"

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.datagrams.append(data)
        self._arrived.set()

    def documents(self) -> list[Document]:
        found = []
        for datagram in self.datagrams:
            assert datagram.startswith(DATAGRAM_PREFIX), datagram[:80]
            found.append(json.loads(datagram[len(DATAGRAM_PREFIX) :]))
        return found

    def segments(self) -> list[Document]:
        return [doc for doc in self.documents() if not is_subsegment(doc)]

    async def trace(self, trace_id: str) -> Document:
        """The segment of ``trace_id`` with streamed subsegments put back under their parents."""
        async with asyncio.timeout(TRACE_WAIT_SECONDS):
            while True:
                docs = [doc for doc in self.documents() if doc["trace_id"] == trace_id]
                if not all(map(is_subsegment, docs)):
                    return whole_segment(trace_id, docs)
                self._arrived.clear()
                await self._arrived.wait()

    def size_of(self, trace_id: str) -> list[int]:
        """Byte sizes of the datagrams belonging to ``trace_id``."""
        return [
            len(datagram)
            for datagram, doc in zip(self.datagrams, self.documents(), strict=True)
            if doc["trace_id"] == trace_id
        ]


def whole_segment(trace_id: str, documents: list[Document]) -> Document:
    """The one segment of a trace with every streamed subsegment back in place."""
    trace = assemble(trace_id, documents)
    assert trace.orphans == [], [orphan["name"] for orphan in trace.orphans]
    (segment,) = trace.segments
    return segment


def named(entity: Document, name: str) -> list[Document]:
    return [sub for sub in descendants(entity) if sub["name"] == name]


def children(entity: Document) -> list[str]:
    return [sub["name"] for sub in entity.get("subsegments", [])]


async def udp_collector() -> tuple[asyncio.DatagramTransport, UdpCollector]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        UdpCollector, local_addr=("127.0.0.1", 0)
    )
    return transport, protocol
