"""Centralized sampling against a real `board xray`: rules, quotas, fallback, recovery.

Garbage and a hung daemon are played by a bare TCP server: the real daemon does neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.support.sampling import Clock, request
from tracing.sampling.centralized import CentralizedSampler
from tracing.sampling.rules import default_rule_set, parse_rules
from tracing.sampling.sampler import LocalSampler, SamplingDecision, SamplingRequest
from xray_local.server import DaemonSettings, running_daemon

RULES = parse_rules(
    {
        "version": 2,
        "rules": [
            {"description": "feed", "operation_name": "Feed", "fixed_target": 3, "rate": 0},
            {"description": "writes", "operation_type": "mutation", "fixed_target": 0, "rate": 1},
        ],
        "default": {"fixed_target": 0, "rate": 0},
    },
    source="rules.json",
)
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_SECONDS):
        while True:  # the sampler's poller thread changes what it answers; no event to await
            if condition():
                return
            await asyncio.sleep(0.02)


def sampled_in_a_new_second(
    sampler: CentralizedSampler, clock: Clock, incoming: SamplingRequest
) -> int:
    clock.now += 1
    return sum(sampler.decide(incoming).sampled for _ in range(6))


def centralized(address: str, clock: Clock | None = None) -> CentralizedSampler:
    return CentralizedSampler(
        address,
        fallback=LocalSampler(default_rule_set()),  # samples everything
        rules_interval=POLL_SECONDS,
        targets_interval=POLL_SECONDS,
        clock=clock or time.time,
    )


async def test_rules_and_quotas_from_the_daemon_fallback_while_it_is_gone_and_recovery(
    tmp_path: Path,
) -> None:
    settings = DaemonSettings("127.0.0.1", 0, tmp_path / "xray", RULES)
    clock = Clock()
    clock.now = time.time()  # quota TTLs from the daemon are wall-clock times
    feed = request("Feed")
    async with running_daemon(settings) as daemon:
        sampler = centralized(daemon.address, clock)
        assert sampler.needs_operation is False  # the local fallback has no operation rules
        sampler.start()
        try:
            await until(lambda: sampler.using_central_rules)
            assert sampler.needs_operation
            assert sampler.decide(request("CreatePost", "mutation")) == SamplingDecision(
                True, "writes"
            )
            assert sampler.decide(request("Viewer")) == SamplingDecision(False, "Default")
            # borrowing gives one a second; the daemon's quota for this client is three
            await until(lambda: sampled_in_a_new_second(sampler, clock, feed) == 3)
            assert sampler.decide(feed).rule_name == "feed"
        finally:
            port = int(daemon.address.rsplit(":", 1)[1])

    try:
        await until(lambda: not sampler.using_central_rules)
        assert sampler.decide(request("Viewer")) == SamplingDecision(
            True, "Default"
        )  # local: sample all

        again = DaemonSettings("127.0.0.1", port, tmp_path / "xray", RULES)
        async with running_daemon(again):
            await until(lambda: sampler.using_central_rules)
            assert sampler.decide(request("Viewer")) == SamplingDecision(False, "Default")
    finally:
        await asyncio.to_thread(sampler.stop)


class BareServer:
    """Answers every HTTP request with one fixed body, or holds it unanswered."""

    def __init__(self, body: bytes | None) -> None:
        self.body = body
        self.requests = 0
        self.open_connections: list[asyncio.StreamReader] = []
        self._writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                self.requests += 1
                if self.body is None:
                    self.open_connections.append(reader)
                    return  # never answered; closed when the test ends
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(self.body), self.body)
                )
                await writer.drain()

    async def close_connections(self) -> None:
        for writer in self._writers:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


@contextlib.asynccontextmanager
async def bare_server(body: bytes | None) -> AsyncIterator[tuple[str, BareServer]]:
    state = BareServer(body)
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}", state
    finally:
        await state.close_connections()
        server.close()


GARBAGE = [
    b"<html>not json</html>",
    b"[]",
    json.dumps({"SamplingRuleRecords": [{"SamplingRule": {"RuleName": "x", "Host": 5}}]}).encode(),
    json.dumps({"SamplingRuleRecords": [{"SamplingRule": {"Attributes": "x"}}]}).encode(),
]


@pytest.mark.parametrize("body", GARBAGE)
async def test_garbage_from_the_daemon_leaves_the_local_rules_deciding(body: bytes) -> None:
    async with bare_server(body) as (address, server):
        sampler = centralized(address)
        sampler.start()
        try:
            await until(lambda: server.requests >= 3)  # it keeps asking, and keeps failing
            assert not sampler.using_central_rules
            assert sampler.decide(request("Viewer")) == SamplingDecision(True, "Default")
        finally:
            await asyncio.to_thread(sampler.stop)


async def test_a_hung_daemon_never_holds_up_a_decision() -> None:
    async with bare_server(None) as (address, server):
        sampler = centralized(address)
        sampler.start()
        try:
            await until(lambda: server.requests == 1)
            decisions = [sampler.decide(request("Viewer")) for _ in range(100)]
            # decided by the local rules while the poller's request is still unanswered
            assert not server.open_connections[0].at_eof()
            assert set(decisions) == {SamplingDecision(True, "Default")}
        finally:
            await server.close_connections()
            await asyncio.to_thread(sampler.stop)
