"""Where the database is: a Secrets Manager secret, DATABASE_URL, or the embedded server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL

from board.secrets import read_secret
from board.settings import Settings
from db.embedded import embedded_postgres
from db.url import to_async_url


@contextmanager
def database_url(settings: Settings) -> Iterator[URL]:
    if settings.database_secret_arn:
        yield read_secret(settings.database_secret_arn).url()
        return
    if settings.database_url:
        yield to_async_url(settings.database_url)
        return
    with embedded_postgres(settings.data_dir / "pg") as url:
        yield url
