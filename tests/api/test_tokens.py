"""The token format on its own: what it accepts and refuses."""

from __future__ import annotations

import pytest

from graph.tokens import InvalidToken, TokenSigner


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_token_names_its_user_until_it_expires() -> None:
    clock = Clock(1_000_000.0)
    signer = TokenSigner(b"key", ttl_seconds=60, clock=clock)
    token = signer.issue(7, "alice")
    assert signer.verify(token) == (7, "alice")
    clock.now += 59
    assert signer.verify(token) == (7, "alice")
    clock.now += 1
    with pytest.raises(InvalidToken):
        signer.verify(token)


@pytest.mark.parametrize("flip", [0, 5, -1])
def test_any_changed_character_invalidates(flip: int) -> None:
    signer = TokenSigner(b"key")
    token = signer.issue(1, "a")
    changed = "B" if token[flip] == "A" else "A"
    forged = token[:flip] + changed + (token[flip + 1 :] if flip != -1 else "")
    with pytest.raises(InvalidToken):
        signer.verify(forged)


def test_signed_but_malformed_claims_are_rejected() -> None:
    signer = TokenSigner(b"key")
    body = "bm90IGpzb24"  # base64 of "not json"
    token = f"{body}.{signer._sign(body)}"
    with pytest.raises(InvalidToken):
        signer.verify(token)
