"""Resolver arguments as trace metadata: enough to tell instances apart, nothing a user wrote."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

REDACTED = "[redacted]"
VALUE_MAX = 64
# Secrets, and free text that users store (titles, posts, comments) stay out of traces.
_PRIVATE_NAME = re.compile(r"pass|token|secret|key|title|content|body|text", re.IGNORECASE)


def traced_arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _traced_value(name, value) for name, value in arguments.items()}


@cache
def _is_private(name: str) -> bool:
    return _PRIVATE_NAME.search(name) is not None


def _traced_value(name: str, value: Any) -> Any:
    if _is_private(name):
        return REDACTED
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if len(text) <= VALUE_MAX else text[:VALUE_MAX] + "…"
