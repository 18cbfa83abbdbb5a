"""`board xray`: the local X-Ray daemon, API and console on one address."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from board.settings import Settings
from xray_local.server import DaemonSettings, rules_from, serve_forever

NAME = "xray"
HELP = "Run the local X-Ray daemon (UDP) with the X-Ray API and web console (TCP)."
DEFAULT_BIND = "127.0.0.1:2000"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bind", default=DEFAULT_BIND, help=f"HOST:PORT (default {DEFAULT_BIND})")
    parser.add_argument("--data", type=Path, help="where traces are kept (default .data/xray)")


def parse_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit(f"board xray: --bind must be HOST:PORT (got {bind!r})")
    return host, int(port)


def run(args: argparse.Namespace) -> int:
    host, port = parse_bind(args.bind)
    data_dir = args.data or Settings.from_env().data_dir / "xray"
    settings = DaemonSettings(
        host, port, data_dir, rules_from(os.environ.get("XRAY_SAMPLING_RULES"))
    )
    asyncio.run(serve_forever(settings))
    return 0
