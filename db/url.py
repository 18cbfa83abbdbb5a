"""Database URLs: accept what users write, hand SQLAlchemy the async psycopg dialect."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

ACCEPTED_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class DatabaseURLError(ValueError):
    """The configured database URL is not one this project can use."""


def to_async_url(raw: str | URL) -> URL:
    """Return ``raw`` as a ``postgresql+psycopg`` URL, the driver the async engine uses."""
    try:
        url = make_url(raw)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with the whole URL in it
        raise DatabaseURLError("DATABASE_URL is not a valid database URL") from exc
    if url.drivername not in ACCEPTED_SCHEMES:
        raise DatabaseURLError(
            f"DATABASE_URL uses {url.drivername!r}; use postgresql:// or postgresql+psycopg://"
        )
    return url.set(drivername="postgresql+psycopg")
