"""One request's reads on one pooled connection, and the rows they return.

A session per batch load cost a checkout (with ``pool_pre_ping``'s extra round trip) and a
rollback each: four of them on the feed, more than the statements themselves. A request's reads
now share one connection, taken from the pool at the first statement and given back when the
request is done; statements take turns on it. Read queries return Core rows (no ORM identity
map, no instrumented objects): the ``*Record`` protocols below are what callers may read, and
ORM entities from writes satisfy them too.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

logger = logging.getLogger("board.db")


class Executor(Protocol):
    """What read queries run statements on: a request's ``Reads``, or a session in a write."""

    async def execute(self, statement: Executable, /) -> Result[Any]: ...


class Reads:
    """Read statements of one request; ``close`` returns the connection (rolling back)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()

    async def execute(self, statement: Executable) -> Result[Any]:
        """The statement's rows, fetched in full before the next statement may run."""
        async with self._turn:
            if self._connection is None:
                self._connection = await self._engine.connect()
            return await self._connection.execute(statement)

    async def close(self) -> None:
        async with self._turn:
            connection, self._connection = self._connection, None
            if connection is None:
                return
            try:
                await connection.close()
            except Exception:  # the answer has been computed; a broken connection is the pool's
                logger.warning("returning a read connection failed", exc_info=True)


class UserRecord(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class PostRecord(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def author_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


class CommentRecord(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def post_id(self) -> int: ...
    @property
    def author_id(self) -> int: ...
    @property
    def body(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
