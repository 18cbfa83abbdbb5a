"""cdk-nag's AwsSolutions checks, and the findings this app accepts, each with its reason.

cdk-nag runs as a CDK validation plugin: a finding nobody acknowledged stops synthesis.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def check_app(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, reason: str, *finding_ids: str) -> None:
    """Accept findings on ``scope`` and everything under it; ``reason`` is kept with them."""
    Validations.of(scope).acknowledge(
        *(Acknowledgment(id=finding, reason=reason) for finding in finding_ids)
    )
