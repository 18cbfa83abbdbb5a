"""Migrations as a one-off task that must succeed before a new version serves.

Each deployment registers a new migration task definition (its image changes with the code), and
the custom resource holding that definition's ARN runs ``alembic upgrade head`` once and waits
for it. The service depends on the resource, so CloudFormation updates the service only after
the schema is current, and a failed migration rolls the whole update back. Running it once, not
at each task's start, keeps scale-out fast and spares two tasks racing to alter one table.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnElement, CustomResource, Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import custom_resources as cr
from constructs import Construct

from deploy.nag import acknowledge
from deploy.service import acknowledge_task_definition
from deploy.settings import DeploySettings

RUNNER_CODE = Path(__file__).parent / "migration_runner"
MIGRATE_COMMAND = ["alembic", "upgrade", "head"]
CONTAINER = "migrate"


def add_migrations(
    scope: Construct,
    cluster: ecs.Cluster,
    image: ecs.ContainerImage,
    environment: dict[str, str],
    log_group: logs.ILogGroup,
    database: rds.DatabaseInstance,
    settings: DeploySettings,
) -> CustomResource:
    """The migration task, allowed into the database, and the resource that runs it once."""
    assert database.secret is not None
    task = add_migration_task(scope, image, environment, log_group)
    database.secret.grant_read(task.task_role)
    group = ec2.SecurityGroup(
        scope, "MigrateSecurityGroup", vpc=cluster.vpc, description="The migration task"
    )
    database.connections.allow_default_port_from(group, "migrations")
    migrations = run_migrations_once(
        scope,
        cluster,
        task,
        cluster.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnets,
        group,
        settings,
    )
    # The task must find the database up and its door open (the ingress rule lives there).
    migrations.node.add_dependency(database)
    return migrations


def add_migration_task(
    scope: Construct,
    image: ecs.ContainerImage,
    environment: dict[str, str],
    log_group: logs.ILogGroup,
) -> ecs.FargateTaskDefinition:
    task = ecs.FargateTaskDefinition(
        scope,
        "MigrateTask",
        cpu=512,
        memory_limit_mib=1024,
        runtime_platform=ecs.RuntimePlatform(
            cpu_architecture=ecs.CpuArchitecture.X86_64,
            operating_system_family=ecs.OperatingSystemFamily.LINUX,
        ),
    )
    task.add_container(
        CONTAINER,
        container_name=CONTAINER,
        image=image,
        command=MIGRATE_COMMAND,
        environment=environment,
        logging=ecs.LogDrivers.aws_logs(stream_prefix=CONTAINER, log_group=log_group),
    )
    acknowledge_task_definition(task)
    return task


def run_migrations_once(
    scope: Construct,
    cluster: ecs.ICluster,
    task: ecs.FargateTaskDefinition,
    subnets: list[ec2.ISubnet],
    security_group: ec2.ISecurityGroup,
    settings: DeploySettings,
) -> CustomResource:
    runner = Construct(scope, "Migrations")
    code = lambda_.Code.from_asset(str(RUNNER_CODE), exclude=["__pycache__"])

    def function(name: str, handler: str) -> lambda_.Function:
        return lambda_.Function(
            runner,
            name,
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler=handler,
            code=code,
            timeout=Duration.seconds(30),
            log_group=logs.LogGroup(runner, f"{name}Logs", retention=settings.log_retention),
        )

    on_event = function("Start", "handler.on_event")
    is_complete = function("Wait", "handler.is_complete")
    task.grant_run(on_event)
    is_complete.add_to_role_policy(
        iam.PolicyStatement(
            actions=["ecs:DescribeTasks"],
            resources=["*"],  # task ids exist only at run time; the condition holds it to ours
            conditions={"ArnEquals": {"ecs:cluster": cluster.cluster_arn}},
        )
    )
    acknowledge(
        is_complete,
        "DescribeTasks names tasks that exist only once started; the condition limits it to "
        "this cluster.",
        "AwsSolutions-IAM5[Resource::*]",
    )
    provider = cr.Provider(
        runner,
        "Provider",
        on_event_handler=on_event,
        is_complete_handler=is_complete,
        query_interval=Duration.seconds(15),
        total_timeout=Duration.minutes(30),
        log_group=logs.LogGroup(runner, "ProviderLogs", retention=settings.log_retention),
        disable_waiter_state_machine_logging=False,
        waiter_state_machine_log_options=cr.LogOptions(
            destination=logs.LogGroup(runner, "WaiterLogs", retention=settings.log_retention),
            level=sfn.LogLevel.ALL,
        ),
    )
    resource = CustomResource(
        runner,
        "Run",
        service_token=provider.service_token,
        properties={
            "Cluster": cluster.cluster_arn,
            # A new task definition revision (a new image) is what makes the migrations run again.
            "TaskDefinition": task.task_definition_arn,
            "Container": CONTAINER,
            "Subnets": [subnet.subnet_id for subnet in subnets],
            "SecurityGroups": [security_group.security_group_id],
        },
    )
    acknowledge(
        runner,
        "AWSLambdaBasicExecutionRole lets these functions write their own logs and nothing else: "
        "AWS's least-privilege policy for exactly that.",
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]",
    )
    acknowledge(
        provider,
        "The CDK provider framework may invoke any version of its own functions, named here.",
        *(
            invoke_versions_finding(function)
            for function in (on_event, is_complete, *framework_functions(provider))
        ),
    )
    acknowledge(
        provider,
        "The waiter is the CDK provider framework's own state machine, with no tracing option; "
        "every execution event is in its log group.",
        "AwsSolutions-SF2",
    )
    acknowledge(
        provider.node.find_child("waiter-state-machine"),
        "Step Functions logging needs CloudWatch Logs' log-delivery actions, which support no "
        "resource-level permissions.",
        "AwsSolutions-IAM5[Resource::*]",
    )
    return resource


def framework_functions(provider: cr.Provider) -> list[lambda_.Function]:
    return [
        child
        for child in provider.node.children
        if isinstance(child, lambda_.Function) and child.node.id != "framework-onEvent"
    ]


def invoke_versions_finding(function: lambda_.Function) -> str:
    """cdk-nag's id for ``lambda:InvokeFunction`` on ``<function ARN>:*``."""
    stack = Stack.of(function)
    resource = function.node.default_child
    assert isinstance(resource, CfnElement)
    logical_id = stack.resolve(stack.get_logical_id(resource))
    return f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]"
