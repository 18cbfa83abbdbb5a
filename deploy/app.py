"""The CDK app: one stack, checked by cdk-nag's AwsSolutions pack as it synthesizes."""

from __future__ import annotations

import os

from aws_cdk import App, Environment

from deploy.nag import check_app
from deploy.settings import DeploySettings
from deploy.stack import BoardStack

# The load balancer's access logs need the region at synthesis. The CDK CLI passes the profile's
# region; an offline `make synth` without one describes a stack for us-east-1.
OFFLINE_REGION = "us-east-1"


def build_app(app: App) -> BoardStack:
    settings = DeploySettings.from_context(app.node.try_get_context)
    stack = BoardStack(
        app,
        "XRayBoard" if settings.production else "XRayBoardStaging",
        settings,
        env=Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=app.node.try_get_context("region")
            or os.environ.get("CDK_DEFAULT_REGION")
            or OFFLINE_REGION,
        ),
        description="X-Ray Board: GraphQL API on ECS Fargate, RDS PostgreSQL, traces to X-Ray",
    )
    check_app(app)
    return stack
