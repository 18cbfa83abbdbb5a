"""Failed sign-ins per key in a fixed window, counted atomically by PostgreSQL's clock."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SignInFailures


async def seconds_blocked(
    session: AsyncSession, limits: Sequence[tuple[str, int]], window: timedelta
) -> int:
    """Seconds until every ``(key, max_failures)`` is under its limit again; 0 when all are."""
    keys = dict(limits)
    current = SignInFailures.window_started > func.now() - window
    remaining = func.extract("epoch", SignInFailures.window_started + window - func.now())
    statement = select(SignInFailures.key, SignInFailures.failures, remaining).where(
        SignInFailures.key.in_(list(keys)), current
    )
    rows = await session.execute(statement)
    waits = [seconds for key, failures, seconds in rows if failures >= keys[key]]
    return max((math.ceil(seconds) for seconds in waits), default=0)


async def record_failure(session: AsyncSession, keys: Sequence[str], window: timedelta) -> None:
    """Count one failure against each key, starting a new window where the last has ended."""
    expired = SignInFailures.window_started <= func.now() - window
    statement = insert(SignInFailures).values([{"key": key, "failures": 1} for key in keys])
    statement = statement.on_conflict_do_update(
        index_elements=[SignInFailures.key],
        set_={
            "failures": case((expired, 1), else_=SignInFailures.failures + 1),
            "window_started": case((expired, func.now()), else_=SignInFailures.window_started),
        },
    )
    await session.execute(statement)


async def forget_failures(session: AsyncSession, key: str) -> None:
    await session.execute(delete(SignInFailures).where(SignInFailures.key == key))
