"""The N+1 detector: one field issuing the same statement shape again and again in a request."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger("tracing")

SHAPE_MAX = 500
LOGGED_STATEMENT_MAX = 160
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|%\(\w+\)s|\$\d+")
_LIST_OF_PLACEHOLDERS = re.compile(r"\(\s*\?(?:\s*,\s*\?)*\s*\)")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=256)  # an app runs few distinct statements; each is normalised once
def statement_shape(statement: str) -> str:
    """The statement with literals and placeholders as ``?``: equal for every parent's copy."""
    shape = _LITERAL.sub("?", statement)
    shape = _LIST_OF_PLACEHOLDERS.sub("(?)", shape)
    return _SPACE.sub(" ", shape).strip()[:SHAPE_MAX]


@dataclass(frozen=True)
class Finding:
    field: str
    statement: str
    count: int
    total: float

    def as_metadata(self) -> dict[str, object]:
        return {
            "field": self.field,
            "statement": self.statement,
            "count": self.count,
            "total": round(self.total, 6),
        }


class StatementLog:
    """Counts statements by the field that issued them and their shape, folded or not."""

    def __init__(self) -> None:
        self._seen: defaultdict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])

    def add(self, field: str, statement: str, duration: float) -> None:
        entry = self._seen[field, statement]
        entry[0] += 1
        entry[1] += duration

    def findings(self, threshold: int) -> list[Finding]:
        """Repeated shapes, most repeated first; the raw statements are normalised only here."""
        by_shape: defaultdict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
        for (field, statement), (count, total) in self._seen.items():
            entry = by_shape[field, statement_shape(statement)]
            entry[0] += count
            entry[1] += total
        found = [
            Finding(field, shape, int(count), total)
            for (field, shape), (count, total) in by_shape.items()
            if field and count >= threshold
        ]
        return sorted(found, key=lambda finding: (-finding.count, finding.field))


def log_findings(findings: list[Finding], trace_id: str) -> None:
    for finding in findings:
        logger.warning(
            "N+1: %s ran one statement %d times (%.1f ms) in trace %s: %s",
            finding.field,
            finding.count,
            finding.total * 1000,
            trace_id,
            finding.statement[:LOGGED_STATEMENT_MAX],
        )
