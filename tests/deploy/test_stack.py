"""The synthesized stack, asserted with aws_cdk.assertions: what runs where, and how it is wired."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.support.cdk import Synthesized

XRAY_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
}
SECRET_WORDS = ("PASSWORD", "SECRET_KEY", "TOKEN", "PRIVATE")


def containers(synth: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        container["Name"]: container
        for task in synth.resources("AWS::ECS::TaskDefinition").values()
        for container in task["Properties"]["ContainerDefinitions"]
    }


def environment(container: dict[str, Any]) -> dict[str, Any]:
    return {entry["Name"]: entry["Value"] for entry in container.get("Environment", [])}


def logical_id(synth: Synthesized, kind: str, contains: str = "") -> str:
    (found,) = [name for name in synth.resources(kind) if contains in name]
    return found


def statements(synth: Synthesized) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM statement of the template, with the logical id of the policy holding it."""
    return [
        (name, statement)
        for name, policy in synth.resources("AWS::IAM::Policy").items()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def routes_of(synth: Synthesized, subnet: str) -> list[dict[str, Any]]:
    """Routes of a subnet's table: ``VpcappSubnet1Subnet…`` has ``VpcappSubnet1RouteTable…``."""
    match = re.match(r"(.*Subnet\d+)Subnet", subnet)
    assert match, subnet
    return [
        route
        for route in synth.resources("AWS::EC2::Route").values()
        if route["Properties"]["RouteTableId"]["Ref"].startswith(f"{match.group(1)}RouteTable")
    ]


def actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_the_stack_holds_the_standard_shape(production: Synthesized) -> None:
    template = production.template
    template.resource_count_is("AWS::EC2::VPC", 1)
    template.resource_count_is("AWS::EC2::Subnet", 6)  # public, app, database in each of 2 AZs
    template.resource_count_is("AWS::EC2::NatGateway", 2)
    template.resource_count_is("AWS::RDS::DBInstance", 1)
    template.resource_count_is("AWS::ECS::Cluster", 1)
    template.resource_count_is("AWS::ECS::Service", 1)
    template.resource_count_is("AWS::ECS::TaskDefinition", 2)  # the API and the migrations
    template.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 1)
    template.resource_count_is("AWS::SecretsManager::RotationSchedule", 1)
    template.resource_count_is("AWS::XRay::Group", 2)
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internet-facing"}
    )
    template.has_resource_properties(
        "AWS::ECS::Cluster",
        {"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
    )


def test_the_load_balancer_checks_healthz(production: Synthesized) -> None:
    production.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "Port": 8000,
            "TargetType": "ip",
        },
    )


def test_the_database_is_private_encrypted_and_protected(production: Synthesized) -> None:
    production.template.has_resource_properties(
        "AWS::RDS::DBInstance",
        {
            "Engine": "postgres",
            "PubliclyAccessible": False,
            "StorageEncrypted": True,
            "DeletionProtection": True,
            "MultiAZ": True,
        },
    )
    (subnet_group,) = production.resources("AWS::RDS::DBSubnetGroup").values()
    subnet_ids = {ref["Ref"] for ref in subnet_group["Properties"]["SubnetIds"]}
    assert subnet_ids
    assert all("databaseSubnet" in subnet for subnet in subnet_ids)
    # Isolated: no route to the internet gateway or a NAT (the app's subnets have one).
    assert all(routes_of(production, subnet) == [] for subnet in subnet_ids)
    app_subnets = [name for name in production.resources("AWS::EC2::Subnet") if "app" in name]
    assert all(routes_of(production, subnet) for subnet in app_subnets)
    database_group = logical_id(production, "AWS::EC2::SecurityGroup", "DatabaseSecurityGroup")
    ingress = [
        rule["Properties"]
        for rule in production.resources("AWS::EC2::SecurityGroupIngress").values()
        if rule["Properties"]["GroupId"] == {"Fn::GetAtt": [database_group, "GroupId"]}
    ]
    assert len(ingress) == 3  # the service, the migration task, the rotation function
    assert all("SourceSecurityGroupId" in rule and "CidrIp" not in rule for rule in ingress)


def test_database_credentials_rotate_and_reach_the_app_by_arn(production: Synthesized) -> None:
    production.template.has_resource_properties(
        "AWS::SecretsManager::RotationSchedule",
        {"RotationRules": {"ScheduleExpression": "rate(30 days)"}},
    )
    attachment = logical_id(production, "AWS::SecretsManager::SecretTargetAttachment")
    for name in ("api", "migrate"):
        assert environment(containers(production)[name])["DATABASE_SECRET_ARN"] == {
            "Ref": attachment
        }


def test_the_task_environment_holds_no_secret_values(production: Synthesized) -> None:
    api = containers(production)["api"]
    env = environment(api)
    assert env["BOARD_ENV"] == "production"
    leaked = [name for name in env if any(word in name for word in SECRET_WORDS)]
    assert leaked == []
    assert "BOARD_SECRET_KEY" not in env
    signing_key = logical_id(production, "AWS::SecretsManager::Secret", "SigningKey")
    assert api["Secrets"] == [{"Name": "BOARD_SECRET_KEY", "ValueFrom": {"Ref": signing_key}}]
    # No secret value is resolved into a task definition...
    tasks = json.dumps(production.resources("AWS::ECS::TaskDefinition"))
    assert "resolve:secretsmanager" not in tasks
    assert "SecretString" not in tasks
    # ...and the database's own password reaches only RDS, as a reference resolved at deploy.
    (database,) = production.resources("AWS::RDS::DBInstance").values()
    password = json.dumps(database["Properties"]["MasterUserPassword"])
    assert "{{resolve:secretsmanager:" in password
    assert ":SecretString:password::}}" in password


