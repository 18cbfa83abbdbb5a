"""Per-request loaders for every relation, batched (DataLoader) or one statement per parent.

Resolvers only call ``load(key)``; whether keys are batched is the ``BOARD_DATALOADERS``
switch. A ``LoaderHook`` lets instrumentation see each batched loader by name: who asked for a
key, and each batch function run.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from db import models
from db.engine import Database
from db.queries.comments import comment_counts_by_posts, comments_by_posts
from db.queries.posts import posts_by_authors, posts_by_ids
from db.queries.users import post_counts_by_authors, users_by_ids

Key = TypeVar("Key")
Value = TypeVar("Value")
Key_contra = TypeVar("Key_contra", contravariant=True)
Value_co = TypeVar("Value_co", covariant=True)

BatchFn = Callable[[list[Key]], Awaitable[list[Value]]]


class LoaderHook(Protocol):
    def watching(self) -> bool:
        """Whether this request's loaders are to be observed at all (asked once per request)."""

    def requested(self, name: str, /) -> None:
        """Called on every ``load`` of a batched loader, in the calling resolver's context."""

    def batch(self, name: str, load_fn: BatchFn[Key, Value], /) -> BatchFn[Key, Value]:
        """Wraps a batched loader's batch function, e.g. to trace each batch load."""


class Loader(Protocol[Key_contra, Value_co]):
    def load(self, key: Key_contra) -> Awaitable[Value_co]: ...


class ObservedLoader(Generic[Key, Value]):
    def __init__(self, name: str, loader: Loader[Key, Value], hook: LoaderHook) -> None:
        self._name = name
        self._loader = loader
        self._hook = hook

    def load(self, key: Key) -> Awaitable[Value]:
        self._hook.requested(self._name)
        return self._loader.load(key)


class SharedKeyLoader(Generic[Key, Value]):
    """A batched loader whose callers each get their own view of a key's shared future.

    A DataLoader hands every field that asks for a key the same future. When a field fails,
    graphql-core cancels its sibling fields; cancelling a task cancels the future it awaits,
    so the shared future and every other field awaiting it were cancelled too, and the
    CancelledError escaped the whole request (chaos feeds under load, 1 in ~5 test runs).
    """

    def __init__(self, loader: Loader[Key, Value]) -> None:
        self._loader = loader

    def load(self, key: Key) -> Awaitable[Value]:
        return asyncio.shield(self._loader.load(key))


class PerKeyLoader(Generic[Key, Value]):
    """Runs the batch function once per key, at once: the N+1 pattern, on purpose."""

    def __init__(self, load_fn: BatchFn[Key, Value]) -> None:
        self._load_fn = load_fn

    async def load(self, key: Key) -> Value:
        (value,) = await self._load_fn([key])
        return value


@dataclass(frozen=True)
class PageKey:
    """A page of a parent's children: ``first`` rows below ``before_id``, newest first."""

    parent_id: int
    fetch: int
    before_id: int | None


@dataclass(frozen=True)
class Loaders:
    user: Loader[int, models.User | None]
    post: Loader[int, models.Post | None]
    comment_count: Loader[int, int]
    post_count: Loader[int, int]
    comment_page: Loader[PageKey, list[models.Comment]]
    post_page: Loader[PageKey, list[models.Post]]


ByIds = Callable[[AsyncSession, Sequence[int]], Awaitable[Mapping[int, Value]]]


def _by_ids(database: Database, query: ByIds[Value]) -> BatchFn[int, Value | None]:
    async def load(ids: list[int]) -> list[Value | None]:
        async with database.sessions() as session:
            found = await query(session, ids)
        return [found.get(key) for key in ids]

    return load


class PagesQuery(Protocol[Value]):
    def __call__(
        self,
        session: AsyncSession,
        parent_ids: Sequence[int],
        /,
        *,
        limit: int,
        before_id: int | None,
    ) -> Awaitable[Mapping[int, list[Value]]]: ...


def _pages(database: Database, query: PagesQuery[Value]) -> BatchFn[PageKey, list[Value]]:
    async def load(keys: list[PageKey]) -> list[list[Value]]:
        # Keys asking for the same page window share one statement.
        windows: dict[tuple[int, int | None], list[int]] = defaultdict(list)
        for key in keys:
            windows[key.fetch, key.before_id].append(key.parent_id)
        pages: dict[PageKey, list[Value]] = {}
        async with database.sessions() as session:
            for (fetch, before_id), parent_ids in windows.items():
                found = await query(session, parent_ids, limit=fetch, before_id=before_id)
                for parent_id in parent_ids:
                    pages[PageKey(parent_id, fetch, before_id)] = found[parent_id]
        return [pages[key] for key in keys]

    return load


def _counts(database: Database, query: ByIds[int]) -> BatchFn[int, int]:
    async def load(ids: list[int]) -> list[int]:
        async with database.sessions() as session:
            found = await query(session, ids)
        return [found[key] for key in ids]

    return load


def build_loaders(database: Database, *, batched: bool, hook: LoaderHook | None = None) -> Loaders:
    """Fresh loaders for one request: nothing is cached across requests or users.

    The hook sees batched loaders only: unbatched, each statement runs inside the resolver that
    asked for it, which is exactly what a user flipping the switch wants to see.
    """

    observer = hook if hook is not None and hook.watching() else None

    def make(name: str, load_fn: BatchFn[Key, Value]) -> Loader[Key, Value]:
        if not batched:
            return PerKeyLoader(load_fn)
        if observer is None:
            return SharedKeyLoader(DataLoader(load_fn=load_fn))
        observed = ObservedLoader(name, DataLoader(load_fn=observer.batch(name, load_fn)), observer)
        return SharedKeyLoader(observed)

    return Loaders(
        user=make("UserById", _by_ids(database, users_by_ids)),
        post=make("PostById", _by_ids(database, posts_by_ids)),
        comment_count=make("CommentCount", _counts(database, comment_counts_by_posts)),
        post_count=make("PostCount", _counts(database, post_counts_by_authors)),
        comment_page=make("CommentPage", _pages(database, comments_by_posts)),
        post_page=make("PostPage", _pages(database, posts_by_authors)),
    )
