"""The composition root: the board API wired to its database (and, when enabled, tracing)."""

from __future__ import annotations

from sqlalchemy.engine import URL
from starlette.types import ASGIApp

from board.settings import Settings
from db.engine import Database
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner


def build_app(settings: Settings, url: URL) -> ASGIApp:
    database = Database.connect(url)
    return create_app(
        database,
        build_schema(),
        tokens=TokenSigner(settings.signing_key()),
        dataloaders=settings.dataloaders,
    )
