"""The application's configuration, read once from the environment (README: Configuration).

Every variable is read by the tracing library's one rule (``tracing.env_flag`` and friends): a
bad value stops start-up with a ``ConfigurationError`` naming the variable.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from board.chaos import Chaos
from tracing import ConfigurationError as ConfigurationError  # raised here, caught by the CLI
from tracing import ExporterChoice, TracingConfig, env_choice, env_flag, env_positive_int

SERVICE_NAME = "board-api"


NO_CHAOS = Chaos(error_rate=0.0, latency_ms=None, rng=random.Random(0))


def tracing_config(environ: Mapping[str, str]) -> TracingConfig:
    """The X-Ray SDK variables, the board's service name, and the board's tracing knobs."""
    config = TracingConfig.from_env(environ, service_name=SERVICE_NAME)
    return replace(
        config,
        field_cap=env_positive_int(environ, "BOARD_TRACE_FIELD_CAP", config.field_cap),
        n_plus_one_threshold=env_positive_int(
            environ, "BOARD_N_PLUS_ONE_THRESHOLD", config.n_plus_one_threshold
        ),
    )


def chaos_from(environ: Mapping[str, str]) -> Chaos:
    """``BOARD_CHAOS_*``; refused in production, where nobody wants injected failures."""
    rate = _error_rate(environ.get("BOARD_CHAOS_ERROR_RATE", "").strip())
    latency = _latency(environ.get("BOARD_CHAOS_LATENCY_MS", "").strip())
    seed = environ.get("BOARD_CHAOS_SEED", "").strip()
    if seed and not seed.lstrip("-").isdigit():
        raise ConfigurationError(f"BOARD_CHAOS_SEED must be a whole number (got {seed!r})")
    chaos = Chaos(rate, latency, random.Random(int(seed)) if seed else random.Random())
    if chaos.enabled and environ.get("BOARD_ENV", "").strip().lower() == "production":
        raise ConfigurationError(
            "BOARD_CHAOS_ERROR_RATE/BOARD_CHAOS_LATENCY_MS are demonstration switches and are "
            "refused when BOARD_ENV=production"
        )
    return chaos


def _error_rate(raw: str) -> float:
    if not raw:
        return 0.0
    try:
        rate = float(raw)
    except ValueError:
        rate = -1.0
    if not 0 <= rate <= 1:
        raise ConfigurationError(
            f"BOARD_CHAOS_ERROR_RATE must be a number from 0 to 1 (got {raw!r})"
        )
    return rate


def _latency(raw: str) -> tuple[int, int] | None:
    if not raw:
        return None
    low, _, high = raw.partition("-")
    if not (low.isdigit() and high.isdigit() and int(low) <= int(high)):
        raise ConfigurationError(
            f"BOARD_CHAOS_LATENCY_MS must be MIN-MAX milliseconds, e.g. 50-300 (got {raw!r})"
        )
    return int(low), int(high)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None
    secret_key: str | None
    dataloaders: bool
    tracing: TracingConfig
    database_secret_arn: str | None = None
    chaos: Chaos = NO_CHAOS
    trace_exporter: ExporterChoice = ExporterChoice.XRAY

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            data_dir=Path(environ.get("BOARD_DATA_DIR") or ".data"),
            database_url=environ.get("DATABASE_URL") or None,
            secret_key=environ.get("BOARD_SECRET_KEY") or None,
            dataloaders=env_flag(environ, "BOARD_DATALOADERS", default=True),
            tracing=tracing_config(environ),
            database_secret_arn=environ.get("DATABASE_SECRET_ARN") or None,
            chaos=chaos_from(environ),
            trace_exporter=env_choice(environ, "BOARD_TRACE_EXPORTER", ExporterChoice.XRAY),
        )

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None and self.database_secret_arn is None

    def signing_key(self) -> bytes:
        """BOARD_SECRET_KEY, else a key generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two processes starting at once must not each write a different key.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as file:
                    file.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()
