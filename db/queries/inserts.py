"""Insert a row and turn the constraint violations a caller expects into domain errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Base

Row = TypeVar("Row", bound=Base)
Violations = Mapping[type[Exception], Callable[[], Exception]]


async def insert(
    session: AsyncSession,
    row: Row,
    *,
    server_defaults: Sequence[str],
    violations: Violations | None = None,
) -> Row:
    """Add ``row``, read back ``server_defaults``; a listed violation raises its domain error."""
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        for violation, domain_error in (violations or {}).items():
            if isinstance(exc.orig, violation):
                raise domain_error() from None
        raise
    await session.refresh(row, list(server_defaults))
    return row
