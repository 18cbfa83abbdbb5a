"""GetSamplingRules and GetSamplingTargets from the local rule file, as the X-Ray service would.

The rule file is the one ``XRAY_SAMPLING_RULES`` names (else X-Ray's default rule). GraphQL
matchers travel as rule ``Attributes`` (``operation_name``, ``operation_type``), which is how
X-Ray's centralized rules carry custom matchers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tracing.wire.sampling_rules import RuleSet, SamplingRule

TARGET_INTERVAL = 10
QUOTA_TTL = 60.0
DEFAULT_PRIORITY = 10000


def default_xray_rules() -> RuleSet:
    """X-Ray's own default: one request a second, then 5%."""
    return RuleSet(rules=(), default=SamplingRule(name="Default", fixed_target=1, rate=0.05))


@dataclass
class SamplingAuthority:
    rules: RuleSet
    created: float = field(default_factory=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _clients: dict[str, set[str]] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        ordered = [*self.rules.rules, self.rules.default]
        return [
            {
                "SamplingRule": _record(
                    rule, DEFAULT_PRIORITY if rule is self.rules.default else i + 1
                ),
                "CreatedAt": self.created,
                "ModifiedAt": self.created,
            }
            for i, rule in enumerate(ordered)
        ]

    def targets(self, statistics: list[dict[str, Any]]) -> dict[str, Any]:
        """Each rule's reservoir is shared out between the clients that report on it."""
        by_name = {rule.name: rule for rule in (*self.rules.rules, self.rules.default)}
        documents, unprocessed = [], []
        now = time.time()
        for stat in statistics:
            rule = by_name.get(stat.get("RuleName", ""))
            if rule is None:
                unprocessed.append(
                    {
                        "RuleName": stat.get("RuleName"),
                        "ErrorCode": "400",
                        "Message": "no such rule",
                    }
                )
                continue
            with self._lock:
                clients = self._clients.setdefault(rule.name, set())
                clients.add(str(stat.get("ClientID", "")))
                share = rule.fixed_target // max(1, len(clients))
            documents.append(
                {
                    "RuleName": rule.name,
                    "FixedRate": rule.rate,
                    "ReservoirQuota": share,
                    "ReservoirQuotaTTL": now + QUOTA_TTL,
                    "Interval": TARGET_INTERVAL,
                }
            )
        return {
            "SamplingTargetDocuments": documents,
            "LastRuleModification": self.created,
            "UnprocessedStatistics": unprocessed,
        }


def _record(rule: SamplingRule, priority: int) -> dict[str, Any]:
    attributes = {
        key: value
        for key, value in (
            ("operation_name", rule.operation_name),
            ("operation_type", rule.operation_type),
        )
        if value != "*"
    }
    return {
        "RuleName": rule.name,
        "RuleARN": f"arn:aws:xray:local:000000000000:sampling-rule/{rule.name}",
        "ResourceARN": "*",
        "Priority": priority,
        "FixedRate": rule.rate,
        "ReservoirSize": rule.fixed_target,
        "ServiceName": rule.service_name,
        "ServiceType": "*",
        "Host": rule.host,
        "HTTPMethod": rule.http_method,
        "URLPath": rule.url_path,
        "Version": 1,
        "Attributes": attributes,
    }
