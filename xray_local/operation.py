"""X-Ray API plumbing: a JSON body in, a JSON answer or X-Ray's error shape out.

Errors carry ``__type`` and ``x-amzn-ErrorType`` as X-Ray's do, so botocore raises the modelled
exception (``client.exceptions.InvalidRequestException``) with our message. A call this daemon
does not implement gets the same shape naming the call (from botocore's own model of the X-Ray
API), not a bare 404 that an SDK reports as an unknown error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

import botocore.session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

Handler = Callable[[Request], Awaitable[Response]]
Operation = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class InvalidRequest(ValueError):
    """Answered as X-Ray's InvalidRequestException (HTTP 400)."""


def operation(handler: Operation) -> Handler:
    async def endpoint(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise InvalidRequest("the request body must be a JSON object")
            return JSONResponse(await handler(body))
        except (InvalidRequest, json.JSONDecodeError) as error:
            return invalid_request(str(error))

    return endpoint


def invalid_request(message: str) -> Response:
    return JSONResponse(
        {"__type": "InvalidRequestException", "message": message},
        status_code=400,
        headers={"x-amzn-ErrorType": "InvalidRequestException"},
    )


async def not_found(request: Request, error: Exception) -> Response:
    """Starlette's 404 handler: an X-Ray call we lack is named; anything else stays a 404."""
    name = xray_operations().get(request.url.path) if request.method == "POST" else None
    if name is not None:
        return invalid_request(f"{name} is not supported by this local X-Ray daemon (board xray)")
    if request.method == "POST":
        return invalid_request(f"no X-Ray API call at POST {request.url.path}")
    detail = error.detail if isinstance(error, HTTPException) else "Not Found"
    return PlainTextResponse(str(detail), status_code=404)


@cache
def xray_operations() -> dict[str, str]:
    """Request path to operation name, for every call in botocore's model of the X-Ray API."""
    model = botocore.session.get_session().get_service_model("xray")
    return {
        model.operation_model(name).http["requestUri"].split("?")[0]: name
        for name in model.operation_names
    }
