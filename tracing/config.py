"""Tracing settings: the X-Ray SDKs' standard variables, plus what the app decides itself."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from tracing.env import env_flag, env_text

DEFAULT_DAEMON_ADDRESS = "127.0.0.1:2000"
DEFAULT_FIELD_CAP = 20
DEFAULT_N_PLUS_ONE_THRESHOLD = 5


@dataclass(frozen=True)
class TracingConfig:
    service_name: str
    """The segment name X-Ray shows for this service."""
    enabled: bool = True
    daemon_address: str = DEFAULT_DAEMON_ADDRESS
    field_cap: int = DEFAULT_FIELD_CAP
    """Instances of one field traced one by one before the rest fold into a summary."""
    n_plus_one_threshold: int = DEFAULT_N_PLUS_ONE_THRESHOLD
    """Statements of one shape from one field that make an N+1 finding."""
    sampling_rules: str | None = None
    """A local rule file (``XRAY_SAMPLING_RULES``); none samples every request."""
    centralized_sampling: bool = False
    """Ask the daemon for X-Ray's centralized rules (``XRAY_CENTRALIZED_SAMPLING``)."""

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] = os.environ, *, service_name: str
    ) -> TracingConfig:
        """The variables every X-Ray SDK reads; ``service_name`` unless AWS_XRAY_TRACING_NAME.

        A bad value raises ``ConfigurationError`` naming the variable.
        """
        return cls(
            service_name=env_text(environ, "AWS_XRAY_TRACING_NAME") or service_name,
            enabled=env_flag(environ, "AWS_XRAY_SDK_ENABLED", default=True),
            daemon_address=env_text(environ, "AWS_XRAY_DAEMON_ADDRESS") or DEFAULT_DAEMON_ADDRESS,
            sampling_rules=env_text(environ, "XRAY_SAMPLING_RULES"),
            centralized_sampling=env_flag(environ, "XRAY_CENTRALIZED_SAMPLING", default=False),
        )
