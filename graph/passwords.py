"""Password hashing with Argon2id, run off the event loop (hashing takes tens of ms of CPU)."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps "no such user" and
# "wrong password" indistinguishable by timing as well as by message.
_UNKNOWN_USER_HASH = _hasher.hash(secrets.token_urlsafe(32))


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; never True without a hash."""
    try:
        matched = await asyncio.to_thread(
            _hasher.verify, password_hash or _UNKNOWN_USER_HASH, password
        )
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None and bool(matched)
