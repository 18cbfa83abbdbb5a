"""A VPC over two AZs: public subnets for the load balancer, private ones for the tasks, isolated
ones for the database (no route to or from the internet), and flow logs for the record."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from deploy.settings import DeploySettings


def add_network(scope: Construct, settings: DeploySettings) -> ec2.Vpc:
    vpc = ec2.Vpc(
        scope,
        "Vpc",
        max_azs=2,
        nat_gateways=settings.nat_gateways,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            ec2.SubnetConfiguration(name="database", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )
    vpc.add_flow_log(
        "FlowLog",
        destination=ec2.FlowLogDestination.to_cloud_watch_logs(
            logs.LogGroup(
                scope,
                "FlowLogGroup",
                retention=settings.log_retention,
            )
        ),
        traffic_type=ec2.FlowLogTrafficType.REJECT,
    )
    return vpc
