"""Relay-style cursor pagination over id-descending (newest first) lists."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from graph.errors import BadUserInput

MAX_PAGE = 100
POSTGRES_BIGINT_MAX = 2**63 - 1
# A cursor this API issues is under 40 characters; anything much longer is not one of ours.
CURSOR_MAX = 100

Row = TypeVar("Row")


@dataclass(frozen=True)
class PageRequest:
    """How many rows to return and the id to continue below (exclusive), if any."""

    first: int
    before_id: int | None

    @property
    def fetch(self) -> int:
        """Rows to ask the database for: one extra tells whether another page exists."""
        return self.first + 1


def page_request(kind: str, first: int, after: str | None) -> PageRequest:
    if first < 0:
        raise BadUserInput("first", "must not be negative")
    return PageRequest(min(first, MAX_PAGE), decode_cursor(kind, after) if after else None)


def encode_cursor(kind: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{row_id}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, field: str = "after") -> int:
    """The row id inside a cursor this API issued for ``kind``; anything else is bad input."""
    if len(cursor) > CURSOR_MAX:
        raise BadUserInput(field, "is not a valid cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(field, "is not a valid cursor") from None
    prefix, _, number = raw.partition(":")
    if prefix != kind or not number.isascii() or not number.isdigit():
        raise BadUserInput(field, "is not a valid cursor")
    if not 0 < int(number) <= POSTGRES_BIGINT_MAX:
        raise BadUserInput(field, "is not a valid cursor")
    return int(number)


def split_page(rows: Sequence[Row], page: PageRequest) -> tuple[Sequence[Row], bool]:
    """The rows of this page and whether another page follows."""
    return rows[: page.first], len(rows) > page.first
