"""A request's share of the connection pool: at most N sessions of one request open at once.

One operation fans out into many concurrent loads: 1,000 aliases of ``posts(first:100)`` ran
1,000 statements at once, exhausted the 30-connection pool, and ``/healthz`` answered 503
"database down" meanwhile (issue 13). Opening every session of a request through one semaphore
keeps that request to its share, so the rest of the pool stays free for everyone else.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class SessionFactory(Protocol):
    """What callers use to open sessions: ``async with sessions()`` / ``sessions.begin()``."""

    def __call__(self) -> AbstractAsyncContextManager[AsyncSession]: ...

    def begin(self) -> AbstractAsyncContextManager[AsyncSession]: ...


class SharedSessions:
    """Sessions of ``sessions``, at most ``limit`` of them open at the same time."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], limit: int) -> None:
        self._sessions = sessions
        self._slots = asyncio.Semaphore(limit)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        async with self._slots, self._sessions() as session:
            yield session

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        async with self._slots, self._sessions.begin() as session:
            yield session
