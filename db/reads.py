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
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from db.share import ConnectionShare

logger = logging.getLogger("board.db")


class Executor(Protocol):
    """What read queries run statements on: a request's ``Reads``, or a session in a write.

    ``parameters`` are the values of the statement's bound parameters, for statements built
    once and run with new values each time."""

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None, /
    ) -> Result[Any]: ...


class ReadsClosed(RuntimeError):
    """A statement came after its request had ended (e.g. a batch load left running)."""


class Reads:
    """Read statements of one request; ``close`` returns the connection (rolling back).

    The connection holds a slot of the request's ``share`` (``db.share``) from its first
    statement until ``close``. ``close`` ends the request's reads whatever runs then: a batch
    load outliving the operation (its fields failed or the request ran out of time) is
    cancelled rather than waited for, and no later statement takes a new connection.
    """

    def __init__(self, engine: AsyncEngine, share: ConnectionShare | None = None) -> None:
        self._engine = engine
        self._share = share
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()
        self._running: asyncio.Task[Any] | None = None
        self._closed = False

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Result[Any]:
        """The statement's rows, fetched in full before the next statement may run."""
        async with self._turn:
            if self._closed:
                raise ReadsClosed("this request's reads are over")
            self._running = asyncio.current_task()
            try:
                if self._connection is None:
                    self._connection = await self._connect()
                return await self._connection.execute(statement, parameters)
            finally:
                self._running = None

    async def _connect(self) -> AsyncConnection:
        if self._share is None:
            return await self._engine.connect()
        await self._share.acquire()
        try:
            return await self._engine.connect()
        except BaseException:
            self._share.release()
            raise

    async def close(self) -> None:
        self._closed = True
        if self._running is not None and self._running is not asyncio.current_task():
            self._running.cancel()
        async with self._turn:
            connection, self._connection = self._connection, None
            if connection is None:
                return
            try:
                await connection.close()
            except Exception:  # the answer has been computed; a broken connection is the pool's
                logger.warning("returning a read connection failed", exc_info=True)
            finally:
                if self._share is not None:
                    self._share.release()


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
