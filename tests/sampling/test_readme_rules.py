"""The rule files the README's sampling section shows load, and do what it says they do."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.sampling import SEED_RULE, Clock, never, request
from tracing.sampling.rules import parse_rules
from tracing.sampling.sampler import LocalSampler

README = Path(__file__).parents[2] / "README.md"
SECTION = re.compile(r"<!-- section: sampling -->(.*?)\n## ", re.DOTALL)
JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.DOTALL)


def readme_rule_files() -> list[dict[str, object]]:
    section = SECTION.search(README.read_text())
    assert section is not None, "README lost its sampling section marker"
    return [json.loads(block) for block in JSON_BLOCK.findall(section.group(1))]


def test_the_readme_shows_the_seed_rule_file_and_a_graphql_one() -> None:
    seed, graphql = readme_rule_files()
    assert seed == SEED_RULE
    clock = Clock()
    sampler = LocalSampler(parse_rules(graphql, source="README"), clock=clock, coin=never)
    assert all(sampler.decide(request("CreatePost", "mutation")).sampled for _ in range(10))
    feed = [sampler.decide(request("Feed")) for _ in range(10)]
    assert [decision.sampled for decision in feed] == [True] + [False] * 9
    assert not sampler.decide(request("Viewer")).sampled
    assert {decision.rule_name for decision in feed} == {"feed"}
