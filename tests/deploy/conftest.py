"""The CDK app synthesized once per session (tests.support.cdk), production and staging."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cdk import Synthesized, synthesize


@pytest.fixture(scope="session")
def production() -> Iterator[Synthesized]:
    yield from synthesize({})


@pytest.fixture(scope="session")
def staging() -> Iterator[Synthesized]:
    yield from synthesize(
        {
            "environment": "staging",
            "cpu": "1024",
            "memory_mib": "2048",
            "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/board",
        }
    )
