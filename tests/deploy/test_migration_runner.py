"""The migration custom resource's verdict on a task, from DescribeTasks answers.

(moto 5.2's ECS cannot run a Fargate task with awsvpc networking, so the verdict is tested on
the shapes DescribeTasks returns.)
"""

from __future__ import annotations

from typing import Any

import pytest

from deploy.migration_runner.handler import is_complete, migrated, on_event


def task(status: str, exit_code: int | None = None, reason: str | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "migrate", "lastStatus": status}
    if exit_code is not None:
        container["exitCode"] = exit_code
    described: dict[str, Any] = {"lastStatus": status, "containers": [container]}
    if reason:
        described["stoppedReason"] = reason
    return described


@pytest.mark.parametrize("status", ["PROVISIONING", "PENDING", "RUNNING", "DEPROVISIONING"])
def test_a_running_migration_is_waited_for(status: str) -> None:
    assert migrated(task(status), "migrate") is False


def test_a_migration_that_exits_0_lets_the_deployment_go_on() -> None:
    assert migrated(task("STOPPED", 0), "migrate") is True


def test_a_failed_migration_fails_the_deployment_naming_its_exit_code() -> None:
    with pytest.raises(RuntimeError, match=r"exit code 1, Essential container in task exited"):
        migrated(task("STOPPED", 1, "Essential container in task exited"), "migrate")


def test_a_task_that_never_ran_its_container_fails_with_the_reason() -> None:
    with pytest.raises(RuntimeError, match="exit code None, CannotPullContainerError"):
        migrated(task("STOPPED", reason="CannotPullContainerError: pull access denied"), "migrate")


def test_deleting_the_stack_neither_runs_nor_undoes_migrations() -> None:
    event = {"RequestType": "Delete", "PhysicalResourceId": "arn:aws:ecs:task/1"}
    assert on_event(event, None) == {"PhysicalResourceId": "arn:aws:ecs:task/1"}
    assert is_complete(event, None) == {"IsComplete": True}
