"""A request's share of the connection pool: at most N connections of one request out at once.

One operation fans out into many concurrent loads: 1,000 aliases of ``posts(first:100)`` ran
1,000 statements at once, exhausted the 30-connection pool, and ``/healthz`` answered 503
"database down" meanwhile (issue 13). Taking every connection of a request through one
semaphore keeps that request to its share, so the rest of the pool stays free for everyone else:
its reads hold one slot for their one connection (``db.reads``), its sessions take the others.
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


# A request's reads keep one connection until the request ends; a write needs one more.
MIN_CONNECTIONS_PER_REQUEST = 2


class ConnectionShare(asyncio.Semaphore):
    """One request's slots: one per connection it holds; ``async with share`` takes one."""

    def __init__(self, limit: int) -> None:
        if limit < MIN_CONNECTIONS_PER_REQUEST:
            raise ValueError(
                f"a request needs at least {MIN_CONNECTIONS_PER_REQUEST} connections "
                f"(its reads hold one, a write takes another); got {limit}"
            )
        super().__init__(limit)


class SharedSessions:
    """Sessions of ``sessions``, each holding a slot of ``share`` while it is open."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], share: ConnectionShare) -> None:
        self._sessions = sessions
        self._slots = share

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        async with self._slots, self._sessions() as session:
            yield session

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        async with self._slots, self._sessions.begin() as session:
            yield session
