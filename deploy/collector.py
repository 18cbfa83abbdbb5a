"""The trace collector sidecar: the CloudWatch agent, in place of the retiring X-Ray daemon.

The X-Ray daemon reaches end of support on 2027-02-25; the CloudWatch agent takes the same X-Ray
UDP segments on 2000 (and proxies the sampling API on TCP 2000, which the server's centralized
sampler asks) as well as OTLP on 4318, so ``BOARD_TRACE_EXPORTER=xray``, ``otlp`` or ``both``
all work without a change here. Every port is bound to 127.0.0.1: only the task's own containers
share that network namespace (awsvpc), so nothing outside the task can feed or query it.

Its permissions are X-Ray's four daemon actions and nothing else. OTLP needs no more: the agent
turns spans into segments and sends them with ``PutTraceSegments``.
"""

from __future__ import annotations

import json

from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs

from deploy.nag import acknowledge

# Pinned: an agent update is a deliberate change, like any dependency in constraints.txt.
AGENT_IMAGE = "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300072.0b1766"
XRAY_PORT = 2000
OTLP_HTTP_PORT = 4318
XRAY_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
XRAY_DAEMON_ADDRESS = f"127.0.0.1:{XRAY_PORT}"
OTLP_ENDPOINT = f"http://127.0.0.1:{OTLP_HTTP_PORT}"


def agent_config() -> dict[str, object]:
    """The agent's configuration: traces only (the app's logs go through the awslogs driver)."""
    return {
        "traces": {
            "traces_collected": {
                "xray": {
                    "bind_address": XRAY_DAEMON_ADDRESS,
                    "tcp_proxy": {"bind_address": XRAY_DAEMON_ADDRESS},
                },
                "otlp": {"http_endpoint": f"127.0.0.1:{OTLP_HTTP_PORT}"},
            }
        },
    }


def add_collector(
    task: ecs.FargateTaskDefinition, log_group: logs.ILogGroup
) -> ecs.ContainerDefinition:
    collector = task.add_container(
        "collector",
        container_name="collector",
        image=ecs.ContainerImage.from_registry(AGENT_IMAGE),
        environment={"CW_CONFIG_CONTENT": json.dumps(agent_config(), separators=(",", ":"))},
        cpu=128,
        memory_reservation_mib=128,
        # Tracing trouble never takes requests down: the task keeps serving without its
        # collector, and ECS restarts the collector in place.
        essential=False,
        enable_restart_policy=True,
        port_mappings=[
            ecs.PortMapping(container_port=XRAY_PORT, protocol=ecs.Protocol.UDP),
            ecs.PortMapping(container_port=XRAY_PORT, protocol=ecs.Protocol.TCP),
            ecs.PortMapping(container_port=OTLP_HTTP_PORT, protocol=ecs.Protocol.TCP),
        ],
        logging=ecs.LogDrivers.aws_logs(stream_prefix="collector", log_group=log_group),
    )
    task.add_to_task_role_policy(
        iam.PolicyStatement(
            sid="TraceCollector",
            actions=list(XRAY_ACTIONS),
            # These four X-Ray actions support no resource-level permissions.
            resources=["*"],
        )
    )
    acknowledge(
        task.task_role,
        "X-Ray's PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets "
        "support no resource-level permissions; the statement grants those four only.",
        "AwsSolutions-IAM5[Resource::*]",
    )
    return collector
