"""The application's configuration, read once from the environment (README: Configuration)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
FALSE_WORDS = frozenset({"0", "false", "off", "no"})


class ConfigurationError(ValueError):
    """An environment variable has a value we cannot use; the message names it."""


def flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be on or off (got {raw!r})")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None
    secret_key: str | None
    dataloaders: bool

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            data_dir=Path(environ.get("BOARD_DATA_DIR") or ".data"),
            database_url=environ.get("DATABASE_URL") or None,
            secret_key=environ.get("BOARD_SECRET_KEY") or None,
            dataloaders=flag(environ, "BOARD_DATALOADERS", default=True),
        )

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
