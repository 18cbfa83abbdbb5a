"""Per-request loaders for every relation, batched (DataLoader) or one statement per parent.

Resolvers call ``peek(key)`` for a value already loaded (then they answer at once, without a
coroutine) and ``load(key)`` otherwise; whether keys are batched is the ``BOARD_DATALOADERS``
switch. A ``LoaderHook`` lets instrumentation see each batched loader by name: who asked for a
key, and each batch function run.
"""

from __future__ import annotations

import asyncio
import enum
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from strawberry.dataloader import DataLoader

from db.queries.comments import comment_counts_by_posts, comments_by_posts
from db.queries.posts import posts_by_authors, posts_by_ids
from db.queries.users import post_counts_by_authors, users_by_ids
from db.reads import CommentRecord, PostRecord, Reads, UserRecord

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


class Missing(enum.Enum):
    MISSING = enum.auto()


MISSING = Missing.MISSING
"""What ``peek`` answers for a key that is not loaded (yet, or ever: loading failed)."""


class Loader(Protocol[Key_contra, Value_co]):
    def load(self, key: Key_contra) -> Awaitable[Value_co]: ...

    def load_many(self, keys: Iterable[Key_contra]) -> Awaitable[Sequence[Value_co]]: ...

    def peek(self, key: Key_contra) -> Value_co | Missing: ...

    def release(self) -> None:
        """Let go of every value loaded: the request is over."""


class CachingLoader(DataLoader[Key, Value]):
    """A DataLoader that also tells which values its cache already holds."""

    def peek(self, key: Key) -> Value | Missing:
        future = self.cache_map.get(key)
        if future is None or not future.done() or future.cancelled() or future.exception():
            return MISSING
        return future.result()

    def release(self) -> None:
        self.clear_all()
        self.batch = None  # the last batch's tasks hold their futures, and those their values


class ObservedLoader(Generic[Key, Value]):
    def __init__(self, name: str, loader: CachingLoader[Key, Value], hook: LoaderHook) -> None:
        self._name = name
        self._loader = loader
        self._hook = hook
        # Peeking loads nothing, so there is nothing to observe: the loader's own method,
        # without a call of ours around it (the traced feed peeks 260 times a request).
        self.peek: Callable[[Key], Value | Missing] = loader.peek

    def load(self, key: Key) -> Awaitable[Value]:
        self._hook.requested(self._name)
        return self._loader.load(key)

    def load_many(self, keys: Iterable[Key]) -> Awaitable[list[Value]]:
        self._hook.requested(self._name)
        return self._loader.load_many(keys)

    def release(self) -> None:
        self._loader.release()


class SharedKeyLoader(Generic[Key, Value]):
    """A batched loader whose callers each get their own view of a key's shared future.

    A DataLoader hands every field that asks for a key the same future. When a field fails,
    graphql-core cancels its sibling fields; cancelling a task cancels the future it awaits,
    so the shared future and every other field awaiting it were cancelled too, and the
    CancelledError escaped the whole request (chaos feeds under load, 1 in ~5 test runs).
    """

    def __init__(self, loader: Loader[Key, Value]) -> None:
        self._loader = loader
        # A peek returns a value, not a future to shield: the loader's own method will do.
        self.peek: Callable[[Key], Value | Missing] = loader.peek

    def load(self, key: Key) -> Awaitable[Value]:
        return asyncio.shield(self._loader.load(key))

    def load_many(self, keys: Iterable[Key]) -> Awaitable[Sequence[Value]]:
        # Cancelling a gather cancels what it gathers: the keys' shared futures, here too.
        return asyncio.shield(self._loader.load_many(keys))

    def release(self) -> None:
        self._loader.release()


class PerKeyLoader(Generic[Key, Value]):
    """Runs the batch function once per key, at once: the N+1 pattern, on purpose."""

    def __init__(self, load_fn: BatchFn[Key, Value]) -> None:
        self._load_fn = load_fn

    async def load(self, key: Key) -> Value:
        (value,) = await self._load_fn([key])
        return value

    async def load_many(self, keys: Iterable[Key]) -> list[Value]:
        return list(await asyncio.gather(*map(self.load, keys)))

    def peek(self, key: Key) -> Missing:
        return MISSING

    def release(self) -> None:
        """Nothing is kept: each load runs its own statement."""


