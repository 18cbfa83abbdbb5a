"""Read entry points: the feed, single posts and users, and the signed-in viewer."""

from __future__ import annotations

from functools import partial

import strawberry

from db import models
from db.engine import Database
from db.queries.posts import count_posts, list_posts
from db.queries.users import count_users, find_user_by_username, list_users
from graph import validation
from graph.auth import DELETED_ACCOUNT, viewer_of
from graph.context import Info
from graph.errors import Unauthenticated
from graph.pagination import page_request
from graph.types import Connection, Post, User, connection


async def _count_posts(database: Database, author_id: int | None) -> int:
    async with database.sessions() as session:
        return await count_posts(session, author_id=author_id)


async def _count_users(database: Database) -> int:
    async with database.sessions() as session:
        return await count_users(session)


@strawberry.type
class Query:
    @strawberry.field(description="All posts, newest first; optionally one author's.")
    async def posts(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        author_username: str | None = None,
    ) -> Connection[Post]:
        page = page_request("post", first, after)
        if author_username is not None:
            validation.lookup_username(author_username, "authorUsername")
        database = info.context.database
        async with database.sessions() as session:
            author_id = None
            if author_username is not None:
                author = await find_user_by_username(session, author_username)
                if author is None:
                    no_rows: list[models.Post] = []
                    return connection("post", no_rows, page, Post.of, _no_rows)
                author_id = author.id
            rows = await list_posts(
                session, limit=page.fetch, before_id=page.before_id, author_id=author_id
            )
        return connection("post", rows, page, Post.of, partial(_count_posts, database, author_id))

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
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[User]:
        page = page_request("user", first, after)
        database = info.context.database
        async with database.sessions() as session:
            rows = await list_users(session, limit=page.fetch, before_id=page.before_id)
        return connection("user", rows, page, User.of, partial(_count_users, database))

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
