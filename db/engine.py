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

from db.reads import Reads
from db.url import to_async_url


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

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
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    def reads(self) -> Reads:
        """One request's reads; no connection is taken until its first statement."""
        return Reads(self.engine)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
