"""Posts: the feed, lookups, pages per author, and writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import AuthorNotFound
from db.models import Post
from db.queries.inserts import insert
from db.queries.keys import among
from db.queries.per_parent import NewestPerParent
from db.queries.tables import POSTS
from db.reads import Executor, PostRecord

_NEWEST_POSTS = NewestPerParent(POSTS, POSTS.c.author_id)
_POSTS_BY_IDS = select(POSTS).where(among(POSTS.c.id, "post_ids"))


async def list_posts(
    reads: Executor, *, limit: int, before_id: int | None, author_id: int | None = None
) -> list[PostRecord]:
    statement = select(POSTS).order_by(POSTS.c.id.desc()).limit(limit)
    if before_id is not None:
        statement = statement.where(POSTS.c.id < before_id)
    if author_id is not None:
        statement = statement.where(POSTS.c.author_id == author_id)
    return cast(list[PostRecord], (await reads.execute(statement)).all())


async def count_posts(reads: Executor, *, author_id: int | None = None) -> int:
    statement = select(func.count()).select_from(POSTS)
    if author_id is not None:
        statement = statement.where(POSTS.c.author_id == author_id)
    return (await reads.execute(statement)).scalar() or 0


async def posts_by_ids(reads: Executor, ids: Sequence[int]) -> dict[int, PostRecord]:
    rows = await reads.execute(_POSTS_BY_IDS, {"post_ids": list(ids)})
    return {post.id: cast(PostRecord, post) for post in rows}


async def posts_by_authors(
    reads: Executor, author_ids: Sequence[int], *, limit: int, before_id: int | None
) -> dict[int, list[PostRecord]]:
    """Each author's newest posts (one statement for all authors)."""
    pages = await _NEWEST_POSTS(reads, author_ids, limit=limit, before_id=before_id)
    return cast(dict[int, list[PostRecord]], pages)


async def post_for_update(session: AsyncSession, post_id: int) -> Post | None:
    """The post, row-locked until the transaction ends so concurrent edits serialize."""
    statement = select(Post).where(Post.id == post_id).with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def create_post(session: AsyncSession, *, author_id: int, title: str, content: str) -> Post:
    post = Post(author_id=author_id, title=title, content=content)
    return await insert(
        session,
        post,
        server_defaults=["created_at", "updated_at"],
        violations={"fk_posts_author_id_users": lambda: AuthorNotFound(author_id)},
    )


async def update_post(
    session: AsyncSession, post: Post, *, title: str | None, content: str | None
) -> Post:
    if title is not None:
        post.title = title
    if content is not None:
        post.content = content
    # The clock when this statement runs, after post_for_update's lock: later than any edit
    # committed before it. now() would be the transaction's start, possibly before that edit.
    post.updated_at = func.clock_timestamp()
    await session.flush()
    await session.refresh(post, ["updated_at"])
    return post


async def delete_post(session: AsyncSession, post: Post) -> None:
    """Delete the post; its comments go with it (ON DELETE CASCADE)."""
    await session.delete(post)
    await session.flush()
