"""What a deployment may change, read from CDK context (``-c key=value`` or ``cdk.json``).

Every value is checked before any construct is built, and a bad one names its context key, so
``cdk deploy`` stops in seconds instead of half way through a CloudFormation update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_cdk import aws_logs as logs

T = TypeVar("T")

# Fargate's CPU units; 1024 is one vCPU. Memory must also be a size Fargate offers for the CPU.
FARGATE_CPU = (256, 512, 1024, 2048, 4096, 8192, 16384)
ENVIRONMENTS = ("production", "staging")
KINDS = {int: "a whole number", float: "a number", str: "text"}
RETENTION = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


class DeployConfigError(ValueError):
    """A context value the stack cannot use; the message names the key and what it accepts."""


@dataclass(frozen=True)
class DeploySettings:
    environment: str = "production"
    service_name: str = "board-api"  # AWS_XRAY_TRACING_NAME: the segment (service) name
    cpu: int = 2048
    memory_mib: int = 4096
    min_tasks: int = 2
    max_tasks: int = 10
    cpu_target_percent: int = 60
    requests_per_task_per_minute: int = 3000
    db_instance_class: str = "t4g.medium"
    db_storage_gib: int = 20
    db_max_storage_gib: int = 100
    log_retention_days: int = 30
    slow_operation_seconds: float = 1.0
    certificate_arn: str | None = None

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def workers(self) -> int:
        """`board serve --workers`: one worker process per vCPU of the task."""
        return max(1, self.cpu // 1024)

    @property
    def log_retention(self) -> logs.RetentionDays:
        return RETENTION[self.log_retention_days]

    @property
    def nat_gateways(self) -> int:
        """One per AZ in production (an AZ outage leaves the other's egress up), else one."""
        return 2 if self.production else 1

    @classmethod
    def from_context(cls, context: Callable[[str], Any]) -> DeploySettings:
        """``context`` is ``node.try_get_context``; a key left out keeps its default."""
        defaults = cls()
        values = {
            name: _read(context, name, type(getattr(defaults, name)), getattr(defaults, name))
            for name in _CONTEXT_KEYS
        }
        certificate = context("certificate_arn")
        settings = cls(**values, certificate_arn=str(certificate) if certificate else None)
        settings.check()
        return settings

    def check(self) -> None:
        if self.environment not in ENVIRONMENTS:
            raise DeployConfigError(
                f"context environment must be one of {', '.join(ENVIRONMENTS)} "
                f"(got {self.environment!r})"
            )
        if self.cpu not in FARGATE_CPU:
            raise DeployConfigError(
                f"context cpu must be a Fargate CPU size {FARGATE_CPU} (got {self.cpu})"
            )
        if not 1 <= self.min_tasks <= self.max_tasks:
            raise DeployConfigError(
                f"context min_tasks and max_tasks need 1 <= min_tasks <= max_tasks "
                f"(got {self.min_tasks} and {self.max_tasks})"
            )
        if not 10 <= self.cpu_target_percent <= 90:
            raise DeployConfigError(
                f"context cpu_target_percent must be 10-90 (got {self.cpu_target_percent})"
            )
        if self.log_retention_days not in RETENTION:
            raise DeployConfigError(
                f"context log_retention_days must be one of {sorted(RETENTION)} "
                f"(got {self.log_retention_days})"
            )
        if self.db_storage_gib < 20 or self.db_max_storage_gib < self.db_storage_gib:
            raise DeployConfigError(
                "context db_storage_gib must be >= 20 and db_max_storage_gib >= db_storage_gib"
            )


_CONTEXT_KEYS = tuple(
    name for name in DeploySettings.__dataclass_fields__ if name != "certificate_arn"
)


def _read(context: Callable[[str], Any], key: str, kind: type[T], default: T) -> T:
    raw = context(key)
    if raw is None:
        return default
    try:
        value = kind(raw)  # type: ignore[call-arg]
    except (TypeError, ValueError):
        raise DeployConfigError(f"context {key} must be {KINDS[kind]} (got {raw!r})") from None
    return value
