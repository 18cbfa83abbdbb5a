"""What every resolver can reach for the request it serves."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from starlette.requests import Request

from db.engine import Database
from db.reads import Reads
from graph.loaders import Loaders
from graph.throttle import SignInThrottle
from graph.tokens import TokenSigner


@dataclass(frozen=True)
class Context:
    request: Request
    database: Database
    reads: Reads
    """This request's read connection: given back when the operation has been executed."""
    loaders: Loaders
    tokens: TokenSigner
    sign_in_throttle: SignInThrottle


Info = strawberry.Info[Context, None]
