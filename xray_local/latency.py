"""Latency percentiles per operation and per resolver: "which part is slow at P95?"."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tracing.wire import (
    NOT_RESOLVER_PREFIXES,
    OPERATION_NAME,
    OPERATION_TYPE,
    Trace,
    descendants,
)
from xray_local.summary import Facts

HISTOGRAM_BUCKETS_MS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
OPERATION_KEYS = frozenset({OPERATION_TYPE, OPERATION_NAME})


@dataclass(frozen=True)
class Latency:
    name: str
    count: int
    p50: float
    p95: float
    p99: float
    histogram: tuple[int, ...]
    """Counts per bucket of ``HISTOGRAM_BUCKETS_MS`` (upper bounds), plus one for slower."""


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile, as X-Ray's console reports them."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency(name: str, seconds: list[float]) -> Latency:
    values = sorted(seconds)
    histogram = [0] * (len(HISTOGRAM_BUCKETS_MS) + 1)
    for value in values:
        milliseconds = value * 1000
        bucket = next(
            (i for i, bound in enumerate(HISTOGRAM_BUCKETS_MS) if milliseconds <= bound),
            len(HISTOGRAM_BUCKETS_MS),
        )
        histogram[bucket] += 1
    return Latency(
        name,
        len(values),
        percentile(values, 50),
        percentile(values, 95),
        percentile(values, 99),
        tuple(histogram),
    )


def by_operation(found: Iterable[tuple[Trace, Facts]]) -> list[Latency]:
    """Each GraphQL segment's own time, by its operation name.

    Only segments that carry ``operation_type`` or ``operation_name`` are GraphQL operations;
    another service's segment in the same trace (a calling client, a downstream worker) is not
    one, and a board operation is timed by its own segment, not by the caller's root.
    """
    samples: defaultdict[str, list[float]] = defaultdict(list)
    for trace, _ in found:
        for segment in trace.segments:
            notes = segment.get("annotations") or {}
            if not OPERATION_KEYS & notes.keys() or not segment.get("end_time"):
                continue
            name = notes.get(OPERATION_NAME)
            samples[str(name) if name else "(anonymous)"].append(
                segment["end_time"] - segment["start_time"]
            )
    return _ranked(samples)


def by_resolver(found: Iterable[tuple[Trace, Facts]]) -> list[Latency]:
    samples: defaultdict[str, list[float]] = defaultdict(list)
    for trace, _ in found:
        for segment in trace.segments:
            for sub in descendants(segment):
                if _is_resolver(sub) and sub.get("end_time"):
                    samples[sub["name"]].append(sub["end_time"] - sub["start_time"])
    return _ranked(samples)


def _is_resolver(subsegment: dict[str, object]) -> bool:
    """``Type.field``: local, dotted, and not one of our step, loader or fold subsegments."""
    name = str(subsegment.get("name", ""))
    return (
        "namespace" not in subsegment and "." in name and not name.startswith(NOT_RESOLVER_PREFIXES)
    )


def _ranked(samples: dict[str, list[float]]) -> list[Latency]:
    return sorted(
        (latency(name, values) for name, values in samples.items()), key=lambda row: -row.p95
    )
