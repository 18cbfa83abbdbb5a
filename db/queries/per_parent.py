"""Per-parent lookups in one statement for any number of parents: newest rows and counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from db.models import Comment, Post
from db.queries.keys import among

Row = TypeVar("Row", Post, Comment)


async def newest_per_parent(
    session: AsyncSession,
    entity: type[Row],
    parent: InstrumentedAttribute[int],
    parent_ids: Sequence[int],
    *,
    limit: int,
    before_id: int | None,
) -> dict[int, list[Row]]:
    """Up to ``limit`` rows per parent id, newest first, below ``before_id`` when given.

    A window function ranks each parent's rows so one statement serves every parent.
    """
    rank = func.row_number().over(partition_by=parent, order_by=entity.id.desc()).label("rank")
    ranked = select(entity, rank).where(among(parent, parent_ids, "parent_ids"))
    if before_id is not None:
        ranked = ranked.where(entity.id < before_id)
    subquery = ranked.subquery()
    row = aliased(entity, subquery)
    statement = (
        select(row)
        .where(subquery.c.rank <= limit)
        .order_by(subquery.c[parent.key], subquery.c.id.desc())
    )
    pages: dict[int, list[Row]] = {parent_id: [] for parent_id in parent_ids}
    for found in await session.scalars(statement):
        pages[getattr(found, parent.key)].append(found)
    return pages


async def count_per_parent(
    session: AsyncSession, parent: InstrumentedAttribute[int], parent_ids: Sequence[int]
) -> dict[int, int]:
    """How many rows each parent id has, zero included."""
    statement = (
        select(parent, func.count()).where(among(parent, parent_ids, "parent_ids")).group_by(parent)
    )
    counts = dict.fromkeys(parent_ids, 0)
    counts.update({parent_id: count for parent_id, count in await session.execute(statement)})
    return counts
