"""Environment variables, read by one rule for the library and the app that uses it.

Unset or blank means the default; any other value must be one the variable takes, else start-up
stops with a ``ConfigurationError`` whose one line names the variable and what it accepts. A
typo such as ``treu`` is never read as "off".
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
FALSE_WORDS = frozenset({"0", "false", "off", "no"})


class ConfigurationError(ValueError):
    """An environment variable has a value we cannot use; the message names it."""


def env_text(environ: Mapping[str, str], name: str) -> str | None:
    """The variable's value without surrounding blanks; ``None`` when unset or blank."""
    return environ.get(name, "").strip() or None


def env_flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env_text(environ, name)
    if raw is None:
        return default
    word = raw.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be on or off (got {raw!r})")


Choice = TypeVar("Choice", bound=StrEnum)


def env_choice(environ: Mapping[str, str], name: str, default: Choice) -> Choice:
    """One of the words of ``default``'s enumeration, in any case."""
    raw = env_text(environ, name)
    if raw is None:
        return default
    options = type(default)
    try:
        return options(raw.lower())
    except ValueError:
        words = ", ".join(option.value for option in options)
        raise ConfigurationError(f"{name} must be one of {words} (got {raw!r})") from None


def env_positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    return env_int(environ, name, default, minimum=1)


def env_int(environ: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env_text(environ, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConfigurationError(
            f"{name} must be a whole number of at least {minimum} (got {raw!r})"
        )
    return value


def env_seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = env_text(environ, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise ConfigurationError(f"{name} must be a number of seconds above 0 (got {raw!r})")
    return value
