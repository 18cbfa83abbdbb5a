"""`board run` (what `make run` calls): migrations, the local X-Ray daemon, and the API."""

from __future__ import annotations

import argparse
import os

from board.app import build_app
from board.commands.serve import add_arguments as add_serve_arguments
from board.commands.serve import serve
from board.database import database_url
from board.local_daemon import local_daemon
from board.migrations import upgrade
from board.settings import Settings
from board.shutdown import exit_cleanly_on_stop_signals
from tracing import ExporterChoice

NAME = "run"
HELP = "Migrate, start the local X-Ray daemon and console, and serve the API."
OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
OTLP_TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_serve_arguments(parser)


def run(args: argparse.Namespace) -> int:
    exit_cleanly_on_stop_signals()
    settings = Settings.from_env()
    address = settings.tracing.daemon_address
    with database_url(settings) as url, local_daemon(address, settings.data_dir) as console:
        upgrade(url)  # alembic upgrade head: a no-op when the schema is current
        if console:
            print(f"X-Ray console: {console}", flush=True)
            if settings.trace_exporter is not ExporterChoice.XRAY:
                _send_otlp_to(console)
        else:
            print(f"Traces go to the X-Ray daemon at {address}", flush=True)
        serve(build_app(settings, url), args.host, args.port, settings.header_limits)
    return 0


def _send_otlp_to(console: str) -> None:
    """OTLP goes to the local daemon's ``/v1/traces`` unless an OTLP endpoint is configured."""
    if not (os.environ.get(OTLP_ENDPOINT) or os.environ.get(OTLP_TRACES_ENDPOINT)):
        os.environ[OTLP_TRACES_ENDPOINT] = f"{console}v1/traces"
    print(f"OTLP traces: {os.environ.get(OTLP_TRACES_ENDPOINT) or os.environ[OTLP_ENDPOINT]}")
