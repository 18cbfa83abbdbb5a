"""Migrations build exactly the schema the models describe, and undo it completely."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from board.migrations import downgrade, upgrade
from db.models import Base


async def _inspect(url: URL, probe: Any) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(probe)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_downgrade_base_then_upgrade_head_round_trips(migrated_url: URL) -> None:
    # Alembic runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(downgrade, migrated_url, "base")
    assert await _inspect(migrated_url, _tables) == {"alembic_version"}
    await asyncio.to_thread(upgrade, migrated_url, "head")
    assert await _inspect(migrated_url, _tables) == {
        "alembic_version",
        "users",
        "posts",
        "comments",
        "sign_in_failures",
    }


async def test_upgrade_head_twice_is_a_no_op(migrated_url: URL) -> None:
    await asyncio.to_thread(upgrade, migrated_url, "head")
    await asyncio.to_thread(upgrade, migrated_url, "head")
    assert await _inspect(migrated_url, _differences) == []


async def test_models_and_migrations_agree(migrated_url: URL) -> None:
    assert await _inspect(migrated_url, _differences) == []
