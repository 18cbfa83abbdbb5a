"""Read entry points: the feed, single posts and users, and the signed-in viewer."""

from __future__ import annotations

from functools import partial

import strawberry

from db.queries.posts import count_posts, list_posts
from db.queries.users import count_users, find_user_by_username, list_users
from db.reads import PostRecord
from graph import validation
from graph.auth import DELETED_ACCOUNT, viewer_of
from graph.context import Info
from graph.errors import Unauthenticated
from graph.lookahead import Fields, fields_below
from graph.pagination import page_request
from graph.prefetch import prefetch_posts, prefetch_users
from graph.types import (
    DEFAULT_PAGE,
    Connection,
    Post,
    User,
    asks_for_cursors,
    connection,
)


@strawberry.type
class Query:
    @strawberry.field(description="All posts, newest first; optionally one author's.")
    async def posts(
        self,
        info: Info,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
        author_username: str | None = None,
    ) -> Connection[Post]:
        page = page_request("post", first, after)
        context = info.context
        author_id = None
        if author_username is not None:
            validation.lookup_username(author_username, "authorUsername")
            async with context.database.sessions() as session:
                author = await find_user_by_username(session, author_username)
            if author is None:
                no_rows: list[PostRecord] = []
                return connection("post", no_rows, page, Post.of, _no_rows)
            author_id = author.id
        rows = await list_posts(
            context.reads, limit=page.fetch, before_id=page.before_id, author_id=author_id
        )
        await prefetch_posts(context.loaders, rows[: page.first], _nodes_below(info))
        count = partial(count_posts, context.reads, author_id=author_id)
        return connection("post", rows, page, Post.of, count, cursors=asks_for_cursors(info))

    @strawberry.field
    async def post(self, info: Info, id: strawberry.ID) -> Post | None:
        row = await info.context.loaders.post.load(validation.record_id(id))
        return Post.of(row) if row else None

    @strawberry.field(description="A user by username (case-insensitive).")
    async def user(self, info: Info, username: str) -> User | None:
        validation.lookup_username(username)
        async with info.context.database.sessions() as session:
            row = await find_user_by_username(session, username)
        return User.of(row) if row else None

    @strawberry.field(description="All users, newest first.")
    async def users(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[User]:
        page = page_request("user", first, after)
        context = info.context
        rows = await list_users(context.reads, limit=page.fetch, before_id=page.before_id)
        await prefetch_users(context.loaders, rows[: page.first], _nodes_below(info))
        count = partial(count_users, context.reads)
        return connection("user", rows, page, User.of, count, cursors=asks_for_cursors(info))

    @strawberry.field(description="The signed-in user; null without a token.")
    async def viewer(self, info: Info) -> User | None:
        viewer = viewer_of(info.context.request)
        if viewer is None:
            return None
        row = await info.context.loaders.user.load(viewer.id)
        if row is None:
            raise Unauthenticated(DELETED_ACCOUNT)
        return User.of(row)


async def _no_rows() -> int:
    return 0


def _nodes_below(info: Info) -> Fields:
    return fields_below(info, "edges", "node") or {}
