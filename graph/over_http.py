"""GraphQL over HTTP as the spec says, on top of Strawberry's ASGI view.

Measured before it (issue 13; graphql-http's server audit): MUST 13/13 but SHOULD 15/23,
because ``application/graphql-response+json`` was never answered and parse, validation and
variable failures came back 200 under it; a mutation over GET got 400 (the spec says 405), an
unsupported content type 400 (415 is usual), and a body of ``null``, ``42`` or invalid UTF-8 a
500 with a traceback. Here the response media type follows ``Accept``, a request error (one
raised before execution: no ``data``, no error with a ``path``) has no ``data`` entry and is
400 under ``application/graphql-response+json``, and every refusal is a JSON error body.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError

from graph.context import Context

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON_WILDCARDS = frozenset({"*/*", "application/*"})


class MethodNotAllowed(HTTPException):
    def __init__(self, reason: str, allow: str) -> None:
        super().__init__(405, reason)
        self.allow = allow


def negotiated_media_type(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client prefers it, else JSON."""
    preference = {JSON: -1.0, GRAPHQL_RESPONSE: -1.0}
    for position, item in enumerate((accept or "").split(",")):
        media, _, parameters = item.strip().partition(";")
        quality = _quality(parameters)
        media = JSON if media.strip().lower() in JSON_WILDCARDS else media.strip().lower()
        if media in preference and quality > 0:
            # Earlier entries win ties: each later position costs a hair of quality.
            preference[media] = max(preference[media], quality - position * 1e-6)
    if preference[GRAPHQL_RESPONSE] > preference[JSON]:
        return GRAPHQL_RESPONSE
    return JSON


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def is_request_error(response_data: GraphQLHTTPResponse) -> bool:
    """Raised before execution began: the spec says such a result has no ``data`` entry."""
    errors = response_data.get("errors") or []
    return (
        bool(errors)
        and response_data.get("data") is None
        and all(isinstance(error, dict) and "path" not in error for error in errors)
    )


class GraphQLOverHTTP(GraphQL[Context, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as refusal:
            response = _refusal_response(refusal)
        await response(scope, receive, send)

    async def get_sub_response(self, request: Any) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiated_media_type(request.headers.get("accept"))
        return sub_response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            _check_json_object(request.content_type, await request.get_body())
        return await super().parse_http_body(request)

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                raise MethodNotAllowed(f"{error.reason}; send them with POST", "POST") from None
            raise

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        request_error = isinstance(response_data, dict) and is_request_error(response_data)
        if request_error and isinstance(response_data, dict):
            response_data.pop("data", None)
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if request_error and not sub_response.status_code:
                response.status_code = 400
        return response


def _check_json_object(content_type: str | None, body: bytes) -> None:
    media, _ = parse_content_type(content_type or "")
    if media != JSON:
        raise HTTPException(415, f"Send the operation as {JSON} (got {media or 'no type'!r})")
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise HTTPException(400, "The request body is not valid UTF-8") from None
    except ValueError:
        raise HTTPException(400, "The request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(
            400, 'The request body must be a JSON object such as {"query": "{ viewer { id } }"}'
        )


def _refusal_response(refusal: HTTPException) -> Response:
    headers = {"allow": refusal.allow} if isinstance(refusal, MethodNotAllowed) else None
    return JSONResponse(
        {"errors": [{"message": refusal.reason}]}, status_code=refusal.status_code, headers=headers
    )
