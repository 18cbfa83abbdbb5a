"""The ASGI app: ``/graphql`` (GraphiQL on GET) and ``/healthz``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import strawberry
from cross_web import AsyncHTTPRequestAdapter
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from strawberry.http import GraphQLRequestData

from db.engine import Database
from graph.auth import BearerTokenBackend
from graph.context import Context
from graph.graphiql import graphiql_asset_routes, graphiql_page
from graph.loaders import LoaderHook, build_loaders
from graph.over_http import GraphQLOverHTTP
from graph.request_limits import RequestLimits, ServerLimits
from graph.throttle import SignInThrottle
from graph.tokens import TokenSigner

HEALTH_TIMEOUT_SECONDS = 2.0
DEFAULT_SERVER_LIMITS = ServerLimits()
DEFAULT_SIGN_IN_THROTTLE = SignInThrottle()
GRAPHQL_PATH = "/graphql"


class GraphQLEndpoint(GraphQLOverHTTP):
    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        database: Database,
        tokens: TokenSigner,
        dataloaders: bool,
        loader_hook: LoaderHook | None,
        graphiql: bool,
        connections_per_request: int,
        sign_in_throttle: SignInThrottle,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None)
        self.ide_page = graphiql_page()
        self.database = database
        self.connections_per_request = connections_per_request
        self.sign_in_throttle = sign_in_throttle
        self.tokens = tokens
        self.dataloaders = dataloaders
        self.loader_hook = loader_hook

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self.ide_page)

    async def get_context(self, request: Request, response: object) -> Context:  # type: ignore[override]
        database = self.database.shared(self.connections_per_request)
        reads = database.reads()
        loaders = build_loaders(reads, batched=self.dataloaders, hook=self.loader_hook)
        return Context(
            request=request,
            database=database,
            reads=reads,
            loaders=loaders,
            tokens=self.tokens,
            sign_in_throttle=self.sign_in_throttle,
        )

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        """Executes as Strawberry does, then lets go of what the request's loaders hold and gives
        its read connection back at once, before the response is encoded and sent (also when the
        request runs out of time)."""
        try:
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        finally:
            context.loaders.release()
            await context.reads.close()


def create_app(
    database: Database,
    schema: strawberry.Schema,
    *,
    tokens: TokenSigner,
    dataloaders: bool = True,
    loader_hook: LoaderHook | None = None,
    middleware: Sequence[Middleware] = (),
    graphiql: bool = True,
    limits: ServerLimits = DEFAULT_SERVER_LIMITS,
    sign_in_throttle: SignInThrottle = DEFAULT_SIGN_IN_THROTTLE,
) -> Starlette:
    """The board API over ``database``; it disposes the engine's pool when the server stops."""
    graphql = GraphQLEndpoint(
        schema,
        database=database,
        tokens=tokens,
        dataloaders=dataloaders,
        loader_hook=loader_hook,
        graphiql=graphiql,
        connections_per_request=limits.connections_per_request,
        sign_in_throttle=sign_in_throttle,
    )

    async def healthz(_: Request) -> Response:
        try:
            await asyncio.wait_for(database.ping(), HEALTH_TIMEOUT_SECONDS)
        except Exception:  # any failure means "not healthy"; the reason goes to logs, not out
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "up"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await database.dispose()

    return Starlette(
        routes=[
            Route(GRAPHQL_PATH, graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *(graphiql_asset_routes() if graphiql else []),
        ],
        middleware=[
            *middleware,
            Middleware(RequestLimits, limits=limits),
            Middleware(AuthenticationMiddleware, backend=BearerTokenBackend(tokens)),
        ],
        lifespan=lifespan,
    )
