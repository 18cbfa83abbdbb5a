"""Users: accounts, lookups by id or name, listing and post counts."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg.errors import UniqueViolation
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import UsernameTaken
from db.models import Post, User
from db.queries.inserts import insert
from db.queries.keys import among
from db.queries.per_parent import count_per_parent


async def create_user(session: AsyncSession, username: str, password_hash: str) -> User:
    return await insert(
        session,
        User(username=username, password_hash=password_hash),
        server_defaults=["created_at"],
        violations={UniqueViolation: lambda: UsernameTaken(username)},
    )


async def find_user_by_username(session: AsyncSession, username: str) -> User | None:
    statement = select(User).where(func.lower(User.username) == func.lower(username))
    return (await session.scalars(statement)).one_or_none()


async def users_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, User]:
    rows = await session.scalars(select(User).where(among(User.id, ids, "user_ids")))
    return {user.id: user for user in rows}


async def list_users(session: AsyncSession, *, limit: int, before_id: int | None) -> list[User]:
    statement = select(User).order_by(User.id.desc()).limit(limit)
    if before_id is not None:
        statement = statement.where(User.id < before_id)
    return list(await session.scalars(statement))


async def count_users(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(User))) or 0


async def post_counts_by_authors(
    session: AsyncSession, author_ids: Sequence[int]
) -> dict[int, int]:
    return await count_per_parent(session, Post.author_id, author_ids)
