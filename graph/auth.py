"""Who is asking: bearer tokens become ``scope["user"]`` through Starlette's authentication seam.

Other layers (tracing, logging) read the standard ``scope["user"]`` and need nothing from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    UnauthenticatedUser,
)
from starlette.requests import HTTPConnection

from graph.context import Context
from graph.errors import Unauthenticated
from graph.tokens import InvalidToken, TokenSigner


@dataclass(frozen=True)
class Viewer(BaseUser):
    """The signed-in user of a request."""

    id: int
    username: str

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.username

    @property
    def identity(self) -> str:
        return str(self.id)


class RejectedToken(UnauthenticatedUser):
    """A request that sent a token we could not accept (malformed, tampered or expired)."""


class BearerTokenBackend(AuthenticationBackend):
    """Reads ``Authorization: Bearer <token>``; never fails the request itself.

    A bad token only matters to fields that need a viewer, which then answer
    UNAUTHENTICATED; anonymous reads keep working.
    """

    def __init__(self, tokens: TokenSigner) -> None:
        self.tokens = tokens

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        scheme, _, token = conn.headers.get("authorization", "").partition(" ")
        if not token:
            return None
        if scheme.lower() != "bearer":
            return AuthCredentials(), RejectedToken()
        try:
            user_id, username = self.tokens.verify(token.strip())
        except InvalidToken:
            return AuthCredentials(), RejectedToken()
        return AuthCredentials(["authenticated"]), Viewer(user_id, username)


def viewer_of(conn: HTTPConnection) -> Viewer | None:
    """The signed-in user, None when anonymous; UNAUTHENTICATED for a rejected token."""
    user = conn.scope.get("user")
    if isinstance(user, RejectedToken):
        raise Unauthenticated("The token is invalid or expired; sign in again")
    return user if isinstance(user, Viewer) else None


def require_viewer(conn: HTTPConnection) -> Viewer:
    viewer = viewer_of(conn)
    if viewer is None:
        raise Unauthenticated("Sign in required: send Authorization: Bearer <token>")
    return viewer


DELETED_ACCOUNT = "The token's account no longer exists; sign in again"


async def require_account(context: Context) -> Viewer:
    """The signed-in user, who must still exist: a token outlives a deleted account."""
    viewer = require_viewer(context.request)
    if await context.loaders.user.load(viewer.id) is None:
        raise Unauthenticated(DELETED_ACCOUNT)
    return viewer


def sign_in(conn: HTTPConnection, viewer: Viewer) -> None:
    """Record that this request has just signed ``viewer`` in (signUp, signIn)."""
    conn.scope["user"] = viewer
    conn.scope["auth"] = AuthCredentials(["authenticated"])
