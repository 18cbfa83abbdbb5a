"""The sampling rules file as X-Ray SamplingRule resources, and the settings' checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.support.cdk import Synthesized, require_cdk

require_cdk()

from aws_cdk import App, Stack  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from deploy.sampling import RULES_FILE, sampling_rules  # noqa: E402
from deploy.settings import DeployConfigError, DeploySettings  # noqa: E402
from tests.support.sampling import SEED_RULE  # noqa: E402
from tracing.sampling.rules import load_rules  # noqa: E402


def rules_in(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        resource["Properties"]["SamplingRule"]["RuleName"]: resource["Properties"]["SamplingRule"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::XRay::SamplingRule"
    }


def synthesize_rules(rules_file: Path) -> dict[str, dict[str, Any]]:
    stack = Stack(App(), "Rules")
    sampling_rules(stack, "board-api", rules_file)
    return rules_in(Template.from_stack(stack).to_json())


def test_one_sampling_rule_resource_per_rule_in_the_file(production: Synthesized) -> None:
    rule_set = load_rules(RULES_FILE)
    rules = rules_in(production.json)
    assert len(rules) == len(rule_set.rules) + 1  # each rule, then the file's default
    ordered = sorted(rules.values(), key=lambda rule: rule["Priority"])
    for rule, resource in zip([*rule_set.rules, rule_set.default], ordered, strict=True):
        assert resource["RuleName"] == f"board-api-{rule.name.lower()}"
        assert resource["FixedRate"] == rule.rate
        assert resource["ReservoirSize"] == rule.fixed_target
        assert resource["ServiceName"] == "board-api"  # never other services' traffic
        assert resource["Version"] == 1
        assert resource["ResourceARN"] == "*"
    assert ordered[-1]["Priority"] == 9999  # just ahead of the account's own Default
    assert ordered[0]["Attributes"] == {"operation_type": "mutation"}
    assert ordered[1]["Attributes"] == {"operation_name": "Feed"}


def test_a_version_1_rule_keeps_its_service_and_paths(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(SEED_RULE))  # the tutorial's get_posts_rule.json
    rules = synthesize_rules(path)
    assert set(rules) == {"board-api-get-posts", "board-api-default"}
    tutorial = rules["board-api-get-posts"]
    assert (tutorial["ServiceName"], tutorial["HTTPMethod"], tutorial["URLPath"]) == (
        "xray-tutorial",
        "POST",
        "/posts/*",
    )
    assert "Attributes" not in tutorial


def test_a_rule_name_too_long_for_xray_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    long_name = "every mutation of the week, sampled"
    path.write_text(
        json.dumps(
            {
                "version": 2,
                "rules": [{"description": long_name, "fixed_target": 0, "rate": 1}],
                "default": {"fixed_target": 0, "rate": 1},
            }
        )
    )
    with pytest.raises(ValueError, match=f"rule '{long_name}'.*32 characters"):
        synthesize_rules(path)


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"cpu": "300"}, "context cpu must be a Fargate CPU size"),
        ({"cpu": "two"}, "context cpu must be a whole number"),
        ({"environment": "prod"}, "context environment must be one of production, staging"),
        ({"min_tasks": "4", "max_tasks": "2"}, "min_tasks <= max_tasks"),
        ({"log_retention_days": "10"}, "context log_retention_days must be one of"),
    ],
)
def test_a_bad_context_value_is_refused_by_name(context: dict[str, str], message: str) -> None:
    with pytest.raises(DeployConfigError, match=message):
        DeploySettings.from_context(context.get)


def test_context_values_arrive_as_text_from_the_cli() -> None:
    settings = DeploySettings.from_context({"cpu": "4096", "environment": "staging"}.get)
    assert (settings.cpu, settings.workers, settings.production) == (4096, 4, False)
