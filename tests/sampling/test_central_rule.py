"""Centralized rules as this process applies them: matching, borrowing, quotas, refreshes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.sampling import Clock, never, request
from tracing.sampling.central_rule import CentralRule, Target, central_rules


def record(name: str, priority: int, **fields: Any) -> dict[str, Any]:
    rule = {
        "RuleName": name,
        "Priority": priority,
        "FixedRate": 0.0,
        "ReservoirSize": 1,
        "ServiceName": "*",
        "ServiceType": "*",
        "Host": "*",
        "HTTPMethod": "*",
        "URLPath": "*",
        "ResourceARN": "*",
        "Version": 1,
        "Attributes": {},
    }
    return {"SamplingRule": {**rule, **fields}}


RECORDS = [
    record("Default", 10000),
    record("feed", 2, Attributes={"operation_name": "Feed*", "operation_type": "query"}),
    record("writes", 1, Attributes={"operation_type": "mutation"}),
    record("beta-host", 3, Host="beta.*"),
    record("tutorial", 4, ServiceName="xray-tutorial", HTTPMethod="POST", URLPath="/posts/*"),
    record("other-arn", 0, ResourceARN="arn:aws:lambda:eu-west-1:1:function:f"),
    record("v2", 0, Version=2),
    record("unknown-attribute", 0, Attributes={"tenant": "acme"}),
]


def first_match(rules: list[CentralRule], **fields: Any) -> str:
    return next(rule.name for rule in rules if rule.matches(request(**fields)))


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"name": "FeedPage", "kind": "query"}, "feed"),
        ({"name": "Feed", "kind": "mutation"}, "writes"),
        ({"name": "Viewer"}, "Default"),
        ({"name": None}, "Default"),
        ({"name": "Viewer", "host": "beta.board"}, "beta-host"),
        ({"service": "xray-tutorial", "path": "/posts/1"}, "tutorial"),
        ({"service": "xray-tutorial", "path": "/posts/1", "method": "GET"}, "Default"),
    ],
)
def test_rules_match_by_priority_and_attributes(fields: dict[str, Any], rule: str) -> None:
    assert first_match(central_rules(RECORDS, Clock()), **fields) == rule


def test_rules_for_other_resources_versions_or_attributes_never_apply() -> None:
    rules = central_rules(RECORDS, Clock())
    assert [rule.name for rule in rules] == [
        "unknown-attribute",
        "writes",
        "feed",
        "beta-host",
        "tutorial",
        "Default",
    ]
    assert first_match(rules, name="Anything") == "Default"  # `tenant` is unknown to us


def target(name: str, quota: int | None, expires: float, rate: float = 0.0) -> Target:
    return Target(name, rate, quota, expires, 10.0)


def test_borrow_one_a_second_until_a_quota_then_the_quota_until_it_lapses() -> None:
    clock = Clock()
    (rule,) = central_rules([record("feed", 1)], clock)
    assert [rule.target.sample(never) for _ in range(3)] == [True, False, False]
    rule.target.grant(target("feed", 3, expires=clock.now + 5))
    assert sum(rule.target.sample(never) for _ in range(5)) == 3  # borrowing did not use it
    clock.now += 1
    assert sum(rule.target.sample(never) for _ in range(5)) == 3
    assert rule.target.take_counts() == (13, 7, 1)
    assert rule.target.take_counts() == (0, 0, 0)
    clock.now += 5  # the quota's TTL has passed: borrowing again
    assert sum(rule.target.sample(never) for _ in range(5)) == 1
    assert rule.target.take_counts() == (5, 1, 1)


def test_without_a_reservoir_nothing_is_borrowed_and_the_rate_decides() -> None:
    (rule,) = central_rules([record("quiet", 1, ReservoirSize=0, FixedRate=0.6)], Clock())
    assert all(rule.target.sample(lambda: 0.5) for _ in range(3))
    assert rule.target.take_counts() == (3, 3, 0)
    rule.target.grant(target("quiet", None, expires=0.0, rate=0.4))
    assert not rule.target.sample(lambda: 0.5)


def test_a_refresh_keeps_quota_and_unreported_counts() -> None:
    clock = Clock()
    (before,) = central_rules([record("feed", 1)], clock)
    before.target.grant(target("feed", 2, expires=clock.now + 60))
    before.target.sample(never)
    (after,) = central_rules([record("feed", 1, URLPath="/graphql")], clock, previous=[before])
    assert after.url_path == "/graphql"
    assert [after.target.sample(never) for _ in range(2)] == [True, False]
    assert after.target.take_counts() == (3, 2, 0)


@pytest.mark.parametrize(
    "bad",
    [
        record("x", 1, Attributes={"operation_name": 5}),
        record("x", 1, Attributes=["operation_name"]),
        record("x", 1, Host=None),
        record("x", 1, FixedRate=2),
        record("x", 1, Priority="high"),
        record("x", 1, ReservoirSize=-1),
        {"SamplingRule": {"Priority": 1}},
        {"nothing": "here"},
    ],
)
def test_malformed_rules_are_refused_whole(bad: dict[str, Any]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        central_rules([record("Default", 10000), bad], Clock())


def test_targets_are_parsed_and_checked() -> None:
    ttl = datetime(2030, 1, 1, tzinfo=UTC)
    document = {"RuleName": "feed", "FixedRate": 0.5, "ReservoirQuota": 4}
    assert Target.parse({**document, "ReservoirQuotaTTL": ttl, "Interval": 5}) == Target(
        "feed", 0.5, 4, ttl.timestamp(), 5.0
    )
    assert Target.parse(document).interval is None
    with pytest.raises(ValueError, match="rate"):
        Target.parse({**document, "FixedRate": "lots"})
    with pytest.raises(TypeError, match="ReservoirQuotaTTL"):
        Target.parse({**document, "ReservoirQuotaTTL": "tomorrow"})
