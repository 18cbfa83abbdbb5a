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
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from db.engine import Database
from graph.auth import BearerTokenBackend
from graph.context import Context
from graph.loaders import LoaderHook, build_loaders
from graph.tokens import TokenSigner

HEALTH_TIMEOUT_SECONDS = 2.0


class GraphQLEndpoint(GraphQL[Context, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        database: Database,
        tokens: TokenSigner,
        dataloaders: bool,
        loader_hook: LoaderHook | None,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.database = database
        self.tokens = tokens
        self.dataloaders = dataloaders
        self.loader_hook = loader_hook

    async def get_context(self, request: Request, response: object) -> Context:  # type: ignore[override]
        reads = self.database.reads()
        loaders = build_loaders(reads, batched=self.dataloaders, hook=self.loader_hook)
        return Context(
            request=request,
            database=self.database,
            reads=reads,
            loaders=loaders,
            tokens=self.tokens,
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
        """Executes as Strawberry does, then gives the request's read connection back at once,
        before the response is encoded and sent."""
        try:
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        finally:
            await context.reads.close()


def create_app(
    database: Database,
    schema: strawberry.Schema,
    *,
    tokens: TokenSigner,
    dataloaders: bool = True,
    loader_hook: LoaderHook | None = None,
    middleware: Sequence[Middleware] = (),
) -> Starlette:
    """The board API over ``database``; it disposes the engine's pool when the server stops."""
    graphql = GraphQLEndpoint(
        schema, database=database, tokens=tokens, dataloaders=dataloaders, loader_hook=loader_hook
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
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        middleware=[
            *middleware,
            Middleware(AuthenticationMiddleware, backend=BearerTokenBackend(tokens)),
        ],
        lifespan=lifespan,
    )
