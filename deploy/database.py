"""RDS PostgreSQL in isolated subnets, encrypted, its credentials rotated by Secrets Manager.

The server reads the secret itself (``DATABASE_SECRET_ARN``) and, when a rotated password is
refused, reads it once more and carries on (board/secrets.py): single-user rotation is therefore
safe for connections opened after a rotation, and no task restarts for one.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

from deploy.nag import acknowledge
from deploy.settings import DeploySettings

DATABASE_NAME = "board"
ROTATION_DAYS = 30


def add_database(scope: Construct, vpc: ec2.IVpc, settings: DeploySettings) -> rds.DatabaseInstance:
    production = settings.production
    # Named, so its PostgreSQL log group can be made here with a retention (RDS would otherwise
    # create it without one, or the CDK would need a Lambda function to set it afterwards).
    identifier = f"{Stack.of(scope).stack_name.lower()}-database"
    postgres_log = logs.LogGroup(
        scope,
        "DatabaseLogs",
        log_group_name=f"/aws/rds/instance/{identifier}/postgresql",
        retention=settings.log_retention,
        removal_policy=RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY,
    )
    database = rds.DatabaseInstance(
        scope,
        "Database",
        instance_identifier=identifier,
        engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
        instance_type=ec2.InstanceType(settings.db_instance_class),
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        publicly_accessible=False,
        storage_encrypted=True,
        storage_type=rds.StorageType.GP3,
        allocated_storage=settings.db_storage_gib,
        max_allocated_storage=settings.db_max_storage_gib,
        multi_az=production,
        deletion_protection=production,
        removal_policy=RemovalPolicy.SNAPSHOT if production else RemovalPolicy.DESTROY,
        backup_retention=Duration.days(7 if production else 1),
        database_name=DATABASE_NAME,
        credentials=rds.Credentials.from_generated_secret("board"),
        cloudwatch_logs_exports=["postgresql"],
        auto_minor_version_upgrade=True,
    )
    database.node.add_dependency(postgres_log)
    database.add_rotation_single_user(automatically_after=Duration.days(ROTATION_DAYS))
    acknowledge(
        database,
        "PostgreSQL keeps its standard port: only the service's, the migration task's and the "
        "rotation function's security groups can reach it, and a moved port adds nothing to that.",
        "AwsSolutions-RDS11",
    )
    if not production:
        acknowledge(
            database,
            "Staging runs a single instance at half the cost; production is Multi-AZ.",
            "AwsSolutions-RDS3",
        )
        acknowledge(
            database,
            "Staging is disposable and must be deletable; production has deletion protection.",
            "AwsSolutions-RDS10",
        )
    return database
