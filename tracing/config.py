"""Tracing settings, read once from the environment (README: Configuration)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DAEMON_ADDRESS = "127.0.0.1:2000"
DEFAULT_SERVICE_NAME = "board-api"
DEFAULT_FIELD_CAP = 20
DEFAULT_N_PLUS_ONE_THRESHOLD = 5
FALSE_WORDS = frozenset({"0", "false", "off", "no"})
TRUE_WORDS = frozenset({"1", "true", "on", "yes"})


class TracingConfigError(ValueError):
    """A tracing variable has a value we cannot use; the message names it."""


def _switch(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in TRUE_WORDS


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise TracingConfigError(f"{name} must be a whole number of at least 1 (got {raw!r})")
    return value


@dataclass(frozen=True)
class TracingConfig:
    enabled: bool
    daemon_address: str
    service_name: str
    field_cap: int
    """Instances of one field traced one by one before the rest fold into a summary."""
    n_plus_one_threshold: int
    """Statements of one shape from one field that make an N+1 finding."""
    sampling_rules: str | None = None
    """A local rule file (``XRAY_SAMPLING_RULES``); none samples every request."""
    centralized_sampling: bool = False
    """Ask the daemon for X-Ray's centralized rules (``XRAY_CENTRALIZED_SAMPLING``)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> TracingConfig:
        return cls(
            # The X-Ray SDK's own switch: anything but a false word leaves tracing on.
            enabled=environ.get("AWS_XRAY_SDK_ENABLED", "true").strip().lower() not in FALSE_WORDS,
            daemon_address=environ.get("AWS_XRAY_DAEMON_ADDRESS") or DEFAULT_DAEMON_ADDRESS,
            service_name=environ.get("AWS_XRAY_TRACING_NAME") or DEFAULT_SERVICE_NAME,
            field_cap=_positive_int(environ, "BOARD_TRACE_FIELD_CAP", DEFAULT_FIELD_CAP),
            n_plus_one_threshold=_positive_int(
                environ, "BOARD_N_PLUS_ONE_THRESHOLD", DEFAULT_N_PLUS_ONE_THRESHOLD
            ),
            sampling_rules=environ.get("XRAY_SAMPLING_RULES") or None,
            centralized_sampling=_switch(environ, "XRAY_CENTRALIZED_SAMPLING"),
        )
