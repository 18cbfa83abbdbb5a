"""The async engine (psycopg 3) with its pool, and the session factory built on it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.outage import OutageLog
from db.reads import Reads
from db.share import ConnectionShare, SessionFactory, SharedSessions
from db.url import to_async_url


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: SessionFactory
    unshared: async_sessionmaker[AsyncSession]
    """Sessions with no per-request bound; ``sessions`` is this unless it is a request's share."""
    share: ConnectionShare | None = None
    """A request's share of the pool (``shared``): its sessions and its reads draw on it."""

    @classmethod
    def connect(cls, url: str | URL, *, pool_size: int = 10, max_overflow: int = 20) -> Database:
        """Create the engine; no connection is opened until the first statement."""
        engine = create_async_engine(
            to_async_url(url),
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            # Error messages and logs name statements but never their bound values.
            hide_parameters=True,
        )
        # Rows outlive their session: resolvers read them after the session is closed.
        OutageLog().watch(engine.sync_engine)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        return cls(engine, sessions, sessions)

    def shared(self, limit: int) -> Database:
        """This database for one request: at most ``limit`` of its connections out at once,
        the one its reads share counted among them."""
        share = ConnectionShare(limit)
        return Database(self.engine, SharedSessions(self.unshared, share), self.unshared, share)

    def reads(self) -> Reads:
        """One request's reads, within its share; no connection is taken until the first
        statement."""
        return Reads(self.engine, self.share)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
