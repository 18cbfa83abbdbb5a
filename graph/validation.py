"""Input rules for user-supplied text; each failure names the field it concerns."""

from __future__ import annotations

import re
import unicodedata

from db.models import BODY_MAX, CONTENT_MAX, TITLE_MAX, USERNAME_MAX
from graph.errors import BadUserInput
from graph.pagination import POSTGRES_BIGINT_MAX

USERNAME_PATTERN = re.compile(rf"[A-Za-z0-9_]{{3,{USERNAME_MAX}}}")
PASSWORD_MIN = 8
# Hashing is deliberately expensive; an unbounded password would let one request burn CPU.
PASSWORD_MAX = 1024


# Letters, marks, numbers, punctuation and symbols; not spaces, controls or format characters
# such as U+200B ZERO WIDTH SPACE, which look like nothing at all.
VISIBLE_CATEGORIES = frozenset("LMNPS")


def plain(field: str, value: str, *, maximum: int) -> str:
    """Text PostgreSQL can store and UTF-8 can encode, at most ``maximum`` characters."""
    if len(value) > maximum:
        raise BadUserInput(field, f"must be at most {maximum} characters (got {len(value)})")
    if "\x00" in value:
        raise BadUserInput(field, "must not contain NUL characters")
    if any("\ud800" <= character <= "\udfff" for character in value):
        raise BadUserInput(field, "must be valid Unicode (it holds a lone surrogate)")
    return value


def text(field: str, value: str, *, maximum: int) -> str:
    """Accept 1..maximum characters with at least one visible character, kept verbatim."""
    plain(field, value, maximum=maximum)
    if not any(unicodedata.category(character)[0] in VISIBLE_CATEGORIES for character in value):
        raise BadUserInput(field, "must hold at least one visible character")
    return value


def title(value: str, field: str = "title") -> str:
    return text(field, value, maximum=TITLE_MAX)


def content(value: str, field: str = "content") -> str:
    return text(field, value, maximum=CONTENT_MAX)


def comment_body(value: str, field: str = "body") -> str:
    return text(field, value, maximum=BODY_MAX)


def username(value: str, field: str = "username") -> str:
    plain(field, value, maximum=USERNAME_MAX)
    if not USERNAME_PATTERN.fullmatch(value):
        raise BadUserInput(
            field, f"must be 3-{USERNAME_MAX} characters of letters, digits and underscore"
        )
    return value


def password(value: str, field: str = "password") -> str:
    if len(value) < PASSWORD_MIN:
        raise BadUserInput(field, f"must be at least {PASSWORD_MIN} characters")
    return password_length(value, field)


def password_length(value: str, field: str = "password") -> str:
    """Only the upper bound: signIn must not tell which rules an old password broke."""
    return plain(field, value, maximum=PASSWORD_MAX)


def lookup_username(value: str, field: str = "username") -> str:
    """A username to look up: any text that could be stored, found or not."""
    return plain(field, value, maximum=USERNAME_MAX)


def record_id(value: str, field: str = "id") -> int:
    """Parse a GraphQL ``ID`` naming a row: a positive integer that fits a bigint."""
    if not value.isascii() or not value.isdigit():
        raise BadUserInput(field, "is not a valid id")
    number = int(value)
    if not 0 < number <= POSTGRES_BIGINT_MAX:
        raise BadUserInput(field, "is not a valid id")
    return number
