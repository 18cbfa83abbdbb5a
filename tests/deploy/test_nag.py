"""cdk-nag's AwsSolutions pack judges every synthesis; each accepted finding says why."""

from __future__ import annotations

import pytest

from tests.support.cdk import Synthesized, require_cdk

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


def acknowledgments(synth: Synthesized) -> dict[str, str]:
    """``{finding id: reason}`` for every AwsSolutions finding acknowledged in the stack."""
    found = {}
    for path, entries in synth.metadata().items():
        for entry in entries:
            if entry["type"] != ACKNOWLEDGED:
                continue
            for rule, reason in entry["data"].items():
                if "AwsSolutions-" in rule:
                    found[f"{path} {rule}"] = reason
    return found


@pytest.mark.parametrize("variant", ["production", "staging"])
def test_every_acknowledged_finding_has_a_written_reason(
    variant: str, request: pytest.FixtureRequest
) -> None:
    # The fixture synthesized with the AwsSolutions pack: any unacknowledged finding would have
    # stopped it. What remains to check is that each acknowledgment explains itself.
    synth: Synthesized = request.getfixturevalue(variant)
    found = acknowledgments(synth)
    assert len(found) >= 10
    short = {rule: reason for rule, reason in found.items() if len(reason.split()) < 8}
    assert short == {}


def test_staging_acknowledges_its_single_database_instance(staging: Synthesized) -> None:
    rules = " ".join(acknowledgments(staging))
    assert "AwsSolutions-RDS3" in rules
    assert "AwsSolutions-RDS10" in rules


def test_production_acknowledges_no_database_shortcut(production: Synthesized) -> None:
    rules = " ".join(acknowledgments(production))
    assert "AwsSolutions-RDS3" not in rules
    assert "AwsSolutions-RDS10" not in rules


def test_an_unacknowledged_finding_stops_synthesis(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    require_cdk()
    from aws_cdk import App, Stack
    from aws_cdk import aws_sqs as sqs

    from deploy.nag import check_app

    app = App(outdir=str(tmp_path_factory.mktemp("nag")))
    sqs.Queue(Stack(app, "Unchecked"), "Queue")  # no dead-letter queue, no TLS-only policy
    check_app(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
