"""`board demo` against a live server and the local daemon: the tutorial's scenario end to end."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import URL

from board.app import board_app, board_tracing
from board.chaos import Chaos
from board.demo import DemoPlan, migrate_twice, run_demo
from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.serving import served
from tests.support.traced_app import board_tracing_config
from xray_local.server import RunningDaemon


@pytest.fixture
async def api(database: Database, tokens: TokenSigner, xray: RunningDaemon) -> AsyncIterator[str]:
    """The board API with tracing to the daemon and chaos on, served by uvicorn on a free port."""
    tracing = board_tracing(board_tracing_config(xray.address))
    chaos = Chaos(error_rate=0.05, latency_ms=None, rng=random.Random(3))
    app = board_app(database, tokens, tracing=tracing, chaos=chaos)
    async with served(app) as url:
        yield f"{url}/graphql"


async def test_the_demo_finds_fifteen_traces_per_user_through_the_daemon(
    api: str, xray: RunningDaemon
) -> None:
    said: list[str] = []
    result = await run_demo(DemoPlan(api, xray.url, burst=30), said.append)

    assert result.traces_by_user == {"haandol": 15, "vincent": 15}
    assert result.failed_feed_requests > 0  # chaos on: some feed requests carry errors
    assert "CreatePost" in result.p95_by_operation
    assert any(line.startswith("15 CreatePost traces for haandol: http://") for line in said)
    assert any("/?filter=annotation.username%20%3D%20%22vincent%22" in line for line in said)


async def test_a_second_upgrade_is_a_no_op(migrated_url: URL) -> None:
    said: list[str] = []
    await asyncio.to_thread(migrate_twice, migrated_url, said.append)
    assert said[0] == "alembic upgrade head: 0002_sign_in_throttle -> 0002_sign_in_throttle"
    assert said[1].startswith("alembic upgrade head again: a no-op")
