"""Signed, expiring bearer tokens: ``<payload>.<signature>``, both base64url.

HMAC-SHA256 over a small JSON payload; verification is constant-time and every failure
(malformed, tampered, expired) is reported the same way so a client learns nothing more.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_TTL_SECONDS = 24 * 3600


class InvalidToken(Exception):
    """The token is malformed, tampered with or expired."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class TokenSigner:
    secret: bytes
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    clock: Callable[[], float] = field(default=time.time)

    def issue(self, user_id: int, username: str) -> str:
        claims = {"sub": user_id, "usr": username, "exp": int(self.clock()) + self.ttl_seconds}
        payload = json.dumps(claims, separators=(",", ":"))
        body = _b64encode(payload.encode())
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str) -> tuple[int, str]:
        """The user id and username the token was issued to; InvalidToken otherwise."""
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            raise InvalidToken
        try:
            claims = json.loads(_b64decode(body))
            user_id, username, expires = claims["sub"], claims["usr"], claims["exp"]
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise InvalidToken from None
        if not (
            isinstance(user_id, int) and isinstance(username, str) and isinstance(expires, int)
        ):
            raise InvalidToken
        if expires <= self.clock():
            raise InvalidToken
        return user_id, username

    def _sign(self, body: str) -> str:
        return _b64encode(hmac.new(self.secret, body.encode(), hashlib.sha256).digest())
