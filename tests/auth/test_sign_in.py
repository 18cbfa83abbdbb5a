"""signIn: the same work for unknown and known users, and failures throttled across instances."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from db.engine import Database
from graph import passwords
from graph.app import create_app
from graph.schema import build_schema
from graph.throttle import SignInThrottle
from graph.tokens import TokenSigner
from tests.support.graphql import GraphQLClient, error_codes, only_error

SIGN_IN = """
mutation SignIn($username: String!, $password: String!) {
  signIn(username: $username, password: $password) { token }
}"""
PASSWORD = "correct horse battery"
THROTTLE = SignInThrottle(max_failures_per_username=3, max_failures_per_address=5)


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verification run (the real one still runs), by the hash it checked."""
    seen: list[str] = []
    real: Callable[..., Any] = PasswordHasher.verify

    def counted(self: PasswordHasher, hash: str, password: str) -> Any:
        seen.append(hash)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return seen


async def sign_in(client: GraphQLClient, username: str, password: str) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await client.post(SIGN_IN, {"username": username, "password": password})
    ).json()
    return payload


async def test_unknown_and_known_users_cost_one_verification_each(
    client: GraphQLClient, verifications: list[str]
) -> None:
    await client.sign_up("ada", PASSWORD)
    verifications.clear()
    unknown = await sign_in(client, "nobody", PASSWORD)
    wrong = await sign_in(client, "ada", "not the password")
    assert error_codes(unknown) == error_codes(wrong) == ["UNAUTHENTICATED"]
    assert only_error(unknown)["message"] == only_error(wrong)["message"]
    assert len(verifications) == 2
    assert verifications[0] == passwords._UNKNOWN_USER_HASH
    assert verifications[1] != passwords._UNKNOWN_USER_HASH


def app_client(database: Database, tokens: TokenSigner) -> httpx.AsyncClient:
    app = create_app(database, build_schema(), tokens=tokens, sign_in_throttle=THROTTLE)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://board.test")


@pytest.fixture
async def instances(
    database: Database, tokens: TokenSigner
) -> AsyncIterator[tuple[GraphQLClient, GraphQLClient]]:
    """Two app instances on one database, as two servers behind a load balancer would be."""
    async with app_client(database, tokens) as one, app_client(database, tokens) as two:
        yield GraphQLClient(one), GraphQLClient(two)


async def test_failures_on_one_instance_throttle_the_username_on_another(
    instances: tuple[GraphQLClient, GraphQLClient], verifications: list[str]
) -> None:
    one, two = instances
    await one.sign_up("ada", PASSWORD)
    for _ in range(THROTTLE.max_failures_per_username):
        assert error_codes(await sign_in(one, "ada", "wrong password")) == ["UNAUTHENTICATED"]
    verifications.clear()
    refused = only_error(await sign_in(two, "ADA", PASSWORD))  # even the right password waits
    assert refused["extensions"]["code"] == "RATE_LIMITED"
    wait = refused["extensions"]["retryAfter"]
    assert 0 < wait <= THROTTLE.window_seconds
    assert f"try again in {wait} s" in refused["message"]
    assert verifications == []  # refused before any argon2 work


async def test_the_client_address_is_throttled_across_usernames(
    instances: tuple[GraphQLClient, GraphQLClient],
) -> None:
    one, two = instances
    for attempt in range(THROTTLE.max_failures_per_address):
        await sign_in(one if attempt % 2 else two, f"user_{attempt}", "wrong password")
    assert error_codes(await sign_in(one, "someone_new", PASSWORD)) == ["RATE_LIMITED"]


async def test_a_successful_sign_in_starts_the_username_count_over(
    instances: tuple[GraphQLClient, GraphQLClient],
) -> None:
    one, two = instances
    await one.sign_up("ada", PASSWORD)
    for _ in range(THROTTLE.max_failures_per_username - 1):
        await sign_in(one, "ada", "wrong password")
    assert "errors" not in await sign_in(two, "ada", PASSWORD)
    assert error_codes(await sign_in(one, "ada", "wrong password")) == ["UNAUTHENTICATED"]
