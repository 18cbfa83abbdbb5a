"""Database outages, logged once when they start and once when they end.

Before (issue 13), every request failing during an outage logged its own traceback: ~183 lines
each, 38k lines in 20 s, burying the one fact an operator needs. The engine reports each
failed connection attempt and each dropped connection (``handle_error``) and each new
connection (``connect``); the first marks the database down, the second marks it back up.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, ExceptionContext

logger = logging.getLogger("board.db")

# What a request sees while the database cannot be reached: refused or dropped connections,
# and a pool that found no connection in time.
OUTAGE_ERRORS = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, ConnectionError)


def is_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


class OutageLog:
    def __init__(self) -> None:
        self.down = False

    def watch(self, engine: Engine) -> None:
        event.listen(engine, "handle_error", self._failed)
        event.listen(engine, "connect", self._connected)

    def _failed(self, context: ExceptionContext) -> None:
        unreachable = context.connection is None or context.is_disconnect
        if unreachable and not self.down:
            self.down = True
            error = context.original_exception
            logger.warning("database unavailable: %s", type(error).__name__)

    def _connected(self, *_: Any) -> None:
        if self.down:
            self.down = False
            logger.warning("database reachable again")
