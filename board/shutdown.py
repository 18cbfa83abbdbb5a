"""Stop cleanly on SIGTERM and Ctrl-C alike, so the embedded database and daemon are shut down."""

from __future__ import annotations

import signal
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def exit_cleanly_on_stop_signals() -> None:
    """Make SIGTERM and SIGINT unwind the stack (running ``finally`` blocks), then exit 0.

    uvicorn shuts down gracefully on either signal and then re-raises it; with the default
    actions SIGTERM would kill the process before our context managers stop PostgreSQL, and
    SIGINT would end a clean shutdown in a KeyboardInterrupt traceback.
    """
    for stop in STOP_SIGNALS:
        signal.signal(stop, _exit)
