"""The composition root: the board API wired to its database and, unless disabled, to tracing."""

from __future__ import annotations

from sqlalchemy.engine import URL
from starlette.types import ASGIApp

from board.settings import Settings
from db.engine import Database
from graph.app import create_app
from graph.errors import BoardError
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tracing.config import TracingConfig
from tracing.setup import Tracing, configure_tracing


def build_app(settings: Settings, url: URL) -> ASGIApp:
    return board_app(
        Database.connect(url),
        TokenSigner(settings.signing_key()),
        tracing=configure_tracing(TracingConfig.from_env()),
        dataloaders=settings.dataloaders,
    )


def board_app(
    database: Database, tokens: TokenSigner, *, tracing: Tracing | None, dataloaders: bool = True
) -> ASGIApp:
    if tracing is None:
        return create_app(database, build_schema(), tokens=tokens, dataloaders=dataloaders)
    tracing.instrument(database.engine)
    return create_app(
        database,
        build_schema([tracing.extension(is_client_error)]),
        tokens=tokens,
        dataloaders=dataloaders,
        loader_hook=tracing.loader_hook(),
        middleware=[tracing.middleware()],
    )


def is_client_error(error: BaseException) -> bool:
    """Errors the client caused are X-Ray errors; anything else is a fault."""
    return isinstance(error, BoardError)
