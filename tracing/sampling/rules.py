"""X-Ray local sampling rule files (versions 1 and 2), with optional GraphQL matchers.

Every GraphQL request is ``POST /graphql``, so X-Ray's host/method/path matchers cannot tell
operations apart; ``operation_name`` (a glob) and ``operation_type`` can. A file is validated
when it is loaded, and every error names the file, the rule and the field.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_RULE_NAME = "Default"
OPERATION_TYPES = frozenset({"query", "mutation", "subscription"})
_TARGET_FIELDS = {"fixed_target", "rate"}
_RULE_FIELDS = {
    1: {"description", "service_name", "http_method", "url_path", *_TARGET_FIELDS},
    2: {"description", "host", "http_method", "url_path", *_TARGET_FIELDS},
}
_GRAPHQL_FIELDS = {"operation_name", "operation_type"}


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file, rule and field."""


@dataclass(frozen=True)
class SamplingRule:
    name: str
    fixed_target: int
    rate: float
    host: str = "*"
    service_name: str = "*"
    http_method: str = "*"
    url_path: str = "*"
    operation_name: str = "*"
    operation_type: str = "*"

    def matches(
        self,
        *,
        host: str,
        service_name: str,
        method: str,
        path: str,
        operation_name: str | None,
        operation_type: str,
    ) -> bool:
        return (
            glob_matches(self.host, host)
            and glob_matches(self.service_name, service_name)
            and glob_matches(self.http_method, method)
            and glob_matches(self.url_path, path)
            and glob_matches(self.operation_name, operation_name or "")
            and glob_matches(self.operation_type, operation_type)
        )


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[SamplingRule, ...]
    default: SamplingRule


def default_rule_set() -> RuleSet:
    """No rule file: every request is sampled (README: Configuration, `XRAY_SAMPLING_RULES`)."""
    return RuleSet(rules=(), default=SamplingRule(name=DEFAULT_RULE_NAME, fixed_target=0, rate=1.0))


def load_rules(path: str | Path) -> RuleSet:
    try:
        raw = json.loads(Path(path).read_text())
    except OSError as error:
        raise RuleFileError(f"{path}: cannot read sampling rules ({error.strerror})") from error
    except json.JSONDecodeError as error:
        raise RuleFileError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from error
    return parse_rules(raw, source=str(path))


def parse_rules(raw: Any, *, source: str) -> RuleSet:
    if not isinstance(raw, dict):
        raise RuleFileError(f"{source}: the top level must be an object")
    version = raw.get("version")
    if version not in _RULE_FIELDS:
        raise RuleFileError(f"{source}: version must be 1 or 2 (got {version!r})")
    unknown = set(raw) - {"version", "rules", "default"}
    if unknown:
        raise RuleFileError(f"{source}: unknown top-level field {sorted(unknown)[0]!r}")
    rules = raw.get("rules", [])
    if not isinstance(rules, list):
        raise RuleFileError(f"{source}: rules must be a list")
    if "default" not in raw:
        raise RuleFileError(f"{source}: missing the default rule")
    parsed = tuple(_rule(entry, version, source, i) for i, entry in enumerate(rules))
    _check_unique_names(parsed, source)
    return RuleSet(rules=parsed, default=_default(raw["default"], f"{source}: default rule"))


def _rule(entry: Any, version: int, source: str, index: int) -> SamplingRule:
    where = f"{source}: rule {index}"
    if not isinstance(entry, dict):
        raise RuleFileError(f"{where}: must be an object")
    description = entry.get("description")
    if description is not None:
        where = f"{where} ({description!r})"
        if not isinstance(description, str) or not description:
            raise RuleFileError(f"{where}: description must be a non-empty string")
    _check_fields(entry, _RULE_FIELDS[version] | _GRAPHQL_FIELDS, where)
    operation_type = _string(entry, "operation_type", where)
    if operation_type != "*" and operation_type not in OPERATION_TYPES:
        raise RuleFileError(f"{where}: operation_type must be query, mutation or subscription")
    return SamplingRule(
        name=description or f"rule-{index}",
        fixed_target=_fixed_target(entry, where),
        rate=_rate(entry, where),
        # Version 1 matched the service (segment) name; version 2 matches the Host header.
        host=_string(entry, "host", where),
        service_name=_string(entry, "service_name", where),
        http_method=_string(entry, "http_method", where),
        url_path=_string(entry, "url_path", where),
        operation_name=_string(entry, "operation_name", where),
        operation_type=operation_type,
    )


def _check_unique_names(rules: tuple[SamplingRule, ...], source: str) -> None:
    """Centralized sampling knows rules by name (the description), so two may not share one."""
    seen: dict[str, int] = {DEFAULT_RULE_NAME: -1}
    for index, rule in enumerate(rules):
        earlier = seen.setdefault(rule.name, index)
        if earlier != index:
            taken_by = "the default rule" if earlier < 0 else f"rule {earlier}"
            raise RuleFileError(
                f"{source}: rule {index} ({rule.name!r}): description names {taken_by} already"
            )


def _default(entry: Any, where: str) -> SamplingRule:
    if not isinstance(entry, dict):
        raise RuleFileError(f"{where}: must be an object")
    _check_fields(entry, _TARGET_FIELDS, where)
    return SamplingRule(
        name=DEFAULT_RULE_NAME, fixed_target=_fixed_target(entry, where), rate=_rate(entry, where)
    )


def _check_fields(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise RuleFileError(f"{where}: unknown field {unknown[0]!r}")
    missing = sorted(_TARGET_FIELDS - set(entry))
    if missing:
        raise RuleFileError(f"{where}: missing field {missing[0]!r}")


def _fixed_target(entry: Mapping[str, Any], where: str) -> int:
    value = entry["fixed_target"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleFileError(f"{where}: fixed_target must be a whole number >= 0 (got {value!r})")
    return value


def _rate(entry: Mapping[str, Any], where: str) -> float:
    value = entry["rate"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise RuleFileError(f"{where}: rate must be a number from 0 to 1 (got {value!r})")
    return float(value)


def _string(entry: Mapping[str, Any], field: str, where: str) -> str:
    value = entry.get(field, "*")
    if not isinstance(value, str) or not value:
        raise RuleFileError(f"{where}: {field} must be a non-empty string (got {value!r})")
    return value


def glob_matches(pattern: str, value: str) -> bool:
    """X-Ray's wildcards: `*` any run, `?` one character, letters of either case."""
    return pattern == "*" or _wildcard(pattern).fullmatch(value) is not None


@functools.lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    # Not fnmatch: X-Ray has no `[...]` classes, a bracket is just a bracket.
    parts = (".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
