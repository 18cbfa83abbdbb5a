"""Which sampler the environment asks for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.sampling import GRAPHQL_RULES, request
from tracing import TracingConfig
from tracing.sampling.centralized import CentralizedSampler
from tracing.sampling.choice import build_sampler
from tracing.sampling.rules import RuleFileError
from tracing.sampling.sampler import LocalSampler

SERVICE = "test-api"


@pytest.fixture
def rules_file(tmp_path: Path) -> str:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(GRAPHQL_RULES))
    return str(path)


def test_no_rule_file_samples_everything() -> None:
    sampler = build_sampler(TracingConfig.from_env({}, service_name=SERVICE))
    assert isinstance(sampler, LocalSampler)
    assert all(sampler.decide(request(f"Op{n}")).sampled for n in range(50))


def test_a_rule_file_decides(rules_file: str) -> None:
    sampler = build_sampler(
        TracingConfig.from_env({"XRAY_SAMPLING_RULES": rules_file}, service_name=SERVICE)
    )
    assert sampler.decide(request("CreatePost", "mutation")).rule_name == "writes"


def test_a_bad_rule_file_stops_the_start(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**GRAPHQL_RULES, "default": {"fixed_target": 0, "rate": 2}}))
    with pytest.raises(RuleFileError, match=r"bad\.json: default rule: rate"):
        build_sampler(
            TracingConfig.from_env({"XRAY_SAMPLING_RULES": str(bad)}, service_name=SERVICE)
        )


def test_centralized_sampling_asks_the_daemon_tcp_address_with_local_rules_behind(
    rules_file: str,
) -> None:
    environ = {
        "XRAY_CENTRALIZED_SAMPLING": "true",
        "XRAY_SAMPLING_RULES": rules_file,
        "AWS_XRAY_DAEMON_ADDRESS": "tcp:127.0.0.1:2500 udp:127.0.0.1:2000",
    }
    sampler = build_sampler(TracingConfig.from_env(environ, service_name=SERVICE))
    assert isinstance(sampler, CentralizedSampler)
    assert sampler.endpoint == "http://127.0.0.1:2500"
    # not started: no central rules yet, so the local file decides
    assert sampler.decide(request("CreatePost", "mutation")).rule_name == "writes"
