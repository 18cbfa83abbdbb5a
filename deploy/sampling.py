"""The project's sampling rules file as X-Ray centralized sampling rules, plus X-Ray groups.

The same file drives the server's local fallback (``XRAY_SAMPLING_RULES``), ``board xray`` and,
through these resources, X-Ray itself: it is parsed by ``tracing``'s own loader, so a rule the
server would refuse never reaches CloudFormation. The GraphQL matchers travel as rule
``Attributes`` (``operation_name``, ``operation_type``), which is how the server's centralized
sampler reads them back.

X-Ray's ``Default`` rule belongs to the account and cannot be created, so the file's default
becomes a catch-all for this service only, just ahead of it. Rules that match any service are
scoped to ours for the same reason: a rule here must not re-sample other teams' services.
"""

from __future__ import annotations

import re
from pathlib import Path

from aws_cdk import aws_xray as xray
from constructs import Construct

from tracing.sampling.rules import SamplingRule, load_rules

RULES_FILE = Path(__file__).parent / "sampling-rules.json"
FIRST_PRIORITY = 100  # room ahead of ours for an incident's "sample everything" rule
CATCH_ALL_PRIORITY = 9999  # just before the account's Default (10000)
MAX_RULE_NAME = 32  # X-Ray's limit


def sampling_rules(
    scope: Construct, service_name: str, rules_file: Path = RULES_FILE
) -> list[xray.CfnSamplingRule]:
    rule_set = load_rules(rules_file)
    ordered = [(rule, FIRST_PRIORITY + i) for i, rule in enumerate(rule_set.rules)]
    ordered.append((rule_set.default, CATCH_ALL_PRIORITY))
    names: set[str] = set()
    resources = []
    for rule, priority in ordered:
        name = rule_name(service_name, rule, rules_file)
        if name in names:
            raise ValueError(f"{rules_file}: rule {rule.name!r} is named {name!r} as another is")
        names.add(name)
        resources.append(
            xray.CfnSamplingRule(
                scope,
                f"SamplingRule-{name}",
                sampling_rule=xray.CfnSamplingRule.SamplingRuleProperty(
                    rule_name=name,
                    priority=priority,
                    fixed_rate=rule.rate,
                    reservoir_size=rule.fixed_target,
                    service_name=service_name if rule.service_name == "*" else rule.service_name,
                    service_type="*",
                    host=rule.host,
                    http_method=rule.http_method,
                    url_path=rule.url_path,
                    resource_arn="*",
                    version=1,
                    attributes=graphql_attributes(rule) or None,
                ),
            )
        )
    return resources


def rule_name(service_name: str, rule: SamplingRule, rules_file: Path) -> str:
    """``<service>-<description>`` in X-Ray's alphabet, so rules of two services never clash."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{service_name}-{rule.name}").strip("-").lower()
    if len(slug) > MAX_RULE_NAME:
        raise ValueError(
            f"{rules_file}: rule {rule.name!r} becomes the X-Ray rule name {slug!r}, longer than "
            f"X-Ray's {MAX_RULE_NAME} characters; shorten its description"
        )
    return slug


def graphql_attributes(rule: SamplingRule) -> dict[str, str]:
    matchers = {"operation_name": rule.operation_name, "operation_type": rule.operation_type}
    return {key: value for key, value in matchers.items() if value != "*"}


def trace_groups(scope: Construct, service_name: str, slow_seconds: float) -> list[xray.CfnGroup]:
    """Saved filters in the X-Ray console: N+1 findings (CONTRACT §6) and slow operations."""
    service = f'service("{service_name}")'
    filters = {
        "n-plus-one": f"{service} AND annotation.n_plus_one = true",
        "slow": f"{service} AND responsetime > {slow_seconds:g}",
    }
    return [
        xray.CfnGroup(
            scope,
            f"TraceGroup-{suffix}",
            group_name=f"{service_name}-{suffix}",
            filter_expression=expression,
            insights_configuration=xray.CfnGroup.InsightsConfigurationProperty(
                insights_enabled=False
            ),
        )
        for suffix, expression in filters.items()
    ]
