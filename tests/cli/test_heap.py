"""The server freezes what it built at startup, after collecting what was already garbage."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from board.heap import freeze_startup_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


@pytest.fixture
def unfrozen_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_live_objects_are_frozen_and_garbage_is_not() -> None:
    garbage = weakref.ref(Node())
    kept = Node()
    assert _collectable(kept)

    freeze_startup_heap()

    assert garbage() is None
    assert not _collectable(kept)


def _collectable(thing: object) -> bool:
    """Whether the collector still looks at ``thing`` (frozen objects are out of its lists)."""
    return any(candidate is thing for candidate in gc.get_objects())
