"""Resolver arguments as trace metadata: enough to tell instances apart, nothing secret.

Which argument names are private is the app's policy (``TracingPolicy.private_arguments``):
secrets always, and whatever free text its users write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"
VALUE_MAX = 64
SECRET_ARGUMENTS = ("pass", "token", "secret", "key")
"""Name fragments every app keeps out of traces (``password``, ``apiKey``, ``refreshToken``)."""


class ArgumentFilter:
    """Redacts arguments whose name contains one of ``private`` (any case); shortens the rest."""

    def __init__(self, private: Iterable[str]) -> None:
        fragments = sorted({fragment.lower() for fragment in private if fragment})
        pattern = "|".join(map(re.escape, fragments)) or r"(?!)"
        self._private = re.compile(pattern, re.IGNORECASE)
        # A schema has few argument names: each is matched once.
        self._known: dict[str, bool] = {}

    def traced(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        return {name: self._traced_value(name, value) for name, value in arguments.items()}

    def is_private(self, name: str) -> bool:
        private = self._known.get(name)
        if private is None:
            private = self._known[name] = self._private.search(name) is not None
        return private

    def _traced_value(self, name: str, value: Any) -> Any:
        if self.is_private(name):
            return REDACTED
        if value is None or isinstance(value, (bool, int, float)):
            return value
        text = str(value)
        return text if len(text) <= VALUE_MAX else text[:VALUE_MAX] + "…"
