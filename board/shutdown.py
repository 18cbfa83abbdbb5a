"""Stop cleanly on SIGTERM as on Ctrl-C, so the embedded database and daemon are shut down."""

from __future__ import annotations

import signal
from types import FrameType


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM unwind the stack (running ``finally`` blocks) instead of killing outright.

    uvicorn shuts down gracefully on SIGTERM and then re-raises the signal; with the default
    action the process would die right there, before our context managers stop PostgreSQL.
    """
    signal.signal(signal.SIGTERM, _exit)
