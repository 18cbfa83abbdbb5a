"""Per-parent lookups in one statement for any number of parents: newest rows and counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Column, Row, Table, func, select

from db.queries.keys import among
from db.reads import Executor


async def newest_per_parent(
    reads: Executor,
    table: Table,
    parent: Column[int],
    parent_ids: Sequence[int],
    *,
    limit: int,
    before_id: int | None,
) -> dict[int, list[Row[Any]]]:
    """Up to ``limit`` rows per parent id, newest first, below ``before_id`` when given.

    A window function ranks each parent's rows so one statement serves every parent.
    """
    rank = func.row_number().over(partition_by=parent, order_by=table.c.id.desc()).label("rank")
    ranked = select(table, rank).where(among(parent, parent_ids, "parent_ids"))
    if before_id is not None:
        ranked = ranked.where(table.c.id < before_id)
    subquery = ranked.subquery()
    statement = (
        select(*(subquery.c[column.name] for column in table.c))
        .where(subquery.c.rank <= limit)
        .order_by(subquery.c[parent.name], subquery.c.id.desc())
    )
    pages: dict[int, list[Row[Any]]] = {parent_id: [] for parent_id in parent_ids}
    key = list(table.c.keys()).index(parent.name)
    for found in await reads.execute(statement):
        pages[found[key]].append(found)
    return pages


async def count_per_parent(
    reads: Executor, parent: Column[int], parent_ids: Sequence[int]
) -> dict[int, int]:
    """How many rows each parent id has, zero included."""
    statement = (
        select(parent, func.count()).where(among(parent, parent_ids, "parent_ids")).group_by(parent)
    )
    counts = dict.fromkeys(parent_ids, 0)
    rows = cast(Iterable[tuple[int, int]], await reads.execute(statement))
    counts.update({parent_id: count for parent_id, count in rows})
    return counts
