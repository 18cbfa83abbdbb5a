"""The server freezes what it built at startup, after collecting what was already garbage, and
collects young objects less often than Python's default."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from board.heap import YOUNG_COLLECTION_THRESHOLD, prepare_collector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("collector_restored")
def test_live_objects_are_frozen_and_garbage_is_not() -> None:
    garbage = weakref.ref(Node())
    kept = Node()
    assert _collectable(kept)

    prepare_collector()

    assert garbage() is None
    assert not _collectable(kept)


@pytest.mark.usefixtures("collector_restored")
def test_young_objects_are_collected_less_often_and_the_older_generations_as_before() -> None:
    young, middle, oldest = gc.get_threshold()

    prepare_collector()

    assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, middle, oldest)
    assert young < YOUNG_COLLECTION_THRESHOLD  # Python's 700 ran twice a feed request


def _collectable(thing: object) -> bool:
    """Whether the collector still looks at ``thing`` (frozen objects are out of its lists)."""
    return any(candidate is thing for candidate in gc.get_objects())
