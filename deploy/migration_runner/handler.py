"""A CloudFormation custom resource (Lambda): run the migration task, succeed when it exits 0.

``on_event`` starts the one-off ``alembic upgrade head`` task; ``is_complete`` is polled by the
CDK provider framework until the task has stopped. A non-zero exit fails the resource, so
CloudFormation rolls the update back and the version already serving keeps serving.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3


@functools.cache
def ecs() -> Any:
    return boto3.client("ecs")


def on_event(event: dict[str, Any], _context: object) -> dict[str, Any]:
    if event["RequestType"] == "Delete":  # migrations are never undone by a stack deletion
        return {"PhysicalResourceId": event["PhysicalResourceId"]}
    properties = event["ResourceProperties"]
    started = ecs().run_task(
        cluster=properties["Cluster"],
        taskDefinition=properties["TaskDefinition"],
        launchType="FARGATE",
        count=1,
        startedBy="board-migrations",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": properties["Subnets"],
                "securityGroups": properties["SecurityGroups"],
                "assignPublicIp": "DISABLED",
            }
        },
    )
    if started.get("failures") or not started.get("tasks"):
        raise RuntimeError(f"the migration task did not start: {started.get('failures')}")
    return {"PhysicalResourceId": started["tasks"][0]["taskArn"]}


def is_complete(event: dict[str, Any], _context: object) -> dict[str, Any]:
    if event["RequestType"] == "Delete":
        return {"IsComplete": True}
    properties = event["ResourceProperties"]
    described = ecs().describe_tasks(
        cluster=properties["Cluster"], tasks=[event["PhysicalResourceId"]]
    )
    return {"IsComplete": migrated(described["tasks"][0], properties["Container"])}


def migrated(task: dict[str, Any], container: str) -> bool:
    """False while the task runs, True once it stopped with exit code 0; otherwise raise."""
    if task["lastStatus"] != "STOPPED":
        return False
    exit_codes = {c["name"]: c.get("exitCode") for c in task.get("containers", [])}
    code = exit_codes.get(container)
    if code != 0:
        raise RuntimeError(
            f"`alembic upgrade head` failed (exit code {code}, {task.get('stoppedReason')}); "
            f"its output is in the log group under the stream prefix '{container}'"
        )
    return True
