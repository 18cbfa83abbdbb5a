"""The board API traced as `board serve` traces it, its real emitter sending to a test's socket."""

from __future__ import annotations

import httpx

from board.app import board_app, board_tracing
from board.settings import tracing_config
from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.asgi import asgi_client
from tracing import TracingConfig


def board_tracing_config(daemon_address: str, **environ: str) -> TracingConfig:
    """The board's tracing settings from ``environ`` alone, sending to ``daemon_address``."""
    return tracing_config({**environ, "AWS_XRAY_DAEMON_ADDRESS": daemon_address})


def traced_http(
    database: Database,
    tokens: TokenSigner,
    config: TracingConfig,
    *,
    dataloaders: bool = True,
) -> httpx.AsyncClient:
    app = board_app(database, tokens, tracing=board_tracing(config), dataloaders=dataloaders)
    return asgi_client(app)
