"""Turning tracing on: the recorder, and the seams it attaches through.

``configure_tracing`` returns ``None`` when ``AWS_XRAY_SDK_ENABLED=false``: the app is then built
without the middleware, the extension and the engine events, so tracing costs nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import strawberry
from aws_xray_sdk.core import patch, xray_recorder
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware
from strawberry.extensions import SchemaExtension

from graph.schema import wrap_custom_resolvers
from tracing.annotations import AnnotationValue, request_annotator
from tracing.config import TracingConfig
from tracing.context import ScopeContext
from tracing.emitter import BoundedUDPEmitter
from tracing.extension import tracing_extension
from tracing.loaders import TracedLoaders
from tracing.middleware import XRayMiddleware
from tracing.resolvers import ClientErrorTest, traced_resolver_factory
from tracing.sampling.choice import build_sampler
from tracing.sampling.sampler import Sampler
from tracing.sql import instrument_engine

# Outgoing calls a resolver makes show as remote subsegments beneath it.
PATCHED_LIBRARIES = ("botocore", "httpx")
STREAMING_OFF = 2**31


@dataclass(frozen=True)
class Tracing:
    config: TracingConfig
    emitter: BoundedUDPEmitter
    sampler: Sampler

    def middleware(self) -> Middleware:
        send = self.emitter.send_document
        return Middleware(
            XRayMiddleware, config=self.config, sampler=self.sampler, send_document=send
        )

    def extension(self) -> Callable[[], SchemaExtension]:
        return tracing_extension

    def instrument_schema(
        self, schema: strawberry.Schema, is_client_error: ClientErrorTest
    ) -> None:
        wrap_custom_resolvers(schema, traced_resolver_factory(is_client_error))

    def annotator(self, key: str) -> Callable[[AnnotationValue], None]:
        """A callback annotating the current request's segment, for layers that cannot import us."""
        return request_annotator(key)

    def loader_hook(self) -> TracedLoaders:
        return TracedLoaders()

    def instrument(self, engine: AsyncEngine) -> None:
        instrument_engine(engine)


def configure_tracing(config: TracingConfig) -> Tracing | None:
    if not config.enabled:
        return None
    sampler = build_sampler(config)
    emitter = BoundedUDPEmitter(config.daemon_address)
    # The SDK's patchers use this process-wide recorder; our context gives them the scope.
    xray_recorder.configure(
        service=config.service_name,
        context=ScopeContext(),
        emitter=emitter,
        sampling=False,
        # Our emitter splits documents by size; the SDK's count-based streaming would walk
        # our nodes, which it does not know.
        streaming_threshold=STREAMING_OFF,
    )
    patch(PATCHED_LIBRARIES)
    sampler.start()
    return Tracing(config, emitter, sampler)
