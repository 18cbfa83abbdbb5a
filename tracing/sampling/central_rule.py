"""X-Ray's centralized sampling rules as this process applies them.

A rule's matchers come from ``GetSamplingRules``; its quota and rate from ``GetSamplingTargets``.
The quota, the rate and the statistics not yet reported live in a ``RuleTarget`` that survives a
refresh of the rule definitions, so counts made between two polls are never lost.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracing.sampling.sampler import Clock, Random, Reservoir, SamplingRequest
from tracing.wire.sampling_rules import glob_matches

DEFAULT_PRIORITY = 10000
NO_EXPIRY = float("inf")


@dataclass
class RuleTarget:
    """What the daemon last granted a rule, and what happened under it since the last report."""

    fixed_rate: float
    can_borrow: bool
    clock: Clock
    quota_expires: float = 0.0  # no quota granted yet
    requests: int = 0
    sampled: int = 0
    borrowed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    quota: Reservoir = field(init=False)
    borrow: Reservoir = field(init=False)

    def __post_init__(self) -> None:
        self.quota = Reservoir(0, self.clock)
        self.borrow = Reservoir(1, self.clock)

    def sample(self, coin: Random) -> bool:
        with self.lock:
            self.requests += 1
            if self.clock() < self.quota_expires:
                taken = self.quota.take()
            elif self.can_borrow:  # no quota yet (or it lapsed): one a second, as the SDKs do
                taken = self.borrow.take()
                self.borrowed += taken
            else:
                taken = False
            sampled = taken or coin() < self.fixed_rate
            self.sampled += sampled
        return sampled

    def grant(self, target: Target) -> None:
        with self.lock:
            self.fixed_rate = target.fixed_rate
            if target.quota is not None:
                self.quota.resize(target.quota)
                self.quota_expires = target.quota_expires

    def take_counts(self) -> tuple[int, int, int]:
        """Requests, sampled and borrowed since the last call."""
        with self.lock:
            counts = (self.requests, self.sampled, self.borrowed)
            self.requests = self.sampled = self.borrowed = 0
        return counts


@dataclass(frozen=True)
class CentralRule:
    name: str
    priority: int
    service_name: str
    host: str
    http_method: str
    url_path: str
    attributes: Mapping[str, str]
    target: RuleTarget

    def matches(self, request: SamplingRequest) -> bool:
        # ServiceType and ResourceARN describe where the service runs; like the X-Ray SDKs we
        # only take rules whose ResourceARN is `*`, and a request without an origin type
        # matches any ServiceType.
        return (
            glob_matches(self.service_name, request.service_name)
            and glob_matches(self.host, request.host)
            and glob_matches(self.http_method, request.method)
            and glob_matches(self.url_path, request.path)
            and all(
                glob_matches(pattern, _attribute(request, key))
                for key, pattern in self.attributes.items()
            )
        )


def central_rules(
    records: Iterable[Any], clock: Clock, previous: Iterable[CentralRule] = ()
) -> list[CentralRule]:
    """The usable rules of a ``GetSamplingRules`` answer, in priority order.

    Anything malformed raises ``ValueError``/``TypeError``/``KeyError``: the answer is garbage
    and the caller keeps to its fallback.
    """
    targets = {rule.name: rule.target for rule in previous}
    rules = [
        _central_rule(record["SamplingRule"], clock, targets)
        for record in records
        if _applies_here(record["SamplingRule"])
    ]
    return sorted(rules, key=lambda rule: (rule.priority, rule.name))


@dataclass(frozen=True)
class Target:
    """One ``SamplingTargetDocument``: what the daemon grants a rule until the next poll."""

    rule_name: str
    fixed_rate: float
    quota: int | None
    quota_expires: float
    interval: float | None

    @classmethod
    def parse(cls, document: Any) -> Target:
        quota = document.get("ReservoirQuota")
        interval = document.get("Interval")
        return cls(
            rule_name=_text(document, "RuleName", default=None),
            fixed_rate=_rate(document["FixedRate"]),
            quota=None if quota is None else _whole(quota),
            quota_expires=_expiry(document.get("ReservoirQuotaTTL")),
            interval=None if interval is None else float(_whole(interval)),
        )


def _applies_here(record: Any) -> bool:
    return bool(record.get("Version", 1) == 1 and record.get("ResourceARN", "*") == "*")


def _central_rule(record: Any, clock: Clock, targets: Mapping[str, RuleTarget]) -> CentralRule:
    name = _text(record, "RuleName", default=None)
    fixed_rate = _rate(record.get("FixedRate", 0.0))
    can_borrow = _whole(record.get("ReservoirSize", 0)) > 0
    target = targets.get(name)
    if target is None:
        target = RuleTarget(fixed_rate, can_borrow, clock)
    else:
        target.fixed_rate, target.can_borrow = fixed_rate, can_borrow
    attributes = record.get("Attributes") or {}
    if not isinstance(attributes, dict):
        raise TypeError(f"rule {name!r}: Attributes must be an object")
    return CentralRule(
        name=name,
        priority=_whole(record.get("Priority", DEFAULT_PRIORITY)),
        service_name=_text(record, "ServiceName"),
        host=_text(record, "Host"),
        http_method=_text(record, "HTTPMethod"),
        url_path=_text(record, "URLPath"),
        attributes={key: _text(attributes, key) for key in attributes},
        target=target,
    )


def _attribute(request: SamplingRequest, key: str) -> str:
    if key == "operation_name":
        return request.operation_name or ""
    if key == "operation_type":
        return request.operation_type
    return ""  # an attribute we do not know only matches `*`


def _text(record: Mapping[str, Any], key: str, default: str | None = "*") -> str:
    value = record[key] if default is None else record.get(key, default)
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string (got {value!r})")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number >= 0 (got {value!r})")
    return value


def _rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"expected a rate from 0 to 1 (got {value!r})")
    return float(value)


def _expiry(value: Any) -> float:
    if value is None:
        return NO_EXPIRY
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"ReservoirQuotaTTL must be a timestamp (got {value!r})")
