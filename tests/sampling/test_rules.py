"""Rule files: X-Ray's versions 1 and 2, our GraphQL matchers, and errors that name the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.sampling import GRAPHQL_RULES, SEED_RULE, request
from tracing.sampling.rules import RuleFileError, load_rules, parse_rules
from tracing.sampling.sampler import LocalSampler, SamplingRequest


@pytest.mark.parametrize(
    ("incoming", "rule"),
    [
        (request("CreatePost", "mutation"), "writes"),
        (request("Feed"), "feed"),
        (request("FeedPage2"), "feed"),
        (request("feed"), "feed"),  # globs ignore case, as X-Ray's do
        (request("DeletePost", "mutation"), "mutations"),
        (request("Viewer"), "Default"),
        (request(None), "Default"),
        (request("Viewer", method="GET", host="internal.board"), "health"),
        (request("Viewer", method="GET", host="public.board"), "Default"),
        (request("OnPost", "subscription"), "live"),
        (request("Viewer", path="/graphql/beta"), "beta"),
    ],
)
def test_the_first_matching_rule_wins(incoming: SamplingRequest, rule: str) -> None:
    sampler = LocalSampler(parse_rules(GRAPHQL_RULES, source="rules.json"))
    assert sampler.matching_rule(incoming).name == rule


@pytest.mark.parametrize(
    ("incoming", "rule"),
    [
        (request(method="POST", path="/posts/7", service="xray-tutorial"), "Get Posts"),
        (request(method="GET", path="/posts/7", service="xray-tutorial"), "Default"),
        (request(method="POST", path="/posts", service="xray-tutorial"), "Default"),
        (request(method="POST", path="/posts/7", service="board-api"), "Default"),
    ],
)
def test_version_1_rules_match_the_service_name(incoming: SamplingRequest, rule: str) -> None:
    sampler = LocalSampler(parse_rules(SEED_RULE, source="get_posts_rule.json"))
    assert sampler.matching_rule(incoming).name == rule


def test_the_seed_rule_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "get_posts_rule.json"
    path.write_text(json.dumps(SEED_RULE))
    rules = load_rules(path)
    (rule,) = rules.rules
    assert (rule.name, rule.service_name, rule.http_method, rule.url_path) == (
        "Get Posts",
        "xray-tutorial",
        "POST",
        "/posts/*",
    )
    assert (rules.default.fixed_target, rules.default.rate) == (0, 1.0)


def with_rule(**changes: Any) -> dict[str, Any]:
    rule = {"description": "feed", "operation_name": "Feed", "fixed_target": 1, "rate": 0.5}
    rule.update(changes)
    return {"version": 2, "rules": [rule], "default": {"fixed_target": 1, "rate": 0.1}}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (with_rule(rate=1.5), "rule 0 ('feed'): rate must be a number from 0 to 1"),
        (with_rule(rate="high"), "rule 0 ('feed'): rate must be"),
        (with_rule(fixed_target=-1), "rule 0 ('feed'): fixed_target must be a whole number"),
        (with_rule(fixed_target=True), "rule 0 ('feed'): fixed_target"),
        (with_rule(operation_type="query!"), "rule 0 ('feed'): operation_type must be"),
        (with_rule(service_name="x"), "rule 0 ('feed'): unknown field 'service_name'"),
        ({**with_rule(host="x"), "version": 1}, "rule 0 ('feed'): unknown field 'host'"),
        (with_rule(operation_name=""), "rule 0 ('feed'): operation_name must be a non-empty"),
        ({**with_rule(), "version": 3}, "version must be 1 or 2"),
        ({"version": 2, "rules": []}, "missing the default rule"),
        ({"version": 2, "rules": [], "default": {"rate": 0.1}}, "missing field 'fixed_target'"),
        ({"version": 2, "rules": {}, "default": {}}, "rules must be a list"),
        (with_rule(description=5), "rule 0 (5): description must be a non-empty string"),
        (
            {**with_rule(), "rules": [with_rule()["rules"][0]] * 2},
            "rule 1 ('feed'): description names rule 0 already",
        ),
        (with_rule(description="Default"), "rule 0 ('Default'): description names the default"),
        (
            {**with_rule(), "default": {"fixed_target": 0, "rate": 1, "url_path": "/x"}},
            "default rule: unknown field 'url_path'",
        ),
        ({**with_rule(), "default": {"fixed_target": 0, "rate": -0.1}}, "default rule: rate must"),
        ({**with_rule(), "surprise": 1}, "unknown top-level field 'surprise'"),
        ([], "the top level must be an object"),
    ],
)
def test_bad_rule_files_are_refused_naming_rule_and_field(raw: Any, message: str) -> None:
    with pytest.raises(RuleFileError, match=r"^rules\.json: ") as caught:
        parse_rules(raw, source="rules.json")
    assert message in str(caught.value)


def test_unreadable_and_malformed_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read"):
        load_rules(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(RuleFileError, match=r"broken.json: not JSON .* line 1"):
        load_rules(broken)
