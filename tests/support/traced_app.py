"""The board API traced as `board serve` traces it, its real emitter sending to a test's socket."""

from __future__ import annotations

import httpx

from board.app import board_app, board_tracing
from board.chaos import Chaos
from board.settings import NO_CHAOS, tracing_config
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
    chaos: Chaos = NO_CHAOS,
) -> httpx.AsyncClient:
    tracing = board_tracing(config)
    app = board_app(database, tokens, tracing=tracing, dataloaders=dataloaders, chaos=chaos)
    return asgi_client(app)
