"""The application's configuration, read once from the environment (README: Configuration).

Every variable is read by the tracing library's one rule (``tracing.env_flag`` and friends): a
bad value stops start-up with a ``ConfigurationError`` naming the variable.
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from board.chaos import Chaos
from board.http_server import HeaderLimits
from db.share import MIN_CONNECTIONS_PER_REQUEST
from graph.app import DEFAULT_SERVER_LIMITS, DEFAULT_SIGN_IN_THROTTLE
from graph.cost import QueryLimits
from graph.request_limits import ServerLimits
from graph.throttle import SignInThrottle
from tracing import ConfigurationError as ConfigurationError  # raised here, caught by the CLI
from tracing import (
    ExporterChoice,
    TracingConfig,
    env_choice,
    env_flag,
    env_int,
    env_positive_int,
    env_seconds,
)

SERVICE_NAME = "board-api"


def is_production(environ: Mapping[str, str]) -> bool:
    return environ.get("BOARD_ENV", "").strip().lower() == "production"


DEFAULT_LIMITS = QueryLimits()


def query_limits_from(environ: Mapping[str, str]) -> QueryLimits:
    """``BOARD_MAX_QUERY_*``: what one GraphQL operation may ask for."""
    default = DEFAULT_LIMITS
    return QueryLimits(
        max_cost=env_positive_int(environ, "BOARD_MAX_QUERY_COST", default.max_cost),
        max_depth=env_positive_int(environ, "BOARD_MAX_QUERY_DEPTH", default.max_depth),
        max_aliases=env_int(environ, "BOARD_MAX_QUERY_ALIASES", default.max_aliases, minimum=0),
        max_tokens=env_positive_int(environ, "BOARD_MAX_QUERY_TOKENS", default.max_tokens),
    )


def server_limits_from(environ: Mapping[str, str]) -> ServerLimits:
    """``BOARD_MAX_BODY_BYTES`` and friends: what one HTTP request may take from the server."""
    default = DEFAULT_SERVER_LIMITS
    return ServerLimits(
        max_body_bytes=env_positive_int(environ, "BOARD_MAX_BODY_BYTES", default.max_body_bytes),
        max_concurrent_requests=env_positive_int(
            environ, "BOARD_MAX_CONCURRENT_REQUESTS", default.max_concurrent_requests
        ),
        request_timeout_seconds=env_seconds(
            environ, "BOARD_REQUEST_TIMEOUT_SECONDS", default.request_timeout_seconds
        ),
        body_timeout_seconds=env_seconds(
            environ, "BOARD_BODY_TIMEOUT_SECONDS", default.body_timeout_seconds
        ),
        connections_per_request=env_int(
            environ,
            "BOARD_DB_CONNECTIONS_PER_REQUEST",
            default.connections_per_request,
            minimum=MIN_CONNECTIONS_PER_REQUEST,
        ),
    )


DEFAULT_HEADER_LIMITS = HeaderLimits()


def header_limits_from(environ: Mapping[str, str]) -> HeaderLimits:
    default = DEFAULT_HEADER_LIMITS
    return HeaderLimits(
        max_header_bytes=env_positive_int(
            environ, "BOARD_MAX_HEADER_BYTES", default.max_header_bytes
        ),
        header_timeout_seconds=env_seconds(
            environ, "BOARD_HEADER_TIMEOUT_SECONDS", default.header_timeout_seconds
        ),
    )


def sign_in_throttle_from(environ: Mapping[str, str]) -> SignInThrottle:
    default = DEFAULT_SIGN_IN_THROTTLE
    return SignInThrottle(
        max_failures_per_username=env_positive_int(
            environ, "BOARD_SIGN_IN_FAILURES_PER_USERNAME", default.max_failures_per_username
        ),
        max_failures_per_address=env_positive_int(
            environ, "BOARD_SIGN_IN_FAILURES_PER_ADDRESS", default.max_failures_per_address
        ),
        window_seconds=env_positive_int(
            environ, "BOARD_SIGN_IN_WINDOW_SECONDS", default.window_seconds
        ),
    )


# HMAC-SHA256 keys shorter than its 32-byte output weaken every token signed with them.
SECRET_KEY_MIN_BYTES = 32


def secret_key_from(environ: Mapping[str, str]) -> str | None:
    key = environ.get("BOARD_SECRET_KEY") or None
    if key is None and is_production(environ):
        raise ConfigurationError(
            "BOARD_SECRET_KEY is required when BOARD_ENV=production (e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    if key is not None and len(key.encode()) < SECRET_KEY_MIN_BYTES:
        raise ConfigurationError(
            f"BOARD_SECRET_KEY must be at least {SECRET_KEY_MIN_BYTES} bytes "
            f"(got {len(key.encode())})"
        )
    return key


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
    if chaos.enabled and is_production(environ):
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
    limits: QueryLimits = DEFAULT_LIMITS
    introspection: bool = True
    graphiql: bool = True
    server_limits: ServerLimits = DEFAULT_SERVER_LIMITS
    header_limits: HeaderLimits = DEFAULT_HEADER_LIMITS
    sign_in_throttle: SignInThrottle = DEFAULT_SIGN_IN_THROTTLE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            data_dir=Path(environ.get("BOARD_DATA_DIR") or ".data"),
            database_url=environ.get("DATABASE_URL") or None,
            secret_key=secret_key_from(environ),
            dataloaders=env_flag(environ, "BOARD_DATALOADERS", default=True),
            tracing=tracing_config(environ),
            database_secret_arn=environ.get("DATABASE_SECRET_ARN") or None,
            chaos=chaos_from(environ),
            trace_exporter=env_choice(environ, "BOARD_TRACE_EXPORTER", ExporterChoice.XRAY),
            limits=query_limits_from(environ),
            # Production answers clients, not explorers, unless the operator says otherwise.
            introspection=env_flag(
                environ, "BOARD_INTROSPECTION", default=not is_production(environ)
            ),
            graphiql=env_flag(environ, "BOARD_GRAPHIQL", default=not is_production(environ)),
            server_limits=server_limits_from(environ),
            header_limits=header_limits_from(environ),
            sign_in_throttle=sign_in_throttle_from(environ),
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
            _publish_new_key(path)
        key = path.read_text().strip().encode()
        if len(key) < SECRET_KEY_MIN_BYTES:
            raise ConfigurationError(
                f"{path} holds a {len(key)}-byte key; at least {SECRET_KEY_MIN_BYTES} are needed: "
                "delete the file to generate a new one, or set BOARD_SECRET_KEY"
            )
        return key


def _publish_new_key(path: Path) -> None:
    """Write a fresh key beside ``path``, then link it into place: a process starting at the
    same moment sees either no file or the whole key, never an empty one; the first link wins
    and every process signs with that one."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
