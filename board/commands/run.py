"""`board run` (what `make run` calls): migrations, the local X-Ray daemon, and the API."""

from __future__ import annotations

import argparse

from board.app import build_app
from board.commands.serve import add_arguments as add_serve_arguments
from board.commands.serve import serve
from board.database import database_url
from board.local_daemon import local_daemon
from board.migrations import upgrade
from board.settings import Settings
from board.shutdown import exit_cleanly_on_sigterm

NAME = "run"
HELP = "Migrate, start the local X-Ray daemon and console, and serve the API."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_serve_arguments(parser)


def run(args: argparse.Namespace) -> int:
    exit_cleanly_on_sigterm()
    settings = Settings.from_env()
    address = settings.tracing.daemon_address
    with database_url(settings) as url, local_daemon(address, settings.data_dir) as console:
        upgrade(url)  # alembic upgrade head: a no-op when the schema is current
        if console:
            print(f"X-Ray console: {console}", flush=True)
        else:
            print(f"Traces go to the X-Ray daemon at {address}", flush=True)
        serve(build_app(settings, url), args.host, args.port, settings.header_limits)
    return 0
