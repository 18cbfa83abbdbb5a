"""`board serve`: the API server, in one process or several worker processes on one port."""

from __future__ import annotations

import argparse
import os

import uvicorn
from starlette.types import ASGIApp
from uvicorn.supervisors import Multiprocess

from board.app import build_app
from board.database import database_url
from board.heap import prepare_collector
from board.http_server import (
    BoundedConfig,
    HeaderLimits,
    bounded_app,
    log_config,
    server_config,
)
from board.migrations import upgrade
from board.settings import Settings
from board.shutdown import exit_cleanly_on_stop_signals

NAME = "serve"
HELP = "Serve the GraphQL API (an embedded PostgreSQL when DATABASE_URL is unset)."
WORKER_APP = "board.commands.serve:worker_app"
# A worker imports and builds the whole app before it answers the supervisor's first ping; on a
# busy machine that takes longer than uvicorn's 5 s default, and the worker would be restarted.
WORKER_STARTUP_SECONDS = 60


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument(
        "--workers",
        type=_at_least_one,
        default=1,
        help="worker processes sharing the port, each with its own pool and tracing "
        "(default 1; in production one per core)",
    )


def run(args: argparse.Namespace) -> int:
    exit_cleanly_on_stop_signals()
    settings = Settings.from_env()
    with database_url(settings) as url:
        if settings.uses_embedded_database:
            # The embedded database is ours to manage; a configured one is migrated by its owner.
            upgrade(url)
        if args.workers == 1:
            serve(build_app(settings, url), args.host, args.port, settings.header_limits)
            return 0
        if settings.uses_embedded_database:
            # Workers join the server this process started (and stops) instead of their own.
            os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
        settings.signing_key()  # a generated key is written once, before workers read it
        serve_workers(args.host, args.port, args.workers, settings.header_limits)
    return 0


def serve(app: ASGIApp, host: str, port: int, header_limits: HeaderLimits) -> None:
    print(f"GraphiQL:  http://{host}:{port}/graphql", flush=True)
    prepare_collector()
    config = server_config(
        app, header_limits, host=host, port=port, log_level="info", log_config=log_config()
    )
    uvicorn.Server(config).run()


def serve_workers(host: str, port: int, workers: int, header_limits: HeaderLimits) -> None:
    """``workers`` processes accept on one socket; uvicorn restarts any that dies. Each runs
    ``worker_app`` under the same header limits and access log as a single process."""
    print(f"GraphiQL:  http://{host}:{port}/graphql ({workers} workers)", flush=True)
    config = BoundedConfig(
        WORKER_APP,
        header_limits,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
        log_level="info",
        log_config=log_config(),
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def worker_app() -> ASGIApp:
    """The app of one worker process: its own settings, engine, pool, sampler and emitter."""
    settings = Settings.from_env()
    with database_url(settings) as url:
        app = bounded_app(build_app(settings, url), settings.header_limits)
    prepare_collector()
    return app


def _at_least_one(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1 (got {raw!r})")
    return value
