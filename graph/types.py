"""The object types of the schema: users, posts, comments and their connections.

Relation resolvers are plain functions: a value already loaded (by a list field looking ahead,
see ``graph.prefetch``) is answered at once; otherwise they hand graphql-core an awaitable that
loads it. Their GraphQL types are given explicitly, as the Python return type admits both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Generic, TypeVar

import strawberry

from db.reads import CommentRecord, PostRecord, UserRecord
from graph.context import Info
from graph.loaders import MISSING, Loader, PageKey
from graph.lookahead import asks_for
from graph.pagination import PageRequest, encode_cursor, page_request, split_page

Node = TypeVar("Node")
Row = TypeVar("Row", UserRecord, PostRecord, CommentRecord)
Key = TypeVar("Key")
Loaded = TypeVar("Loaded")
Answer = TypeVar("Answer")

DEFAULT_PAGE = 20
DEFAULT_RELATED = 5
NO_CURSOR = ""
"""An edge's cursor when the query does not ask for it: never sent, so never built."""


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
    *,
    cursors: bool = True,
) -> Connection[Node]:
    page_rows, has_next_page = split_page(rows, page)
    if cursors:
        edges = [Edge(cursor=encode_cursor(kind, row.id), node=to_node(row)) for row in page_rows]
    else:
        edges = [Edge(cursor=NO_CURSOR, node=to_node(row)) for row in page_rows]
    end_cursor = encode_cursor(kind, page_rows[-1].id) if page_rows else None
    page_info = PageInfo(has_next_page=has_next_page, end_cursor=end_cursor)
    return Connection(edges=edges, page_info=page_info, count=count)


def asks_for_cursors(info: Info) -> bool:
    """Whether the connection being resolved has its edges' cursors asked for."""
    return asks_for(info, "edges", "cursor")


def resolved(
    loader: Loader[Key, Loaded], key: Key, answer: Callable[[Loaded], Answer]
) -> Answer | Awaitable[Answer]:
    """``answer`` of the loaded value: at once when it is loaded already, else once it is."""
    value = loader.peek(key)
    if value is MISSING:
        return _answer_when_loaded(loader.load(key), answer)
    return answer(value)


async def _answer_when_loaded(
    loading: Awaitable[Loaded], answer: Callable[[Loaded], Answer]
) -> Answer:
    return answer(await loading)


def children(
    kind: str,
    pages: Loader[PageKey, list[Row]],
    counts: Loader[int, int],
    parent_id: int,
    first: int,
    after: str | None,
    to_node: Callable[[Row], Node],
    *,
    cursors: bool,
) -> Connection[Node] | Awaitable[Connection[Node]]:
    """A page of a parent's children (a user's posts, a post's comments) through loaders."""
    page = page_request(kind, first, after)
    count = partial(counts.load, parent_id)
    as_connection = partial(connection, kind, page=page, to_node=to_node, count=count)
    return resolved(
        pages,
        PageKey(parent_id, page.fetch, page.before_id),
        lambda rows: as_connection(rows, cursors=cursors),
    )


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
    def of(cls, row: UserRecord) -> User:
        return cls(
            pk=row.id,
            id=strawberry.ID(str(row.id)),
            username=row.username,
            created_at=row.created_at,
        )

    @strawberry.field(graphql_type=int)
    def post_count(self, info: Info) -> int | Awaitable[int]:
        return resolved(info.context.loaders.post_count, self.pk, int)

    @strawberry.field(
        description="The user's posts, newest first.", graphql_type="Connection[Post]"
    )
    def posts(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Post] | Awaitable[Connection[Post]]:
        loaders = info.context.loaders
        return children(
            "post",
            loaders.post_page,
            loaders.post_count,
            self.pk,
            first,
            after,
            Post.of,
            cursors=asks_for_cursors(info),
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
    def of(cls, row: PostRecord) -> Post:
        return cls(
            pk=row.id,
            author_id=row.author_id,
            id=strawberry.ID(str(row.id)),
            title=row.title,
            content=row.content,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(graphql_type="User")
    def author(self, info: Info) -> User | Awaitable[User]:
        return resolved(info.context.loaders.user, self.author_id, _author)

    @strawberry.field(graphql_type=int)
    def comment_count(self, info: Info) -> int | Awaitable[int]:
        return resolved(info.context.loaders.comment_count, self.pk, int)

    @strawberry.field(
        description="Comments on this post, newest first.", graphql_type="Connection[Comment]"
    )
    def comments(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Comment] | Awaitable[Connection[Comment]]:
        loaders = info.context.loaders
        return children(
            "comment",
            loaders.comment_page,
            loaders.comment_count,
            self.pk,
            first,
            after,
            Comment.of,
            cursors=asks_for_cursors(info),
        )

    @strawberry.field(
        description="Other posts by the same author, newest first.", graphql_type="list[Post]"
    )
    def related(
        self, info: Info, first: int = DEFAULT_RELATED
    ) -> list[Post] | Awaitable[list[Post]]:
        first = page_request("post", first, None).first
        # The author's newest first+1 posts always hold `first` others: shared by every post
        # of that author in this request, so the page of posts costs one statement.
        key = related_key(self.author_id, first)
        return resolved(
            info.context.loaders.post_page,
            key,
            lambda rows: [Post.of(row) for row in rows if row.id != self.pk][:first],
        )


@strawberry.type
class Comment:
    pk: strawberry.Private[int]
    post_id: strawberry.Private[int]
    author_id: strawberry.Private[int]
    id: strawberry.ID
    body: str
    created_at: datetime

    @classmethod
    def of(cls, row: CommentRecord) -> Comment:
        return cls(
            pk=row.id,
            post_id=row.post_id,
            author_id=row.author_id,
            id=strawberry.ID(str(row.id)),
            body=row.body,
            created_at=row.created_at,
        )

    @strawberry.field(graphql_type="User")
    def author(self, info: Info) -> User | Awaitable[User]:
        return resolved(info.context.loaders.user, self.author_id, _author)

    @strawberry.field(graphql_type="Post")
    def post(self, info: Info) -> Post | Awaitable[Post]:
        return resolved(info.context.loaders.post, self.post_id, _post)


def related_key(author_id: int, first: int) -> PageKey:
    """The page ``Post.related`` reads: the author's newest ``first + 1`` posts."""
    return PageKey(author_id, first + 1, None)


def _author(row: UserRecord | None) -> User:
    return User.of(found(row, "author"))


def _post(row: PostRecord | None) -> Post:
    return Post.of(found(row, "post"))


@strawberry.type
class AuthPayload:
    token: str
    user: User
