"""Per-request sampling decisions: first matching rule, its per-second reservoir, then its rate."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from tracing.wire.sampling_rules import RuleSet, SamplingRule

Clock = Callable[[], float]
Random = Callable[[], float]


@dataclass(frozen=True)
class SamplingRequest:
    host: str
    service_name: str
    method: str
    path: str
    operation_name: str | None
    operation_type: str


@dataclass(frozen=True)
class SamplingDecision:
    sampled: bool
    rule_name: str | None


class Sampler(Protocol):
    @property
    def needs_operation(self) -> bool:
        """Whether ``decide`` looks at the operation, so the request body must be peeked first."""
        ...

    def decide(self, request: SamplingRequest) -> SamplingDecision:
        """Synchronous and thread-safe; it never waits on the network (microseconds)."""
        ...

    def start(self) -> None:
        """Begin any background polling (the app's startup)."""
        ...

    def stop(self) -> None:
        """End it; blocking for at most a few seconds, so call it off the event loop."""
        ...


class Reservoir:
    """``fixed_target`` decisions per clock second, shared by the threads of one process."""

    def __init__(self, per_second: int, clock: Clock) -> None:
        self._per_second = per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._second = -1
        self._taken = 0

    def resize(self, per_second: int) -> None:
        """A new quota; what this second has taken already still counts against it."""
        with self._lock:
            self._per_second = per_second

    def take(self) -> bool:
        if self._per_second == 0:
            return False
        with self._lock:
            second = int(self._clock())
            if second != self._second:
                self._second, self._taken = second, 0
            if self._taken >= self._per_second:
                return False
            self._taken += 1
            return True


class LocalSampler:
    def __init__(
        self, rules: RuleSet, *, clock: Clock = time.time, coin: Random = random.random
    ) -> None:
        self._coin = coin
        # Each rule keeps its own reservoir, found with the rule rather than looked up per request.
        self._rules = tuple((rule, Reservoir(rule.fixed_target, clock)) for rule in rules.rules)
        self._default = (rules.default, Reservoir(rules.default.fixed_target, clock))
        self.needs_operation = any(
            rule.operation_name != "*" or rule.operation_type != "*" for rule in rules.rules
        )

    def decide(self, request: SamplingRequest) -> SamplingDecision:
        rule, reservoir = self._match(request)
        sampled = reservoir.take() or self._coin() < rule.rate
        return SamplingDecision(sampled, rule.name)

    def matching_rule(self, request: SamplingRequest) -> SamplingRule:
        return self._match(request)[0]

    def _match(self, request: SamplingRequest) -> tuple[SamplingRule, Reservoir]:
        for rule, reservoir in self._rules:
            if rule.matches(
                host=request.host,
                service_name=request.service_name,
                method=request.method,
                path=request.path,
                operation_name=request.operation_name,
                operation_type=request.operation_type,
            ):
                return rule, reservoir
        return self._default

    def start(self) -> None:
        """Nothing to poll: local rules are fixed for the life of the process."""

    def stop(self) -> None:
        """Nothing to stop."""
