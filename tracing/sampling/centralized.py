"""X-Ray centralized sampling: rules and reservoir quotas from the daemon, local rules as fallback.

A background thread asks the daemon (``GetSamplingRules`` every 5 minutes, ``SamplingTargets``
every 10 seconds or the interval it returns), so ``decide`` never waits on the network. While
the daemon cannot be reached, decisions come from the local rules; they switch back as soon as
a poll succeeds again.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any

import botocore.session
from aws_xray_sdk.core.daemon_config import DaemonConfig
from botocore.config import Config

from tracing.sampling.sampler import (
    Clock,
    Random,
    Reservoir,
    Sampler,
    SamplingDecision,
    SamplingRequest,
)

logger = logging.getLogger("board.tracing")

RULES_INTERVAL = 300.0
TARGETS_INTERVAL = 10.0


@dataclass
class CentralRule:
    name: str
    priority: int
    fixed_rate: float
    service_name: str
    host: str
    http_method: str
    url_path: str
    attributes: dict[str, str]
    borrow: Reservoir
    quota: Reservoir | None = None
    quota_expires: float = 0.0
    requests: int = 0
    sampled: int = 0
    borrowed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def matches(self, request: SamplingRequest) -> bool:
        attributes = {
            "operation_name": request.operation_name or "",
            "operation_type": request.operation_type,
        }
        return (
            _glob(self.service_name, request.service_name)
            and _glob(self.host, request.host)
            and _glob(self.http_method, request.method)
            and _glob(self.url_path, request.path)
            and all(
                key in attributes and _glob(pattern, attributes[key])
                for key, pattern in self.attributes.items()
            )
        )


class CentralizedSampler:
    def __init__(
        self,
        daemon_address: str,
        *,
        fallback: Sampler,
        rules_interval: float = RULES_INTERVAL,
        targets_interval: float = TARGETS_INTERVAL,
        clock: Clock = time.time,
        coin: Random = random.random,
    ) -> None:
        config = DaemonConfig(daemon_address)
        self._endpoint = f"http://{config.tcp_ip}:{config.tcp_port}"
        self._fallback = fallback
        self._rules_interval = rules_interval
        self._targets_interval = targets_interval
        self._clock = clock
        self._coin = coin
        self._client_id = os.urandom(12).hex()
        self._rules: list[CentralRule] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.needs_operation = True

    @property
    def using_central_rules(self) -> bool:
        return self._rules is not None

    def decide(self, request: SamplingRequest) -> SamplingDecision:
        rules = self._rules
        if rules is None:
            return self._fallback.decide(request)
        for rule in rules:
            if rule.matches(request):
                return SamplingDecision(self._sample(rule), rule.name)
        return self._fallback.decide(request)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._poll, name="xray-sampling", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _sample(self, rule: CentralRule) -> bool:
        now = self._clock()
        with rule.lock:
            rule.requests += 1
            if rule.quota is not None and now < rule.quota_expires:
                taken = rule.quota.take()
            else:  # no quota yet (or it lapsed): borrow one a second, as the X-Ray SDKs do
                taken = rule.borrow.take()
                rule.borrowed += taken
            sampled = taken or self._coin() < rule.fixed_rate
            rule.sampled += sampled
        return sampled

    def _poll(self) -> None:
        client = _xray_client(self._endpoint)
        next_rules = 0.0
        while not self._stop.is_set():
            try:
                if self._clock() >= next_rules or self._rules is None:
                    self._rules = self._fetch_rules(client)
                    next_rules = self._clock() + self._rules_interval
                wait = self._report_and_fetch_targets(client)
            except Exception as error:  # daemon down or garbage: local rules until it answers
                if self._rules is not None:
                    logger.warning("centralized sampling unavailable, using local rules: %s", error)
                self._rules = None
                wait = self._targets_interval
            self._stop.wait(wait)

    def _fetch_rules(self, client: Any) -> list[CentralRule]:
        records = []
        for page in client.get_paginator("get_sampling_rules").paginate():
            records.extend(page["SamplingRuleRecords"])
        rules = [_central_rule(record["SamplingRule"], self._clock) for record in records]
        return sorted(rules, key=lambda rule: (rule.priority, rule.name))

    def _report_and_fetch_targets(self, client: Any) -> float:
        rules = {rule.name: rule for rule in self._rules or []}
        answer = client.get_sampling_targets(SamplingStatisticsDocuments=self._statistics())
        wait = self._targets_interval
        for target in answer.get("SamplingTargetDocuments", []):
            rule = rules.get(target["RuleName"])
            if rule is None:
                continue
            with rule.lock:
                rule.fixed_rate = target.get("FixedRate", rule.fixed_rate)
                if "ReservoirQuota" in target:
                    rule.quota = Reservoir(target["ReservoirQuota"], self._clock)
                    expires = target.get("ReservoirQuotaTTL")
                    rule.quota_expires = expires.timestamp() if expires else float("inf")
            wait = min(wait, float(target.get("Interval") or wait))
        return wait

    def _statistics(self) -> list[dict[str, Any]]:
        documents = []
        now = datetime.fromtimestamp(self._clock(), tz=UTC)
        for rule in self._rules or []:
            with rule.lock:
                counts = (rule.requests, rule.sampled, rule.borrowed)
                rule.requests = rule.sampled = rule.borrowed = 0
            documents.append(
                {
                    "RuleName": rule.name,
                    "ClientID": self._client_id,
                    "Timestamp": now,
                    "RequestCount": counts[0],
                    "SampledCount": counts[1],
                    "BorrowCount": counts[2],
                }
            )
        return documents


def _central_rule(record: dict[str, Any], clock: Clock) -> CentralRule:
    return CentralRule(
        name=record["RuleName"],
        priority=int(record.get("Priority", 10000)),
        fixed_rate=float(record.get("FixedRate", 0.0)),
        service_name=record.get("ServiceName", "*"),
        host=record.get("Host", "*"),
        http_method=record.get("HTTPMethod", "*"),
        url_path=record.get("URLPath", "*"),
        attributes=dict(record.get("Attributes") or {}),
        borrow=Reservoir(1 if record.get("ReservoirSize", 0) > 0 else 0, clock),
    )


def _xray_client(endpoint: str) -> Any:
    # The daemon proxies or answers these calls itself; it does not check signatures.
    session = botocore.session.get_session()
    return session.create_client(
        "xray",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="daemon",
        aws_secret_access_key="daemon",
        config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}),
    )


def _glob(pattern: str, value: str) -> bool:
    return pattern == "*" or fnmatchcase(value.lower(), pattern.lower())
