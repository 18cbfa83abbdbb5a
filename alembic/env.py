"""Alembic environment: async engine over psycopg, target metadata from db.models."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import create_async_engine

from board.database import database_url
from board.settings import Settings
from db.models import Base

config = context.config
if config.config_file_name is not None and not config.attributes.get("database_url"):
    # Only when run as the `alembic` command; called from code, the caller owns logging.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_async(url: URL) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with)
    finally:
        await engine.dispose()


def run_offline(url: URL) -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def migrate(url: URL) -> None:
    if context.is_offline_mode():
        run_offline(url)
    else:
        asyncio.run(run_async(url))


def main() -> None:
    given: URL | None = config.attributes.get("database_url")
    if given is not None:
        migrate(given)
        return
    with database_url(Settings.from_env()) as url:
        migrate(url)


main()
