"""The ``X-Amzn-Trace-Id`` header: read what a caller sent, write what we decided."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER = "X-Amzn-Trace-Id"
_ROOT = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}")
_PARENT = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True)
class IncomingHeader:
    """The caller's trace position; malformed parts are dropped rather than trusted."""

    root: str | None = None
    parent: str | None = None
    sampled: bool | None = None

    @classmethod
    def parse(cls, raw: str | None) -> IncomingHeader:
        if not raw:
            return cls()
        fields: dict[str, str] = {}
        for part in raw.split(";"):
            key, _, value = part.strip().partition("=")
            fields[key] = value.strip()
        root = fields.get("Root", "").lower()
        parent = fields.get("Parent", "").lower()
        return cls(
            root=root if _ROOT.fullmatch(root) else None,
            parent=parent if _ROOT.fullmatch(root) and _PARENT.fullmatch(parent) else None,
            sampled={"1": True, "0": False}.get(fields.get("Sampled", "")),
        )


def response_header(trace_id: str, sampled: bool) -> str:
    return f"Root={trace_id};Sampled={1 if sampled else 0}"
