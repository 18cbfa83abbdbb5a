"""The API on ECS Fargate behind an Application Load Balancer, scaled on CPU and requests.

Each task runs ``board serve --workers N`` with N the task's vCPUs (each worker traces on its
own) beside the trace collector. Configuration is plain environment; the one secret value, the
token signing key, is injected by ECS from Secrets Manager, so the template never holds it. The
database credentials are not injected at all: the server reads them by ARN and follows their
rotation (board/secrets.py).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from deploy.collector import add_collector
from deploy.nag import acknowledge
from deploy.settings import DeploySettings

API_PORT = 8000
HEALTH_PATH = "/healthz"
# The image's HEALTHCHECK, repeated because ECS ignores a Dockerfile's own.
HEALTH_COMMAND = [
    "CMD",
    "python",
    "-c",
    f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{API_PORT}{HEALTH_PATH}', "
    "timeout=4)",
]


def serve_command(settings: DeploySettings) -> list[str]:
    return [
        "board",
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        str(API_PORT),
        "--workers",
        str(settings.workers),
    ]


def add_signing_key(scope: Construct) -> secretsmanager.Secret:
    key = secretsmanager.Secret(
        scope,
        "SigningKey",
        description="BOARD_SECRET_KEY: signs the API's auth tokens",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=64, exclude_punctuation=True
        ),
    )
    acknowledge(
        key,
        "Rotating the signing key signs every user out at once, so it is rotated by hand "
        "(README: Deploy to AWS); tokens expire after 24 hours regardless.",
        "AwsSolutions-SMG4",
    )
    return key


def add_api_task(
    scope: Construct,
    settings: DeploySettings,
    image: ecs.ContainerImage,
    environment: dict[str, str],
    signing_key: secretsmanager.ISecret,
    log_group: logs.ILogGroup,
) -> ecs.FargateTaskDefinition:
    task = ecs.FargateTaskDefinition(
        scope,
        "ApiTask",
        cpu=settings.cpu,
        memory_limit_mib=settings.memory_mib,
        runtime_platform=ecs.RuntimePlatform(
            cpu_architecture=ecs.CpuArchitecture.X86_64,
            operating_system_family=ecs.OperatingSystemFamily.LINUX,
        ),
    )
    collector = add_collector(task, log_group)
    api = task.add_container(
        "api",
        container_name="api",
        image=image,
        command=serve_command(settings),
        environment=environment,
        secrets={"BOARD_SECRET_KEY": ecs.Secret.from_secrets_manager(signing_key)},
        port_mappings=[ecs.PortMapping(container_port=API_PORT)],
        health_check=ecs.HealthCheck(
            command=HEALTH_COMMAND,
            interval=Duration.seconds(15),
            timeout=Duration.seconds(5),
            start_period=Duration.seconds(30),
            retries=3,
        ),
        logging=ecs.LogDrivers.aws_logs(stream_prefix="api", log_group=log_group),
        stop_timeout=Duration.seconds(30),
    )
    acknowledge_task_definition(task)
    api.add_container_dependencies(
        ecs.ContainerDependency(
            container=collector, condition=ecs.ContainerDependencyCondition.START
        )
    )
    return task


def acknowledge_task_definition(task: ecs.TaskDefinition) -> None:
    acknowledge(
        task,
        "The environment holds configuration only (names, addresses, the database secret's "
        "ARN); the signing key comes from Secrets Manager and the database password is read by "
        "ARN at run time.",
        "AwsSolutions-ECS2",
    )
    acknowledge(
        task.obtain_execution_role(),
        "ecr:GetAuthorizationToken, which pulling the image needs, has no resource-level "
        "permissions; the image and log permissions are scoped to their resources.",
        "AwsSolutions-IAM5[Resource::*]",
    )


def add_load_balancer(
    scope: Construct, vpc: ec2.IVpc, settings: DeploySettings
) -> tuple[elbv2.ApplicationLoadBalancer, elbv2.ApplicationListener]:
    balancer = elbv2.ApplicationLoadBalancer(
        scope, "LoadBalancer", vpc=vpc, internet_facing=True, drop_invalid_header_fields=True
    )
    balancer.log_access_logs(access_log_bucket(scope, settings), prefix="alb")
    acknowledge(
        balancer,
        "A public API: the load balancer takes HTTP(S) from anywhere, and only the load "
        "balancer can reach the tasks.",
        "AwsSolutions-EC23",
    )
    if settings.certificate_arn is None:
        return balancer, balancer.add_listener("Http", port=80, open=True)
    balancer.add_redirect(source_port=80, target_port=443)
    https = balancer.add_listener(
        "Https",
        port=443,
        open=True,
        certificates=[elbv2.ListenerCertificate.from_arn(settings.certificate_arn)],
        ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
    )
    return balancer, https


def access_log_bucket(scope: Construct, settings: DeploySettings) -> s3.Bucket:
    bucket = s3.Bucket(
        scope,
        "AccessLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption ALB logs accept
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
        removal_policy=RemovalPolicy.RETAIN,
    )
    acknowledge(
        bucket,
        "This bucket holds the load balancer's access logs; logging access to the log bucket "
        "would need yet another bucket, read by nobody.",
        "AwsSolutions-S1",
    )
    return bucket


def add_service(
    scope: Construct,
    cluster: ecs.ICluster,
    task: ecs.FargateTaskDefinition,
    listener: elbv2.ApplicationListener,
    settings: DeploySettings,
) -> ecs.FargateService:
    service = ecs.FargateService(
        scope,
        "Service",
        cluster=cluster,
        task_definition=task,
        desired_count=settings.min_tasks,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        assign_public_ip=False,
        # A version whose tasks never turn healthy is rolled back to the last one that did.
        circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
        min_healthy_percent=100,
        max_healthy_percent=200,
        health_check_grace_period=Duration.seconds(60),
    )
    targets = listener.add_targets(
        "Api",
        port=API_PORT,
        protocol=elbv2.ApplicationProtocol.HTTP,
        targets=[service.load_balancer_target(container_name="api", container_port=API_PORT)],
        health_check=elbv2.HealthCheck(
            path=HEALTH_PATH,
            healthy_http_codes="200",
            interval=Duration.seconds(15),
            timeout=Duration.seconds(5),
            healthy_threshold_count=2,
            unhealthy_threshold_count=3,
        ),
        deregistration_delay=Duration.seconds(30),
    )
    scaling = service.auto_scale_task_count(
        min_capacity=settings.min_tasks, max_capacity=settings.max_tasks
    )
    scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=settings.cpu_target_percent)
    scaling.scale_on_request_count(
        "Requests",
        requests_per_target=settings.requests_per_task_per_minute,
        target_group=targets,
    )
    return service
