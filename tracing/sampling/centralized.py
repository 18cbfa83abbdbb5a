"""X-Ray centralized sampling: rules and reservoir quotas from the daemon, local rules as fallback.

A background thread asks the daemon (``GetSamplingRules`` every 5 minutes or when
``GetSamplingTargets`` says they changed, ``GetSamplingTargets`` every 10 seconds or the interval
it returns), so ``decide`` never waits on the network. While the daemon cannot be reached or
answers garbage, decisions come from the local rules; they switch back as soon as a poll
succeeds again.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from datetime import UTC, datetime
from typing import Any

import botocore.session
from aws_xray_sdk.core.daemon_config import DaemonConfig
from botocore import UNSIGNED
from botocore.config import Config

from tracing.sampling.central_rule import CentralRule, Target, central_rules
from tracing.sampling.sampler import Clock, Random, Sampler, SamplingDecision, SamplingRequest

logger = logging.getLogger("tracing")

RULES_INTERVAL = 300.0
TARGETS_INTERVAL = 10.0
# Short enough that a hung daemon only delays the poller thread, never a request.
CLIENT_CONFIG = Config(
    signature_version=UNSIGNED, connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 1}
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
        self.endpoint = f"http://{config.tcp_ip}:{config.tcp_port}"
        self._fallback = fallback
        self._rules_interval = rules_interval
        self._targets_interval = targets_interval
        self._clock = clock
        self._coin = coin
        self._client_id = os.urandom(12).hex()  # X-Ray wants 24 hex digits
        self._rules: list[CentralRule] | None = None
        self._answering: bool | None = None  # unknown until the first poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def using_central_rules(self) -> bool:
        return self._rules is not None

    @property
    def needs_operation(self) -> bool:
        """Whether ``decide`` looks at the operation, so the request body must be peeked first."""
        rules = self._rules
        if rules is None:
            return self._fallback.needs_operation
        return any(rule.attributes for rule in rules)

    def decide(self, request: SamplingRequest) -> SamplingDecision:
        rules = self._rules
        for rule in rules or ():
            if rule.matches(request):
                return SamplingDecision(rule.target.sample(self._coin), rule.name)
        return self._fallback.decide(request)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, name="xray-sampling", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _poll(self) -> None:
        client = _xray_client(self.endpoint)
        fetched_at: float | None = None
        while not self._stop.is_set():
            try:
                if fetched_at is None or self._clock() >= fetched_at + self._rules_interval:
                    self._use_rules(self._fetch_rules(client))
                    fetched_at = self._clock()
                wait, modified = self._report_and_fetch_targets(client)
                if modified is not None and modified > fetched_at:
                    fetched_at = None  # the daemon's rules changed: fetch them on the next poll
            except Exception as error:  # daemon down or garbage: local rules until it answers
                self._fall_back(error)
                fetched_at = None
                wait = self._targets_interval
            self._stop.wait(wait)

    def _use_rules(self, rules: list[CentralRule]) -> None:
        if self._answering is not True:
            logger.info("centralized sampling: %d rules from %s", len(rules), self.endpoint)
        self._answering = True
        self._rules = rules

    def _fall_back(self, error: Exception) -> None:
        if self._answering is not False:
            logger.warning(
                "centralized sampling: no usable answer from %s, using local rules: %s",
                self.endpoint,
                error,
            )
        self._answering = False
        self._rules = None

    def _fetch_rules(self, client: Any) -> list[CentralRule]:
        records = []
        for page in client.get_paginator("get_sampling_rules").paginate():
            records.extend(page["SamplingRuleRecords"])
        return central_rules(records, self._clock, previous=self._rules or ())

    def _report_and_fetch_targets(self, client: Any) -> tuple[float, float | None]:
        """The wait until the next poll, and when the daemon's rules last changed."""
        rules = {rule.name: rule for rule in self._rules or ()}
        answer = client.get_sampling_targets(SamplingStatisticsDocuments=self._statistics())
        targets = [Target.parse(document) for document in answer["SamplingTargetDocuments"]]
        wait = self._targets_interval
        for target in targets:
            if target.rule_name in rules:
                rules[target.rule_name].target.grant(target)
            wait = min(wait, target.interval or wait)
        modified = answer.get("LastRuleModification")
        return wait, modified.timestamp() if isinstance(modified, datetime) else None

    def _statistics(self) -> list[dict[str, Any]]:
        now = datetime.fromtimestamp(self._clock(), tz=UTC)
        documents = []
        for rule in self._rules or ():
            requests, sampled, borrowed = rule.target.take_counts()
            documents.append(
                {
                    "RuleName": rule.name,
                    "ClientID": self._client_id,
                    "Timestamp": now,
                    "RequestCount": requests,
                    "SampledCount": sampled,
                    "BorrowCount": borrowed,
                }
            )
        return documents


def _xray_client(endpoint: str) -> Any:
    # The daemon answers (or proxies) these calls itself, so they go unsigned, as the SDKs send.
    session = botocore.session.get_session()
    return session.create_client(
        "xray", endpoint_url=endpoint, region_name="us-east-1", config=CLIENT_CONFIG
    )
