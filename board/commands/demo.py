"""`board demo`: the seed tutorial's walk-through against a running server and daemon."""

from __future__ import annotations

import argparse
import asyncio

from board.database import database_url
from board.demo import DemoPlan, migrate_twice, run_demo
from board.settings import Settings

NAME = "demo"
HELP = "Replay the tutorial's scenario against a running `board run` and print where to look."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url", default="http://127.0.0.1:8000/graphql", help="the API's GraphQL endpoint"
    )
    parser.add_argument(
        "--xray", default="http://127.0.0.1:2000", help="the X-Ray daemon's API and console"
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    with database_url(settings) as url:
        migrate_twice(url, print)
    result = asyncio.run(run_demo(DemoPlan(args.url, args.xray), print))
    return 0 if all(count > 0 for count in result.traces_by_user.values()) else 1
