"""Centralized sampling against a real `board xray`: rules from the daemon, fallback, recovery."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from tracing.daemon.server import DaemonSettings, running_daemon
from tracing.sampling.centralized import CentralizedSampler
from tracing.sampling.rules import default_rule_set, load_rules
from tracing.sampling.sampler import LocalSampler, SamplingRequest

RULES = {
    "version": 2,
    "rules": [{"description": "feed", "operation_name": "Feed", "fixed_target": 0, "rate": 1}],
    "default": {"fixed_target": 0, "rate": 0},
}
WAIT_SECONDS = 10.0


def request(operation: str) -> SamplingRequest:
    return SamplingRequest(
        host="board.test",
        service_name="board-api",
        method="POST",
        path="/graphql",
        operation_name=operation,
        operation_type="query",
    )


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_SECONDS):
        while True:  # the sampler's poller thread changes its state
            if condition():
                return
            await asyncio.sleep(0.05)


async def test_central_rules_apply_fall_back_when_the_daemon_goes_and_recover(
    tmp_path: Path,
) -> None:
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps(RULES))
    settings = DaemonSettings("127.0.0.1", 0, tmp_path / "xray", load_rules(rules_file))
    sample_everything = LocalSampler(default_rule_set())

    async with running_daemon(settings) as daemon:
        sampler = CentralizedSampler(
            daemon.address, fallback=sample_everything, rules_interval=0.2, targets_interval=0.2
        )
        sampler.start()
        try:
            await until(lambda: sampler.using_central_rules)
            feed = sampler.decide(request("Feed"))
            other = sampler.decide(request("Viewer"))
            assert (feed.sampled, feed.rule_name) == (True, "feed")
            assert (other.sampled, other.rule_name) == (False, "Default")
        finally:
            port = int(daemon.address.rsplit(":", 1)[1])

    try:
        await until(lambda: not sampler.using_central_rules)
        assert sampler.decide(request("Viewer")).sampled  # the local fallback samples all

        again = DaemonSettings("127.0.0.1", port, tmp_path / "xray", load_rules(rules_file))
        async with running_daemon(again):
            await until(lambda: sampler.using_central_rules)
            assert not sampler.decide(request("Viewer")).sampled
    finally:
        sampler.stop()
