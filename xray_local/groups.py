"""X-Ray groups: named filter expressions, kept in a JSON file beside the traces.

A group is usable wherever a filter is: ``group.name = "slow-feeds"`` in a filter expression,
``GroupName`` on GetServiceGraph and GetTimeSeriesServiceStatistics, and the console's group
picker. ``Default`` always exists and matches every trace, as in X-Ray.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from xray_local.filters import FilterError, compile_filter

DEFAULT_GROUP = "Default"
ARN_PREFIX = "arn:aws:xray:us-east-1:000000000000:group/"
NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class GroupError(ValueError):
    """A group request X-Ray would refuse; the message says why."""


@dataclass(frozen=True)
class Group:
    name: str
    arn: str
    filter_expression: str

    def as_xray(self) -> dict[str, Any]:
        group: dict[str, Any] = {
            "GroupName": self.name,
            "GroupARN": self.arn,
            "InsightsConfiguration": {"InsightsEnabled": False, "NotificationsEnabled": False},
        }
        if self.filter_expression:
            group["FilterExpression"] = self.filter_expression
        return group


DEFAULT = Group(DEFAULT_GROUP, f"{ARN_PREFIX}{DEFAULT_GROUP}", "")


class GroupStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._groups: dict[str, Group] = {}
        if path.exists():
            for raw in json.loads(path.read_text()):
                group = Group(**raw)
                self._groups[group.name] = group

    def all(self) -> list[Group]:
        with self._lock:
            return [DEFAULT, *sorted(self._groups.values(), key=lambda g: g.name)]

    def find(self, name_or_arn: str) -> Group | None:
        return next((g for g in self.all() if name_or_arn in (g.name, g.arn)), None)

    def expression(self, name_or_arn: str) -> str | None:
        """For ``compile_filter``: a group's filter expression by name or ARN."""
        group = self.find(name_or_arn)
        return group.filter_expression if group is not None else None

    def create(self, name: str, expression: str) -> Group:
        if not NAME.match(name):
            raise GroupError("GroupName must be 1 to 32 letters, digits, '-' or '_'")
        self._check(expression)
        with self._lock:
            if name == DEFAULT_GROUP or name in self._groups:
                raise GroupError(f"Group {name} already exists")
            group = Group(name, f"{ARN_PREFIX}{name}/{uuid.uuid4().hex[:26].upper()}", expression)
            self._groups[name] = group
            self._save()
        return group

    def update(self, name_or_arn: str, expression: str) -> Group:
        self._check(expression)
        with self._lock:
            group = self._own(name_or_arn)
            updated = Group(group.name, group.arn, expression)
            self._groups[group.name] = updated
            self._save()
        return updated

    def delete(self, name_or_arn: str) -> None:
        with self._lock:
            del self._groups[self._own(name_or_arn).name]
            self._save()

    def _own(self, name_or_arn: str) -> Group:
        if name_or_arn in (DEFAULT.name, DEFAULT.arn):
            raise GroupError("the Default group cannot be changed or deleted")
        group = next((g for g in self._groups.values() if name_or_arn in (g.name, g.arn)), None)
        if group is None:
            raise GroupError(f"Group not found: {name_or_arn}")
        return group

    def _check(self, expression: str) -> None:
        try:
            compile_filter(expression, self.expression)
        except FilterError as error:
            raise GroupError(f"Invalid filter expression: {error}") from error

    def _save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps([asdict(g) for g in self._groups.values()], indent=1))
        temporary.replace(self._path)
