"""`board seed`: demo users, posts and comments."""

from __future__ import annotations

import argparse
import asyncio

from sqlalchemy.engine import URL

from board.database import database_url
from board.migrations import upgrade
from board.seed_data import DEMO_PASSWORD, DEMO_USERS, SeedReport, seed
from board.settings import Settings
from db.engine import Database

NAME = "seed"
HELP = "Add demo users, posts and comments (safe to run again)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the demo data set is fixed."""


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    with database_url(settings) as url:
        if settings.uses_embedded_database:
            upgrade(url)
        report = asyncio.run(_seed(url))
    print(
        f"seeded: {report.users_created} users, {report.posts_created} posts, "
        f"{report.comments_created} comments"
    )
    print(f"demo users: {', '.join(DEMO_USERS)} (password: {DEMO_PASSWORD})")
    return 0


async def _seed(url: URL) -> SeedReport:
    database = Database.connect(url)
    try:
        return await seed(database)
    finally:
        await database.dispose()
