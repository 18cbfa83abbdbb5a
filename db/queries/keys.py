"""Bind a list of ids as one array parameter, keeping statement text independent of its length."""

from __future__ import annotations

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY


def among(column: ColumnElement[int], name: str) -> ColumnElement[bool]:
    """``column = ANY(:name)``: the ids are bound when the statement runs, as one bigint array,
    so a statement built once serves any number of them."""
    return column == any_(bindparam(name, type_=ARRAY(BigInteger)))
