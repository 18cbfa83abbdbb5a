"""Failed sign-ins throttled per username and per client address, across every instance.

Before it (issue 13): 200 wrong passwords went through in 18 s, each ~90 ms of argon2 CPU, so a
modest rate saturated both cores. Counts live in PostgreSQL (``sign_in_failures``), so every
worker and every instance on one database sees the same ones; a refused attempt is answered
before any password hashing, with the seconds to wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from db.engine import Database
from db.queries.throttle import forget_failures, record_failure, seconds_blocked
from graph.errors import BoardError


@dataclass(frozen=True)
class SignInThrottle:
    max_failures_per_username: int = 5
    max_failures_per_address: int = 20
    window_seconds: int = 15 * 60

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)


class RateLimited(BoardError):
    code = "RATE_LIMITED"

    def __init__(self, seconds: int) -> None:
        super().__init__(f"Too many failed sign-ins; try again in {seconds} s", retryAfter=seconds)


@dataclass(frozen=True)
class SignInAttempt:
    """One sign-in, keyed by the username asked for and the address asking."""

    throttle: SignInThrottle
    username: str
    address: str

    @property
    def username_key(self) -> str:
        return f"username:{self.username.lower()}"

    @property
    def address_key(self) -> str:
        return f"address:{self.address}"

    async def ensure_allowed(self, database: Database) -> None:
        limits = [
            (self.username_key, self.throttle.max_failures_per_username),
            (self.address_key, self.throttle.max_failures_per_address),
        ]
        async with database.sessions() as session:
            seconds = await seconds_blocked(session, limits, self.throttle.window)
        if seconds > 0:
            raise RateLimited(seconds)

    async def failed(self, database: Database) -> None:
        async with database.sessions.begin() as session:
            await record_failure(
                session, [self.username_key, self.address_key], self.throttle.window
            )

    async def succeeded(self, database: Database) -> None:
        """The account's own count starts over; the address keeps what it has spent."""
        async with database.sessions.begin() as session:
            await forget_failures(session, self.username_key)
