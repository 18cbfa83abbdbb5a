"""X-Ray tracing for any Strawberry + SQLAlchemy app: a segment per GraphQL request, a subsegment
per resolver and per SQL statement, nested as the query is.

    tracing = configure(TracingConfig.from_env(service_name="shop-api"), TracingPolicy())
    schema = strawberry.Schema(query=Query, extensions=tracing.schema_extensions())
    tracing.instrument_schema(schema)
    tracing.instrument_engine(engine)
    app = Starlette(routes=..., middleware=tracing.middleware())

Everything an app needs is here, in ``__all__``; the submodules are the library's own. Names load
on first use: a receiver that imports only ``tracing.wire`` (the local daemon) does not pay for
Strawberry, SQLAlchemy and the X-Ray SDK (0.6 s against 3 s to import ``xray_local.server``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracing.arguments import SECRET_ARGUMENTS
    from tracing.config import TracingConfig
    from tracing.emitter import BoundedUDPEmitter
    from tracing.env import (
        ConfigurationError,
        env_choice,
        env_flag,
        env_int,
        env_positive_int,
        env_seconds,
        env_text,
    )
    from tracing.export import TraceExporter
    from tracing.exporters import ExporterChoice, FanOut, chosen_exporter
    from tracing.graphql_errors import SERVER_FAULT_CODES, ErrorCodes
    from tracing.loaders import TracedLoaders
    from tracing.middleware import XRayMiddleware
    from tracing.otlp_export import OtlpExporter
    from tracing.policy import ClientErrorTest, TracingPolicy
    from tracing.resolvers import Resolver, ResolverWrapper, wrap_custom_resolvers
    from tracing.sampling.rules import RuleFileError
    from tracing.setup import SchemaNotPrepared, Tracing, configure

__all__ = [
    "SECRET_ARGUMENTS",
    "SERVER_FAULT_CODES",
    "BoundedUDPEmitter",
    "ClientErrorTest",
    "ConfigurationError",
    "ErrorCodes",
    "ExporterChoice",
    "FanOut",
    "OtlpExporter",
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
    "chosen_exporter",
    "configure",
    "env_choice",
    "env_flag",
    "env_int",
    "env_positive_int",
    "env_seconds",
    "env_text",
    "wrap_custom_resolvers",
]

_MODULE_OF = {
    "SECRET_ARGUMENTS": "tracing.arguments",
    "SERVER_FAULT_CODES": "tracing.graphql_errors",
    "BoundedUDPEmitter": "tracing.emitter",
    "ClientErrorTest": "tracing.policy",
    "ConfigurationError": "tracing.env",
    "ErrorCodes": "tracing.graphql_errors",
    "ExporterChoice": "tracing.exporters",
    "FanOut": "tracing.exporters",
    "OtlpExporter": "tracing.otlp_export",
    "Resolver": "tracing.resolvers",
    "ResolverWrapper": "tracing.resolvers",
    "RuleFileError": "tracing.sampling.rules",
    "SchemaNotPrepared": "tracing.setup",
    "TraceExporter": "tracing.export",
    "TracedLoaders": "tracing.loaders",
    "Tracing": "tracing.setup",
    "TracingConfig": "tracing.config",
    "TracingPolicy": "tracing.policy",
    "XRayMiddleware": "tracing.middleware",
    "chosen_exporter": "tracing.exporters",
    "configure": "tracing.setup",
    "env_choice": "tracing.env",
    "env_flag": "tracing.env",
    "env_int": "tracing.env",
    "env_positive_int": "tracing.env",
    "env_seconds": "tracing.env",
    "env_text": "tracing.env",
    "wrap_custom_resolvers": "tracing.resolvers",
}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'tracing' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
