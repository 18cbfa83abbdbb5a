"""The object types of the schema: users, posts, comments and their connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Generic, TypeVar

import strawberry

from db import models
from graph.context import Info
from graph.loaders import Loader, PageKey
from graph.pagination import PageRequest, encode_cursor, page_request, split_page

Node = TypeVar("Node")
Row = TypeVar("Row", models.User, models.Post, models.Comment)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    """A page of ``Node``s, newest first; named ``PostConnection`` etc. in the schema."""

    edges: list[Edge[Node]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole connection has, across pages.")
    async def total_count(self) -> int:
        return await self.count()


def connection(
    kind: str,
    rows: Sequence[Row],
    page: PageRequest,
    to_node: Callable[[Row], Node],
    count: Callable[[], Awaitable[int]],
) -> Connection[Node]:
    page_rows, has_next_page = split_page(rows, page)
    edges = [Edge(cursor=encode_cursor(kind, row.id), node=to_node(row)) for row in page_rows]
    end_cursor = edges[-1].cursor if edges else None
    page_info = PageInfo(has_next_page=has_next_page, end_cursor=end_cursor)
    return Connection(edges=edges, page_info=page_info, count=count)


async def children(
    kind: str,
    pages: Loader[PageKey, list[Row]],
    counts: Loader[int, int],
    parent_id: int,
    first: int,
    after: str | None,
    to_node: Callable[[Row], Node],
) -> Connection[Node]:
    """A page of a parent's children (a user's posts, a post's comments) through loaders."""
    page = page_request(kind, first, after)
    rows = await pages.load(PageKey(parent_id, page.fetch, page.before_id))
    return connection(kind, rows, page, to_node, partial(counts.load, parent_id))


def found(value: Row | None, what: str) -> Row:
    """A row a foreign key guarantees; its absence is a bug, reported as an internal error."""
    if value is None:
        raise LookupError(f"{what} referenced by a foreign key is missing")
    return value


@strawberry.type
class User:
    pk: strawberry.Private[int]
    id: strawberry.ID
    username: str
    created_at: datetime

    @classmethod
    def of(cls, row: models.User) -> User:
        return cls(
            pk=row.id,
            id=strawberry.ID(str(row.id)),
            username=row.username,
            created_at=row.created_at,
        )

    @strawberry.field
    async def post_count(self, info: Info) -> int:
        return await info.context.loaders.post_count.load(self.pk)

    @strawberry.field(description="The user's posts, newest first.")
    async def posts(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Post]:
        loaders = info.context.loaders
        return await children(
            "post", loaders.post_page, loaders.post_count, self.pk, first, after, Post.of
        )


@strawberry.type
class Post:
    pk: strawberry.Private[int]
    author_id: strawberry.Private[int]
    id: strawberry.ID
    title: str
    content: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: models.Post) -> Post:
        return cls(
            pk=row.id,
            author_id=row.author_id,
            id=strawberry.ID(str(row.id)),
            title=row.title,
            content=row.content,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field
    async def author(self, info: Info) -> User:
        return User.of(found(await info.context.loaders.user.load(self.author_id), "author"))

    @strawberry.field
    async def comment_count(self, info: Info) -> int:
        return await info.context.loaders.comment_count.load(self.pk)

    @strawberry.field(description="Comments on this post, newest first.")
    async def comments(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Comment]:
        loaders = info.context.loaders
        return await children(
            "comment",
            loaders.comment_page,
            loaders.comment_count,
            self.pk,
            first,
            after,
            Comment.of,
        )

    @strawberry.field(description="Other posts by the same author, newest first.")
    async def related(self, info: Info, first: int = 5) -> list[Post]:
        first = page_request("post", first, None).first
        # The author's newest first+1 posts always hold `first` others: shared by every post
        # of that author in this request, so the page of posts costs one statement.
        rows = await info.context.loaders.post_page.load(PageKey(self.author_id, first + 1, None))
        return [Post.of(row) for row in rows if row.id != self.pk][:first]


@strawberry.type
class Comment:
    pk: strawberry.Private[int]
    post_id: strawberry.Private[int]
    author_id: strawberry.Private[int]
    id: strawberry.ID
    body: str
    created_at: datetime

    @classmethod
    def of(cls, row: models.Comment) -> Comment:
        return cls(
            pk=row.id,
            post_id=row.post_id,
            author_id=row.author_id,
            id=strawberry.ID(str(row.id)),
            body=row.body,
            created_at=row.created_at,
        )

    @strawberry.field
    async def author(self, info: Info) -> User:
        return User.of(found(await info.context.loaders.user.load(self.author_id), "author"))

    @strawberry.field
    async def post(self, info: Info) -> Post:
        return Post.of(found(await info.context.loaders.post.load(self.post_id), "post"))


@strawberry.type
class AuthPayload:
    token: str
    user: User
