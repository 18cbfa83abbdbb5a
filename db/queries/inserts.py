"""Insert a row and turn the constraint violations a caller expects into domain errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Base

Row = TypeVar("Row", bound=Base)
Violations = Mapping[type[Exception] | str, Callable[[], Exception]]
"""Keyed by the driver's exception type, or by a constraint's name when one type covers many."""


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
            if _violates(exc.orig, violation):
                raise domain_error() from None
        raise
    await session.refresh(row, list(server_defaults))
    return row


def _violates(error: BaseException | None, violation: type[Exception] | str) -> bool:
    if isinstance(violation, str):
        diagnostics = getattr(error, "diag", None)
        return getattr(diagnostics, "constraint_name", None) == violation
    return isinstance(error, violation)