def test_the_api_serves_one_worker_per_vcpu(production: Synthesized, staging: Synthesized) -> None:
    for synth, cpu in ((production, 2048), (staging, 1024)):
        (api_task,) = [
            task["Properties"]
            for task in synth.resources("AWS::ECS::TaskDefinition").values()
            if task["Properties"]["ContainerDefinitions"][0]["Name"] != "migrate"
        ]
        assert api_task["Cpu"] == str(cpu)
        command = containers(synth)["api"]["Command"]
        assert command[:2] == ["board", "serve"]
        assert command[command.index("--workers") + 1] == str(cpu // 1024)
        assert command[command.index("--port") + 1] == "8000"


def test_the_collector_sidecar_takes_xray_udp_and_otlp(production: Synthesized) -> None:
    collector = containers(production)["collector"]
    ports = {(port["ContainerPort"], port["Protocol"]) for port in collector["PortMappings"]}
    assert ports == {(2000, "udp"), (2000, "tcp"), (4318, "tcp")}
    config = json.loads(environment(collector)["CW_CONFIG_CONTENT"])
    traces = config["traces"]["traces_collected"]
    assert traces["xray"]["bind_address"] == "127.0.0.1:2000"
    assert traces["xray"]["tcp_proxy"]["bind_address"] == "127.0.0.1:2000"
    assert traces["otlp"]["http_endpoint"] == "127.0.0.1:4318"
    assert collector["Essential"] is False  # tracing trouble never takes the API down
    assert collector["RestartPolicy"]["Enabled"] is True
    api = containers(production)["api"]
    assert {"Condition": "START", "ContainerName": "collector"} in api["DependsOn"]
    env = environment(api)
    assert env["AWS_XRAY_DAEMON_ADDRESS"] == "127.0.0.1:2000"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
    assert env["XRAY_CENTRALIZED_SAMPLING"] == "on"


def test_xray_permissions_are_exactly_the_collectors_four(production: Synthesized) -> None:
    granted = [
        (policy, statement)
        for policy, statement in statements(production)
        if any(action.startswith("xray:") for action in actions(statement))
    ]
    assert len(granted) == 1
    policy, statement = granted[0]
    assert actions(statement) == XRAY_ACTIONS
    assert statement["Effect"] == "Allow"
    assert "Condition" not in statement
    assert policy.startswith("ApiTaskTaskRole")
    # The API's role holds nothing else but reading the database secret.
    others = [s for p, s in statements(production) if p == policy and s is not statement]
    assert [actions(s) for s in others] == [
        {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    ]


def test_autoscaling_follows_cpu_and_requests(production: Synthesized) -> None:
    production.template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 2, "MaxCapacity": 10}
    )
    metrics = {
        policy["Properties"]["TargetTrackingScalingPolicyConfiguration"][
            "PredefinedMetricSpecification"
        ]["PredefinedMetricType"]
        for policy in production.resources("AWS::ApplicationAutoScaling::ScalingPolicy").values()
    }
    assert metrics == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}
    production.template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "DeploymentConfiguration": {
                "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
                "MinimumHealthyPercent": 100,
            },
            "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED"}},
        },
    )


def test_migrations_run_once_before_the_service_changes(production: Synthesized) -> None:
    assert containers(production)["migrate"]["Command"] == ["alembic", "upgrade", "head"]
    (run_name, run) = next(
        iter(production.resources("AWS::CloudFormation::CustomResource").items())
    )
    migrate_task = logical_id(production, "AWS::ECS::TaskDefinition", "MigrateTask")
    assert run["Properties"]["TaskDefinition"] == {"Ref": migrate_task}
    assert run["Properties"]["Container"] == "migrate"
    (service,) = production.resources("AWS::ECS::Service").values()
    assert any(dependency.startswith("Migrations") for dependency in service["DependsOn"])
    assert run_name.startswith("Migrations")
    # The first run finds the database up and reachable from the migration task.
    door = logical_id(production, "AWS::EC2::SecurityGroupIngress", "fromXRayBoardMigrate")
    database = logical_id(production, "AWS::RDS::DBInstance")
    assert {door, database} <= set(run["DependsOn"])


def test_every_log_group_keeps_logs_for_a_bounded_time(production: Synthesized) -> None:
    groups = production.resources("AWS::Logs::LogGroup")
    assert groups
    assert {name: group["Properties"].get("RetentionInDays") for name, group in groups.items()} == {
        name: 30 for name in groups
    }


def test_staging_is_cheaper_and_https_is_used_with_a_certificate(staging: Synthesized) -> None:
    staging.template.has_resource_properties(
        "AWS::RDS::DBInstance", {"DeletionProtection": False, "MultiAZ": False}
    )
    staging.template.resource_count_is("AWS::EC2::NatGateway", 1)
    listeners = {
        listener["Properties"]["Port"]: listener["Properties"]
        for listener in staging.resources("AWS::ElasticLoadBalancingV2::Listener").values()
    }
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"


@pytest.mark.parametrize("group", ["n-plus-one", "slow"])
def test_xray_groups_find_n_plus_one_and_slow_operations(
    production: Synthesized, group: str
) -> None:
    expected = {
        "n-plus-one": 'service("board-api") AND annotation.n_plus_one = true',
        "slow": 'service("board-api") AND responsetime > 1',
    }
    production.template.has_resource_properties(
        "AWS::XRay::Group",
        {"GroupName": f"board-api-{group}", "FilterExpression": expected[group]},
    )
