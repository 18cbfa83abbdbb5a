"""Per-parent lookups in one statement for any number of parents: newest rows and counts.

The statements are built once per table and bound anew on each call: building the newest-rows
statement (a window function over a subquery) and computing its cache key took SQLAlchemy about
0.4 ms a call, the feed's comment page, where the prebuilt one's cache key is remembered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import BigInteger, Column, Integer, Row, Select, Table, bindparam, func, select

from db.queries.keys import among
from db.reads import Executor


class NewestPerParent:
    """Up to ``limit`` rows of ``table`` per ``parent`` id, newest first, below ``before_id``
    when given. A window function ranks each parent's rows so one statement serves every parent.
    """

    def __init__(self, table: Table, parent: Column[int]) -> None:
        self._parent_index = list(table.c.keys()).index(parent.name)
        self._first_pages = _newest_rows(table, parent, below_a_cursor=False)
        self._later_pages = _newest_rows(table, parent, below_a_cursor=True)

    async def __call__(
        self, reads: Executor, parent_ids: Sequence[int], *, limit: int, before_id: int | None
    ) -> dict[int, list[Row[Any]]]:
        parameters: dict[str, Any] = {"parent_ids": list(parent_ids), "limit": limit}
        statement = self._first_pages
        if before_id is not None:
            parameters["before_id"] = before_id
            statement = self._later_pages
        pages: dict[int, list[Row[Any]]] = {parent_id: [] for parent_id in parent_ids}
        for found in await reads.execute(statement, parameters):
            pages[found[self._parent_index]].append(found)
        return pages


class CountPerParent:
    """How many rows each ``parent`` id has, zero included."""

    def __init__(self, parent: Column[int]) -> None:
        self._statement = (
            select(parent, func.count()).where(among(parent, "parent_ids")).group_by(parent)
        )

    async def __call__(self, reads: Executor, parent_ids: Sequence[int]) -> dict[int, int]:
        found = await reads.execute(self._statement, {"parent_ids": list(parent_ids)})
        counts = dict.fromkeys(parent_ids, 0)
        for parent_id, count in cast(Iterable[tuple[int, int]], found):
            counts[parent_id] = count
        return counts


def _newest_rows(table: Table, parent: Column[int], *, below_a_cursor: bool) -> Select[Any]:
    rank = func.row_number().over(partition_by=parent, order_by=table.c.id.desc()).label("rank")
    ranked = select(table, rank).where(among(parent, "parent_ids"))
    if below_a_cursor:
        ranked = ranked.where(table.c.id < bindparam("before_id", type_=BigInteger))
    subquery = ranked.subquery()
    return (
        select(*(subquery.c[column.name] for column in table.c))
        .where(subquery.c.rank <= bindparam("limit", type_=Integer))
        .order_by(subquery.c[parent.name], subquery.c.id.desc())
    )
