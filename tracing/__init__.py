"""X-Ray tracing for any Strawberry + SQLAlchemy app: a segment per GraphQL request, a subsegment
per resolver and per SQL statement, nested as the query is.

    tracing = configure(TracingConfig.from_env(service_name="shop-api"), TracingPolicy())
    schema = strawberry.Schema(query=Query, extensions=tracing.schema_extensions())
    tracing.instrument_schema(schema)
    tracing.instrument_engine(engine)
    app = Starlette(routes=..., middleware=tracing.middleware())

Everything an app needs is here, in ``__all__``; the submodules are the library's own.
"""

from __future__ import annotations

from tracing.arguments import SECRET_ARGUMENTS
from tracing.config import TracingConfig
from tracing.emitter import BoundedUDPEmitter
from tracing.env import ConfigurationError, env_flag, env_positive_int, env_text
from tracing.export import TraceExporter
from tracing.loaders import TracedLoaders
from tracing.middleware import XRayMiddleware
from tracing.policy import ClientErrorTest, TracingPolicy
from tracing.resolvers import Resolver, ResolverWrapper, wrap_custom_resolvers
from tracing.sampling.rules import RuleFileError
from tracing.setup import SchemaNotPrepared, Tracing, configure

__all__ = [
    "SECRET_ARGUMENTS",
    "BoundedUDPEmitter",
    "ClientErrorTest",
    "ConfigurationError",
    "Resolver",
    "ResolverWrapper",
    "RuleFileError",
    "SchemaNotPrepared",
    "TraceExporter",
    "TracedLoaders",
    "Tracing",
    "TracingConfig",
    "TracingPolicy",
    "XRayMiddleware",
    "configure",
    "env_flag",
    "env_positive_int",
    "env_text",
    "wrap_custom_resolvers",
]
