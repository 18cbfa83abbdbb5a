"""Users: accounts, lookups by id or name, listing and post counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from psycopg.errors import UniqueViolation
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import UsernameTaken
from db.models import User
from db.queries.inserts import insert
from db.queries.keys import among
from db.queries.per_parent import CountPerParent
from db.queries.tables import POSTS, USER_COLUMNS, USERS
from db.reads import Executor, UserRecord

_USERS_BY_IDS = select(*USER_COLUMNS).where(among(USERS.c.id, "user_ids"))
_POST_COUNTS = CountPerParent(POSTS.c.author_id)


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


async def users_by_ids(reads: Executor, ids: Sequence[int]) -> dict[int, UserRecord]:
    rows = await reads.execute(_USERS_BY_IDS, {"user_ids": list(ids)})
    return {user.id: cast(UserRecord, user) for user in rows}


async def list_users(reads: Executor, *, limit: int, before_id: int | None) -> list[UserRecord]:
    statement = select(*USER_COLUMNS).order_by(USERS.c.id.desc()).limit(limit)
    if before_id is not None:
        statement = statement.where(USERS.c.id < before_id)
    return cast(list[UserRecord], (await reads.execute(statement)).all())


async def count_users(reads: Executor) -> int:
    return (await reads.execute(select(func.count()).select_from(USERS))).scalar() or 0


async def post_counts_by_authors(reads: Executor, author_ids: Sequence[int]) -> dict[int, int]:
    return await _POST_COUNTS(reads, author_ids)
