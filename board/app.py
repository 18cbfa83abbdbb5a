"""The composition root: the board API wired to its database and, unless disabled, to tracing.

The board uses the ``tracing`` library as any Strawberry + SQLAlchemy app would: through its
public API, with the board's own policy passed in.
"""

from __future__ import annotations

from sqlalchemy.engine import URL
from starlette.types import ASGIApp

from board.chaos import Chaos, ChaosError, ChaosInjector
from board.secrets import keep_credentials_fresh
from board.settings import NO_CHAOS, Settings
from db.engine import Database
from graph.app import DEFAULT_SERVER_LIMITS, DEFAULT_SIGN_IN_THROTTLE, GRAPHQL_PATH, create_app
from graph.cost import QueryLimits
from graph.errors import BoardError
from graph.request_limits import ServerLimits
from graph.schema import build_schema
from graph.throttle import SignInThrottle
from graph.tokens import TokenSigner
from tracing import (
    SECRET_ARGUMENTS,
    SERVER_FAULT_CODES,
    ErrorCodes,
    ExporterChoice,
    Tracing,
    TracingConfig,
    TracingPolicy,
    chosen_exporter,
    configure,
    wrap_custom_resolvers,
)

# Beyond secrets, the free text users store (titles, posts, comments) stays out of traces.
PRIVATE_ARGUMENTS = (*SECRET_ARGUMENTS, "title", "content", "body", "text")

# An injected failure stands for an outage: a fault, like the internal and unavailable ones.
ERROR_CODES = ErrorCodes(faults=SERVER_FAULT_CODES | {ChaosError.code})


def build_app(settings: Settings, url: URL) -> ASGIApp:
    database = Database.connect(url)
    if settings.database_secret_arn:
        keep_credentials_fresh(database.engine, settings.database_secret_arn)
    return board_app(
        database,
        TokenSigner(settings.signing_key()),
        tracing=board_tracing(settings.tracing, settings.trace_exporter),
        dataloaders=settings.dataloaders,
        chaos=settings.chaos,
        limits=settings.limits,
        introspection=settings.introspection,
        graphiql=settings.graphiql,
        server_limits=settings.server_limits,
        sign_in_throttle=settings.sign_in_throttle,
    )


def board_tracing(config: TracingConfig, exporter: ExporterChoice = ExporterChoice.XRAY) -> Tracing:
    """The tracing library configured with the board's policy, exporting as chosen."""
    policy = TracingPolicy(
        graphql_path=GRAPHQL_PATH,
        private_arguments=PRIVATE_ARGUMENTS,
        is_client_error=is_client_error,
        error_codes=ERROR_CODES,
    )
    if not config.enabled:
        return configure(config, policy)
    return configure(config, policy, exporter=chosen_exporter(exporter, config))


def board_app(
    database: Database,
    tokens: TokenSigner,
    *,
    tracing: Tracing | None,
    dataloaders: bool = True,
    chaos: Chaos = NO_CHAOS,
    limits: QueryLimits | None = None,
    introspection: bool = True,
    graphiql: bool = True,
    server_limits: ServerLimits = DEFAULT_SERVER_LIMITS,
    sign_in_throttle: SignInThrottle = DEFAULT_SIGN_IN_THROTTLE,
) -> ASGIApp:
    """The board API; ``tracing=None`` (or a disabled ``Tracing``) serves it untraced."""
    injector = ChaosInjector(chaos) if chaos.enabled else None
    extensions = tracing.schema_extensions() if tracing else []
    schema = build_schema(
        [*extensions, injector.extension] if injector else extensions,
        limits=limits,
        observe_cost=tracing.annotator("query_cost") if tracing else None,
        introspection=introspection,
    )
    if injector is not None:
        # Wrapped first, so the tracing wrapper sits outside it and records the injected fault.
        wrap_custom_resolvers(schema, injector.wrap)
    if tracing is not None:
        tracing.instrument_engine(database.engine)
        tracing.instrument_schema(schema)
    return create_app(
        database,
        schema,
        tokens=tokens,
        dataloaders=dataloaders,
        loader_hook=tracing.loader_hook() if tracing else None,
        middleware=tracing.middleware() if tracing else [],
        graphiql=graphiql,
        limits=server_limits,
        sign_in_throttle=sign_in_throttle,
    )


def is_client_error(error: BaseException) -> bool:
    """Errors the client caused are X-Ray errors; anything else is a fault."""
    # An injected failure is shown to the client like a BoardError, but stands for an outage.
    return isinstance(error, BoardError) and not isinstance(error, ChaosError)
