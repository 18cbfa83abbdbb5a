"""A failed field cancels its siblings (graphql-core nulls the list and cancels the rest); a
key they awaited from a DataLoader is shared with other fields, which must still get their
value, not the sibling's cancellation. Seen as a CancelledError escaping a chaos feed request."""

from __future__ import annotations

import asyncio

import strawberry

from db.engine import Database
from graph.loaders import CachingLoader, Loader, SharedKeyLoader, build_loaders


async def slow_batch(keys: list[int]) -> list[int]:
    await asyncio.sleep(0.05)  # the failing sibling gets there first
    return [key * 10 for key in keys]


@strawberry.type
class Item:
    n: int

    @strawberry.field
    async def value(self, info: strawberry.Info) -> int:
        if self.n == 0:
            await asyncio.sleep(0)
            raise ValueError("this item fails")
        loader: Loader[int, int] = info.context["loader"]
        return await loader.load(1)


@strawberry.type
class Query:
    @strawberry.field
    async def items(self) -> list[Item] | None:
        return [Item(n=0), Item(n=1)]

    @strawberry.field
    async def other(self, info: strawberry.Info) -> int | None:
        loader: Loader[int, int] = info.context["loader"]
        return await loader.load(1)


async def test_a_cancelled_sibling_does_not_cancel_a_shared_key() -> None:
    schema = strawberry.Schema(query=Query)
    loader: Loader[int, int] = SharedKeyLoader(CachingLoader(load_fn=slow_batch))
    result = await schema.execute("{ items { value } other }", context_value={"loader": loader})
    assert result.data == {"items": None, "other": 10}
    assert [error.message for error in result.errors or []] == ["this item fails"]


async def test_a_cancelled_load_many_does_not_cancel_its_shared_keys() -> None:
    # Loading ahead (graph.prefetch) asks for many keys at once; cancelling the caller cancels
    # the gather of their futures, and through it every key, unless it is shielded too.
    loader: Loader[int, int] = SharedKeyLoader(CachingLoader(load_fn=slow_batch))
    ahead = asyncio.ensure_future(loader.load_many([1, 2]))
    single = asyncio.ensure_future(loader.load(2))
    await asyncio.sleep(0)
    ahead.cancel()
    assert await single == 20
    assert loader.peek(1) == 10


def test_every_batched_loader_shares_keys_safely(database: Database) -> None:
    loaders = build_loaders(database.reads(), batched=True)
    relations = [value for value in vars(loaders).values() if not isinstance(value, bool)]
    assert relations
    assert all(isinstance(loader, SharedKeyLoader) for loader in relations)
