"""Reservoir per second, then rate; an incoming decision wins; unsampled requests cost nothing."""

from __future__ import annotations

import random

from tests.support.sampling import GRAPHQL_RULES, Clock, never, request
from tracing.sampling.rules import default_rule_set, parse_rules
from tracing.sampling.sampler import LocalSampler


def test_the_reservoir_takes_fixed_target_per_second() -> None:
    clock = Clock()
    sampler = LocalSampler(parse_rules(GRAPHQL_RULES, source="r"), clock=clock, coin=never)
    first_second = [sampler.decide(request("Feed")).sampled for _ in range(5)]
    assert first_second == [True, False, False, False, False]
    clock.now += 0.5
    assert not sampler.decide(request("Feed")).sampled
    clock.now += 0.5
    assert sampler.decide(request("Feed")).sampled


def test_rate_samples_its_share_within_a_statistical_bound() -> None:
    coin = random.Random(7).random
    sampler = LocalSampler(parse_rules(GRAPHQL_RULES, source="r"), clock=Clock(), coin=coin)
    decisions = [sampler.decide(request("Viewer")) for _ in range(20_000)]
    share = sum(decision.sampled for decision in decisions) / len(decisions)
    # default rule: rate 0.01; four standard deviations of a binomial(20000, 0.01) share
    assert abs(share - 0.01) < 4 * (0.01 * 0.99 / 20_000) ** 0.5
    assert {decision.rule_name for decision in decisions} == {"Default"}


def test_without_a_rule_file_every_request_is_sampled() -> None:
    sampler = LocalSampler(default_rule_set())
    assert all(sampler.decide(request(str(n))).sampled for n in range(100))
    assert not sampler.needs_operation


def test_operation_rules_make_the_sampler_peek_at_the_operation() -> None:
    assert LocalSampler(parse_rules(GRAPHQL_RULES, source="r")).needs_operation
