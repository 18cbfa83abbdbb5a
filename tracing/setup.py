"""Turning tracing on for an app: ``configure``, then the seams it attaches through.

With ``AWS_XRAY_SDK_ENABLED=false`` the ``Tracing`` that ``configure`` returns adds nothing: no
middleware, no extension, no wrapped resolvers, no engine events, so tracing costs nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import strawberry
from aws_xray_sdk.core import patch, xray_recorder
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware
from strawberry.extensions import SchemaExtension

from tracing.annotations import AnnotationValue, request_annotator
from tracing.config import TracingConfig
from tracing.context import ScopeContext
from tracing.emitter import BoundedUDPEmitter
from tracing.export import TraceExporter
from tracing.extension import tracing_extension
from tracing.loaders import TracedLoaders
from tracing.middleware import XRayMiddleware
from tracing.policy import TracingPolicy
from tracing.resolvers import traced_resolver_factory, wrap_custom_resolvers
from tracing.sampling.choice import build_sampler
from tracing.sampling.sampler import Sampler
from tracing.sql import instrument_engine

# Outgoing calls a resolver makes show as remote subsegments beneath it.
PATCHED_LIBRARIES = ("botocore", "httpx")
STREAMING_OFF = 2**31


class SchemaNotPrepared(ValueError):
    """``instrument_schema`` was given a schema built without the tracing extension."""


@dataclass(frozen=True)
class Tracing:
    """One app's tracing: what to attach where. Every method adds nothing when disabled.

    Build the schema with ``extensions=[*tracing.schema_extensions(), ...]`` (first, so it sees
    errors before any masking extension), then ``instrument_schema(schema)``,
    ``instrument_engine(engine)``, add ``middleware()`` to the ASGI app and pass ``loader_hook()``
    to the app's DataLoader factory.
    """

    config: TracingConfig
    policy: TracingPolicy
    running: _Running | None
    """The sampler and exporter; ``None`` when tracing is disabled."""

    @property
    def enabled(self) -> bool:
        return self.running is not None

    def schema_extensions(self) -> list[Callable[[], SchemaExtension]]:
        """The Strawberry extension (operation annotations, steps, ``extensions.traceId``)."""
        return [tracing_extension] if self.enabled else []

    def instrument_schema(self, schema: strawberry.Schema) -> None:
        """A subsegment per resolver of the app's own; call it once the schema is built."""
        if not self.enabled:
            return
        if tracing_extension not in schema.extensions:
            raise SchemaNotPrepared(
                "build the schema with extensions=[*tracing.schema_extensions(), ...] "
                "before instrument_schema(schema)"
            )
        wrap_custom_resolvers(schema, traced_resolver_factory(self.policy.is_client_error))

    def annotator(self, key: str) -> Callable[[AnnotationValue], None]:
        """A callback annotating the current request's segment, for layers that cannot import us."""
        return request_annotator(key)

    def instrument_engine(self, engine: AsyncEngine) -> None:
        """A subsegment per SQL statement, under the resolver or batch load that ran it."""
        if self.enabled:
            instrument_engine(engine)

    def middleware(self) -> list[Middleware]:
        """The ASGI middleware that makes each GraphQL request a segment, for Starlette's list."""
        if self.running is None:
            return []
        return [
            Middleware(
                XRayMiddleware,
                config=self.config,
                policy=self.policy,
                sampler=self.running.sampler,
                exporter=self.running.exporter,
            )
        ]

    def loader_hook(self) -> TracedLoaders | None:
        """``loader:<Name>`` subsegments: the hook the app's DataLoader factory calls."""
        return TracedLoaders() if self.enabled else None


def configure(
    config: TracingConfig,
    policy: TracingPolicy | None = None,
    *,
    exporter: TraceExporter | None = None,
) -> Tracing:
    """Tracing as ``config`` and the app's ``policy`` say; traces go to ``exporter``.

    The exporter defaults to the X-Ray daemon at ``config.daemon_address`` (UDP). A bad
    sampling rule file raises ``RuleFileError`` naming the file, rule and field.
    """
    policy = policy or TracingPolicy()
    if not config.enabled:
        return Tracing(config, policy, None)
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
    return Tracing(config, policy, _Running(sampler, exporter or emitter))


@dataclass(frozen=True)
class _Running:
    sampler: Sampler
    exporter: TraceExporter
