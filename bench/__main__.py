"""Run every benchmark scenario in turn; each prints its own table of measurements and ratios."""

from __future__ import annotations

import importlib
import sys

# Each module exposes `main() -> None`; listed here so the order of the report is deliberate.
SCENARIOS: tuple[str, ...] = ("feed", "ingest")


def main(argv: list[str]) -> int:
    chosen = argv or list(SCENARIOS)
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
