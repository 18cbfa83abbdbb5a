"""Comments: pages and counts per post, lookups, and writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import AuthorNotFound, PostNotFound
from db.models import Comment
from db.queries.inserts import insert
from db.queries.per_parent import CountPerParent, NewestPerParent
from db.queries.tables import COMMENTS
from db.reads import CommentRecord, Executor

_NEWEST_COMMENTS = NewestPerParent(COMMENTS, COMMENTS.c.post_id)
_COMMENT_COUNTS = CountPerParent(COMMENTS.c.post_id)


async def comments_by_posts(
    reads: Executor, post_ids: Sequence[int], *, limit: int, before_id: int | None
) -> dict[int, list[CommentRecord]]:
    """Each post's newest comments (one statement for all posts)."""
    pages = await _NEWEST_COMMENTS(reads, post_ids, limit=limit, before_id=before_id)
    return cast(dict[int, list[CommentRecord]], pages)


async def comment_counts_by_posts(reads: Executor, post_ids: Sequence[int]) -> dict[int, int]:
    return await _COMMENT_COUNTS(reads, post_ids)


async def comment_for_update(session: AsyncSession, comment_id: int) -> Comment | None:
    statement = select(Comment).where(Comment.id == comment_id).with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def create_comment(
    session: AsyncSession, *, post_id: int, author_id: int, body: str
) -> Comment:
    """Add a comment; PostNotFound when the post does not exist (or was just deleted),
    AuthorNotFound when the author's account does not."""
    return await insert(
        session,
        Comment(post_id=post_id, author_id=author_id, body=body),
        server_defaults=["created_at"],
        violations={
            "fk_comments_post_id_posts": lambda: PostNotFound(post_id),
            "fk_comments_author_id_users": lambda: AuthorNotFound(author_id),
        },
    )


async def delete_comment(session: AsyncSession, comment: Comment) -> None:
    await session.delete(comment)
    await session.flush()
