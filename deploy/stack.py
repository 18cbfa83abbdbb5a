"""The board's stack: network, database, API service, trace collector, sampling and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from constructs import Construct

from deploy.collector import OTLP_ENDPOINT, XRAY_DAEMON_ADDRESS
from deploy.database import add_database
from deploy.migrations import add_migrations
from deploy.network import add_network
from deploy.sampling import sampling_rules, trace_groups
from deploy.service import add_api_task, add_load_balancer, add_service, add_signing_key
from deploy.settings import DeploySettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class BoardStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, settings: DeploySettings, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        vpc = add_network(self, settings)
        database = add_database(self, vpc, settings)
        assert database.secret is not None  # generated credentials always have a secret
        log_group = logs.LogGroup(
            self,
            "Logs",
            retention=settings.log_retention,
            removal_policy=RemovalPolicy.RETAIN if settings.production else RemovalPolicy.DESTROY,
        )
        cluster = ecs.Cluster(
            self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
        )
        image = ecs.ContainerImage.from_asset(
            str(PROJECT_ROOT),
            file="Dockerfile",
            target="runtime",
            platform=ecr_assets.Platform.LINUX_AMD64,
        )
        database_environment = {
            "BOARD_ENV": "production",
            "DATABASE_SECRET_ARN": database.secret.secret_arn,
        }

        migrations = add_migrations(
            self, cluster, image, database_environment, log_group, database, settings
        )

        api = add_api_task(
            self,
            settings,
            image,
            {**database_environment, **tracing_environment(settings)},
            add_signing_key(self),
            log_group,
        )
        database.secret.grant_read(api.task_role)
        balancer, listener = add_load_balancer(self, vpc, settings)
        service = add_service(self, cluster, api, listener, settings)
        database.connections.allow_default_port_from(service, "the API")
        # Only the service itself waits: its security group is part of the database's door.
        resource = service.node.default_child
        assert resource is not None
        resource.node.add_dependency(migrations)

        sampling_rules(self, settings.service_name)
        trace_groups(self, settings.service_name, settings.slow_operation_seconds)

        scheme = "https" if settings.certificate_arn else "http"
        CfnOutput(self, "ApiUrl", value=f"{scheme}://{balancer.load_balancer_dns_name}/graphql")
        CfnOutput(self, "ClusterName", value=cluster.cluster_name)
        CfnOutput(self, "ServiceName", value=service.service_name)
        CfnOutput(self, "LogGroupName", value=log_group.log_group_name)
        CfnOutput(self, "DatabaseSecretArn", value=database.secret.secret_arn)


def tracing_environment(settings: DeploySettings) -> dict[str, str]:
    """Segments over UDP to the collector beside the server; OTLP there too when switched on."""
    return {
        "AWS_XRAY_TRACING_NAME": settings.service_name,
        "AWS_XRAY_DAEMON_ADDRESS": XRAY_DAEMON_ADDRESS,
        "XRAY_CENTRALIZED_SAMPLING": "on",
        "XRAY_SAMPLING_RULES": "/app/sampling-rules.json",  # the fallback; copied by the Dockerfile
        "BOARD_TRACE_EXPORTER": "xray",
        "OTEL_EXPORTER_OTLP_ENDPOINT": OTLP_ENDPOINT,
        "OTEL_SERVICE_NAME": settings.service_name,
    }
