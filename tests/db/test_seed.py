"""`board seed` data: worth paging through, and harmless to run again."""

from __future__ import annotations

from sqlalchemy import func, select

from board.seed_data import DEMO_USERS, POSTS_PER_USER, seed
from db.engine import Database
from db.models import Comment, Post, User


async def _counts(database: Database) -> tuple[int, int, int]:
    async with database.sessions() as session:
        users = await session.scalar(select(func.count()).select_from(User))
        posts = await session.scalar(select(func.count()).select_from(Post))
        comments = await session.scalar(select(func.count()).select_from(Comment))
    return users or 0, posts or 0, comments or 0


async def test_seed_creates_demo_data_once(database: Database) -> None:
    first = await seed(database)
    assert first.users_created == len(DEMO_USERS)
    assert first.posts_created == POSTS_PER_USER * len(DEMO_USERS)
    assert first.comments_created > 0
    counts = await _counts(database)
    assert counts == (first.users_created, first.posts_created, first.comments_created)

    again = await seed(database)
    assert (again.users_created, again.posts_created, again.comments_created) == (0, 0, 0)
    assert await _counts(database) == counts
