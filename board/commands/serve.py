"""`board serve`: the API server."""

from __future__ import annotations

import argparse

import uvicorn
from starlette.types import ASGIApp

from board.app import build_app
from board.database import database_url
from board.heap import freeze_startup_heap
from board.http_server import HeaderLimits, log_config, server_config
from board.migrations import upgrade
from board.settings import Settings
from board.shutdown import exit_cleanly_on_sigterm

NAME = "serve"
HELP = "Serve the GraphQL API (an embedded PostgreSQL when DATABASE_URL is unset)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")


def run(args: argparse.Namespace) -> int:
    exit_cleanly_on_sigterm()
    settings = Settings.from_env()
    with database_url(settings) as url:
        if settings.uses_embedded_database:
            # The embedded database is ours to manage; a configured one is migrated by its owner.
            upgrade(url)
        serve(build_app(settings, url), args.host, args.port, settings.header_limits)
    return 0


def serve(app: ASGIApp, host: str, port: int, header_limits: HeaderLimits) -> None:
    print(f"GraphiQL:  http://{host}:{port}/graphql", flush=True)
    freeze_startup_heap()
    config = server_config(
        app, header_limits, host=host, port=port, log_level="info", log_config=log_config()
    )
    uvicorn.Server(config).run()