@dataclass(frozen=True)
class PageKey:
    """A page of a parent's children: ``first`` rows below ``before_id``, newest first."""

    parent_id: int
    fetch: int
    before_id: int | None


@dataclass(frozen=True)
class Loaders:
    batched: bool
    """Whether keys are batched: only then is loading ahead of the resolvers worth it."""
    user: Loader[int, UserRecord | None]
    post: Loader[int, PostRecord | None]
    comment_count: Loader[int, int]
    post_count: Loader[int, int]
    comment_page: Loader[PageKey, list[CommentRecord]]
    post_page: Loader[PageKey, list[PostRecord]]

    def release(self) -> None:
        """Let go of everything loaded once the operation has been executed.

        graphql-core's execution context refers to itself (its ``async_helpers`` are its own
        bound methods), so it and the context it was given wait in a reference cycle for the
        garbage collector, and the loaders' rows, futures and batches with them. On the feed
        that was 834 objects a request, 208 without them; with 8 feed requests at once, a
        collection of the oldest generation (one every 50-70 requests) took 18 ms, 5.5 now.
        """
        for loader in (
            self.user,
            self.post,
            self.comment_count,
            self.post_count,
            self.comment_page,
            self.post_page,
        ):
            loader.release()


ByIds = Callable[[Reads, Sequence[int]], Awaitable[Mapping[int, Value]]]


def _by_ids(reads: Reads, query: ByIds[Value]) -> BatchFn[int, Value | None]:
    async def load(ids: list[int]) -> list[Value | None]:
        found = await query(reads, ids)
        return [found.get(key) for key in ids]

    return load


class PagesQuery(Protocol[Value]):
    def __call__(
        self,
        reads: Reads,
        parent_ids: Sequence[int],
        /,
        *,
        limit: int,
        before_id: int | None,
    ) -> Awaitable[Mapping[int, list[Value]]]: ...


def _pages(reads: Reads, query: PagesQuery[Value]) -> BatchFn[PageKey, list[Value]]:
    async def load(keys: list[PageKey]) -> list[list[Value]]:
        # Keys asking for the same page window share one statement.
        windows: dict[tuple[int, int | None], list[int]] = defaultdict(list)
        for key in keys:
            windows[key.fetch, key.before_id].append(key.parent_id)
        pages: dict[PageKey, list[Value]] = {}
        for (fetch, before_id), parent_ids in windows.items():
            found = await query(reads, parent_ids, limit=fetch, before_id=before_id)
            for parent_id in parent_ids:
                pages[PageKey(parent_id, fetch, before_id)] = found[parent_id]
        return [pages[key] for key in keys]

    return load


def _counts(reads: Reads, query: ByIds[int]) -> BatchFn[int, int]:
    async def load(ids: list[int]) -> list[int]:
        found = await query(reads, ids)
        return [found[key] for key in ids]

    return load


def build_loaders(reads: Reads, *, batched: bool, hook: LoaderHook | None = None) -> Loaders:
    """Fresh loaders for one request: nothing is cached across requests or users.

    The hook sees batched loaders only: unbatched, each statement runs inside the resolver that
    asked for it, which is exactly what a user flipping the switch wants to see.
    """

    observer = hook if hook is not None and hook.watching() else None

    def make(name: str, load_fn: BatchFn[Key, Value]) -> Loader[Key, Value]:
        if not batched:
            return PerKeyLoader(load_fn)
        if observer is None:
            return SharedKeyLoader(CachingLoader(load_fn=load_fn))
        batches: CachingLoader[Key, Value] = CachingLoader(load_fn=observer.batch(name, load_fn))
        observed: Loader[Key, Value] = ObservedLoader(name, batches, observer)
        return SharedKeyLoader(observed)

    return Loaders(
        batched=batched,
        user=make("UserById", _by_ids(reads, users_by_ids)),
        post=make("PostById", _by_ids(reads, posts_by_ids)),
        comment_count=make("CommentCount", _counts(reads, comment_counts_by_posts)),
        post_count=make("PostCount", _counts(reads, post_counts_by_authors)),
        comment_page=make("CommentPage", _pages(reads, comments_by_posts)),
        post_page=make("PostPage", _pages(reads, posts_by_authors)),
    )
