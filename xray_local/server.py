"""One process, one address: UDP for segment documents, TCP for the X-Ray API and the console."""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tracing.sampling.rules import RuleSet, load_rules
from tracing.wire import Document
from xray_local.api import api_routes
from xray_local.console import console_routes
from xray_local.groups import GroupStore
from xray_local.groups_api import group_routes
from xray_local.index import TraceIndex
from xray_local.operation import not_found
from xray_local.otlp import DocumentSink, otlp_route
from xray_local.protocol import BadDatagram, parse_datagram
from xray_local.sampling_api import SamplingAuthority, default_xray_rules
from xray_local.store import Received, Retention, TraceStore

RECEIVE_BUFFER = 8 * 1024 * 1024
BATCH_MAX = 2000
BATCH_WAIT = 0.02
PRUNE_EVERY = 30.0


class Counters:
    def __init__(self) -> None:
        self.received = 0
        self.stored = 0
        self.dropped: Counter[str] = Counter()

    def as_dict(self) -> dict[str, Any]:
        return {"received": self.received, "stored": self.stored, "dropped": dict(self.dropped)}


class Ingest(asyncio.DatagramProtocol):
    """Parses each datagram on arrival; the writer thread stores them in batches."""

    def __init__(self, inbox: queue.SimpleQueue[Received], counters: Counters) -> None:
        self._inbox = inbox
        self._counters = counters

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self._counters.received += 1
        try:
            document = parse_datagram(data)
        except BadDatagram as error:
            self._counters.dropped[str(error)] += 1
            return
        body = data.partition(b"\n")[2].decode()
        start = float(document.get("start_time") or time.time())
        self._inbox.put(Received(document["trace_id"], start, body))


class Writer(threading.Thread):
    def __init__(
        self, store: TraceStore, inbox: queue.SimpleQueue[Received], counters: Counters
    ) -> None:
        super().__init__(name="xray-writer", daemon=True)
        self._store = store
        self._inbox = inbox
        self._counters = counters
        self._stopping = threading.Event()

    def run(self) -> None:
        next_prune = time.monotonic() + PRUNE_EVERY
        while not (self._stopping.is_set() and self._inbox.empty()):
            batch = self._take_batch()
            if batch:
                self._store.add(batch)
                self._counters.stored += len(batch)
            if time.monotonic() >= next_prune:
                self._store.prune()
                next_prune = time.monotonic() + PRUNE_EVERY

    def stop(self) -> None:
        self._stopping.set()
        self.join()

    def _take_batch(self) -> list[Received]:
        try:
            batch = [self._inbox.get(timeout=BATCH_WAIT)]
        except queue.Empty:
            return []
        while len(batch) < BATCH_MAX:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        return batch


@dataclass(frozen=True)
class DaemonSettings:
    host: str
    port: int
    data_dir: Path
    rules: RuleSet
    retention: Retention = field(default_factory=Retention)


def rules_from(path: str | None) -> RuleSet:
    return load_rules(path) if path else default_xray_rules()


def build_app(
    index: TraceIndex,
    authority: SamplingAuthority,
    counters: Counters,
    groups: GroupStore,
    store: DocumentSink,
) -> Starlette:
    async def stats(_: Request) -> JSONResponse:
        return JSONResponse(counters.as_dict())

    return Starlette(
        routes=[
            *api_routes(index, authority, groups),
            *group_routes(groups),
            *console_routes(index, groups),
            Route("/stats", stats),
            otlp_route(store),
        ],
        exception_handlers={404: not_found},
    )


def queued(inbox: queue.SimpleQueue[Received], counters: Counters) -> DocumentSink:
    """Documents made from OTLP spans join the datagrams' queue and are stored like them."""

    def store(documents: list[Document]) -> None:
        for document in documents:
            counters.received += 1
            body = json.dumps(document)
            inbox.put(Received(document["trace_id"], float(document["start_time"]), body))

    return store


@dataclass(frozen=True)
class RunningDaemon:
    address: str
    counters: Counters

    @property
    def url(self) -> str:
        return f"http://{self.address}"


@contextlib.asynccontextmanager
async def running_daemon(settings: DaemonSettings) -> AsyncIterator[RunningDaemon]:
    """UDP and HTTP on the same host and port (port 0 picks a free one for both)."""
    store = TraceStore(settings.data_dir / "traces.sqlite3", settings.retention)
    counters = Counters()
    inbox: queue.SimpleQueue[Received] = queue.SimpleQueue()
    writer = Writer(store, inbox, counters)
    writer.start()
    udp, tcp = _bind_pair(settings.host, settings.port)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: Ingest(inbox, counters), sock=udp)
    groups = GroupStore(settings.data_dir / "groups.json")
    app = build_app(
        TraceIndex(store),
        SamplingAuthority(settings.rules),
        counters,
        groups,
        queued(inbox, counters),
    )
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[tcp]))
    try:
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.01)
        host, port = udp.getsockname()[:2]
        yield RunningDaemon(f"{host}:{port}", counters)
    finally:
        server.should_exit = True
        await serving
        transport.close()
        await asyncio.to_thread(writer.stop)
        store.close()


class _Server(uvicorn.Server):
    """uvicorn without its signal handling: whoever runs the daemon decides when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind_pair(host: str, port: int) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket on one port; with port 0, retry until both get the same one."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        udp.bind((host, port))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind((host, udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            if port:
                raise
            continue
        tcp.listen(128)
        tcp.setblocking(False)
        return udp, tcp
    raise OSError(f"no free port for both UDP and TCP on {host}")


async def serve_forever(settings: DaemonSettings) -> None:
    """Run until SIGINT or SIGTERM, then store what is queued and close the database."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_daemon(settings) as daemon:
        print(f"X-Ray daemon: UDP {daemon.address}, API and console {daemon.url}/", flush=True)
        await stop.wait()
