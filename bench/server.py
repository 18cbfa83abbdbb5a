"""One benchmark server variant: ``python -m bench.server VARIANT PORT`` (DATABASE_URL set).

``board`` is the board API as ``board serve`` builds it (tracing from the environment),
``opentelemetry`` the same schema with Strawberry's OpenTelemetryExtension instead, and
``limit`` the hand-written feed endpoint of ``bench.limit``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

import uvicorn
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp
from strawberry.extensions.tracing import OpenTelemetryExtension

from bench.limit import limit_app
from board.app import board_app, board_tracing
from board.heap import prepare_collector
from board.settings import Settings
from db.engine import Database
from graph.app import create_app
from graph.schema import build_schema
from graph.tokens import TokenSigner


class CountingExporter(SpanExporter):
    """In memory: keeps a count, so a long run does not grow without bound."""

    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans += len(spans)
        return SpanExportResult.SUCCESS


def opentelemetry_app(database: Database, tokens: TokenSigner, dataloaders: bool) -> ASGIApp:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(CountingExporter()))
    trace.set_tracer_provider(provider)
    schema = build_schema([OpenTelemetryExtension])
    return create_app(database, schema, tokens=tokens, dataloaders=dataloaders)


def build(variant: str) -> ASGIApp:
    if variant == "limit":
        url = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql")
        return limit_app(url.render_as_string(hide_password=False))
    database = Database.connect(os.environ["DATABASE_URL"])
    tokens = TokenSigner(b"bench-signing-key")
    settings = Settings.from_env()
    if variant == "opentelemetry":
        return opentelemetry_app(database, tokens, settings.dataloaders)
    tracing = board_tracing(settings.tracing, settings.trace_exporter)
    return board_app(database, tokens, tracing=tracing, dataloaders=settings.dataloaders)


def main() -> None:
    variant, port = sys.argv[1], int(sys.argv[2])
    # With loaders off every request is an N+1 finding; one warning each would flood the report.
    logging.getLogger("tracing").setLevel(logging.ERROR)
    app = build(variant)
    prepare_collector()  # as `board serve` does
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
