"""Loading a page's relations ahead, level by level, from what the query asks below it.

A list field (``Query.posts``) calls ``prefetch_posts`` with its rows: every relation the query
asks for below them is loaded through the request's loaders, one batch per relation and level,
and the nested resolvers then find their values in the loaders' caches (see
``graph.types.resolved``). The batches run inside the list field, so a trace shows them as
``loader:`` subsegments under it, as it showed the lazily gathered batches before.

Only batched loaders are worth it: with ``BOARD_DATALOADERS=off`` nothing is loaded ahead, and
each resolver still runs its own statement. A batch that fails is left to the resolvers, which
load lazily and report the failure on the fields it concerns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from db.reads import CommentRecord, PostRecord, UserRecord
from graph.errors import BadUserInput
from graph.loaders import Loader, Loaders, PageKey
from graph.lookahead import Asked, Fields, argument
from graph.pagination import PageRequest, page_request
from graph.types import DEFAULT_PAGE, DEFAULT_RELATED, related_key

Key = TypeVar("Key")
Value = TypeVar("Value")
Row = TypeVar("Row", PostRecord, CommentRecord)
Found = TypeVar("Found", UserRecord, PostRecord)


async def prefetch_posts(loaders: Loaders, posts: Sequence[PostRecord], fields: Fields) -> None:
    if not (loaders.batched and posts and fields):
        return
    if "author" in fields:
        authors = (post.author_id for post in posts)
        await _rows(loaders.user, authors, fields["author"], loaders, prefetch_users)
    if "commentCount" in fields:
        await _loaded(loaders.comment_count, (post.id for post in posts))
    post_ids = [post.id for post in posts]
    for asked in fields.get("comments", ()):
        await _pages("comment", loaders.comment_page, post_ids, asked, loaders, prefetch_comments)
    for asked in fields.get("related", ()):
        first = argument(asked, "first", DEFAULT_RELATED)
        if isinstance(first, int) and first >= 0:
            first = page_request("post", first, None).first
            await _loaded(loaders.post_page, (related_key(post.author_id, first) for post in posts))


async def prefetch_comments(
    loaders: Loaders, comments: Sequence[CommentRecord], fields: Fields
) -> None:
    if not (comments and fields):
        return
    if "author" in fields:
        authors = (comment.author_id for comment in comments)
        await _rows(loaders.user, authors, fields["author"], loaders, prefetch_users)
    if "post" in fields:
        posts = (comment.post_id for comment in comments)
        await _rows(loaders.post, posts, fields["post"], loaders, prefetch_posts)


async def prefetch_users(loaders: Loaders, users: Sequence[UserRecord], fields: Fields) -> None:
    if not (users and fields):
        return
    if "postCount" in fields:
        await _loaded(loaders.post_count, (user.id for user in users))
    user_ids = [user.id for user in users]
    for asked in fields.get("posts", ()):
        await _pages("post", loaders.post_page, user_ids, asked, loaders, prefetch_posts)


async def _rows(
    by_id: Loader[int, Found | None],
    ids: Iterable[int],
    asked: Sequence[Asked],
    loaders: Loaders,
    prefetch_rows: Callable[[Loaders, Sequence[Found], Fields], Awaitable[None]],
) -> None:
    """Load the rows ``ids`` refer to, then what each way of asking for them asks below."""
    rows = _present(await _loaded(by_id, ids))
    for each in asked:
        await prefetch_rows(loaders, rows, each.below)


async def _pages(
    kind: str,
    pages: Loader[PageKey, list[Row]],
    parent_ids: Sequence[int],
    asked: Asked,
    loaders: Loaders,
    prefetch_rows: Callable[[Loaders, Sequence[Row], Fields], Awaitable[None]],
) -> None:
    """Load each parent's page of a connection as asked, then what is asked of its nodes."""
    page = _page(kind, asked)
    if page is None:
        return
    keys = (PageKey(parent_id, page.fetch, page.before_id) for parent_id in parent_ids)
    found = await _loaded(pages, keys)
    rows = [row for page_rows in found or () for row in page_rows[: page.first]]
    await prefetch_rows(loaders, rows, _nodes(asked))


async def _loaded(loader: Loader[Key, Value], keys: Iterable[Key]) -> Sequence[Value] | None:
    """The values of the distinct ``keys``, loaded in one batch; None when the batch failed."""
    try:
        return await loader.load_many(list(dict.fromkeys(keys)))
    except Exception:  # the resolvers meet the same failure and report it where it belongs
        return None


def _present(rows: Sequence[Value | None] | None) -> list[Value]:
    return [row for row in rows or () if row is not None]


def _page(kind: str, asked: Asked) -> PageRequest | None:
    """The page a connection field will ask its loader for, if its arguments are valid."""
    first = argument(asked, "first", DEFAULT_PAGE)
    after = argument(asked, "after", None)
    if not isinstance(first, int) or not isinstance(after, str | None):
        return None
    try:
        return page_request(kind, first, after)
    except BadUserInput:  # the resolver reports it
        return None


def _nodes(asked: Asked) -> Fields:
    """What is asked of the nodes of a connection's edges."""
    nodes: Fields = {}
    for edges in asked.below.get("edges", ()):
        for node in edges.below.get("node", ()):
            for name, fields in node.below.items():
                nodes.setdefault(name, []).extend(fields)
    return nodes
