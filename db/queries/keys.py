"""Bind a list of ids as one array parameter, keeping statement text independent of its length."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY


def among(column: ColumnElement[int], ids: Sequence[int], name: str) -> ColumnElement[bool]:
    """``column = ANY(:name)`` with ``ids`` bound as a bigint array."""
    return column == any_(bindparam(name, list(ids), type_=ARRAY(BigInteger)))
