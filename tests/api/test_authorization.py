"""Who may do what: tokens that are missing, expired or tampered with, and non-authors."""

from __future__ import annotations

import base64
import json
import time

import pytest

from graph.tokens import TokenSigner
from tests.support.graphql import TEST_SECRET, Account, GraphQLClient, only_error

CREATE = 'mutation { createPost(title: "t", content: "c") { id } }'


def _tamper_user(token: str, user_id: int) -> str:
    body, _, signature = token.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = user_id
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{forged}.{signature}"


async def _rejected(client: GraphQLClient, token: str | None, query: str = CREATE) -> None:
    payload = await client.execute(query, token=token)
    assert only_error(payload)["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await client.data("{ posts { totalCount } }"))["posts"]["totalCount"] == 0


async def test_no_token(client: GraphQLClient) -> None:
    await _rejected(client, None)


async def test_expired_token(client: GraphQLClient) -> None:
    alice = await client.sign_up("alice")
    yesterday = TokenSigner(TEST_SECRET, ttl_seconds=3600, clock=lambda: time.time() - 86_400)
    await _rejected(client, yesterday.issue(int(alice.id), alice.username))


async def test_token_signed_with_another_key(client: GraphQLClient) -> None:
    alice = await client.sign_up("alice")
    await _rejected(client, TokenSigner(b"someone else's key").issue(int(alice.id), "alice"))


async def test_tampered_token(client: GraphQLClient) -> None:
    alice = await client.sign_up("alice")
    bob = await client.sign_up("bob")
    await _rejected(client, _tamper_user(bob.token, int(alice.id)))


@pytest.mark.parametrize("token", ["garbage", "a.b", ".", "x" * 5000])
async def test_malformed_token(client: GraphQLClient, token: str) -> None:
    await _rejected(client, token)


async def test_basic_scheme_is_not_a_bearer_token(client: GraphQLClient) -> None:
    alice = await client.sign_up("alice")
    response = await client.post(CREATE, headers={"Authorization": f"Basic {alice.token}"})
    assert only_error(response.json())["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_reads_work_with_a_bad_token_except_viewer(client: GraphQLClient) -> None:
    payload = await client.execute("{ posts { totalCount } }", token="garbage")
    assert payload == {"data": {"posts": {"totalCount": 0}}}
    viewer = await client.execute("{ viewer { username } }", token="garbage")
    assert only_error(viewer)["extensions"]["code"] == "UNAUTHENTICATED"


async def _two_authors(client: GraphQLClient) -> tuple[Account, Account, str, str]:
    owner = await client.sign_up("owner")
    other = await client.sign_up("other")
    post_id = await client.create_post(owner, "mine", "my content")
    comment_id = await client.add_comment(owner, post_id, "my comment")
    return owner, other, post_id, comment_id


@pytest.mark.parametrize(
    "mutation",
    [
        'updatePost(id: "{post}", title: "stolen") {{ id }}',
        'deletePost(id: "{post}")',
        'deleteComment(id: "{comment}")',
    ],
)
async def test_only_the_author_may_change_or_delete(client: GraphQLClient, mutation: str) -> None:
    _, other, post_id, comment_id = await _two_authors(client)
    text = "mutation { " + mutation.format(post=post_id, comment=comment_id) + " }"
    payload = await client.execute(text, token=other.token)
    assert only_error(payload)["extensions"]["code"] == "FORBIDDEN"
    post = await client.data(
        "query($id: ID!) { post(id: $id) { title commentCount } }", {"id": post_id}
    )
    assert post["post"] == {"title": "mine", "commentCount": 1}


async def test_post_author_may_not_delete_someone_elses_comment(client: GraphQLClient) -> None:
    owner, other, post_id, _ = await _two_authors(client)
    their_comment = await client.add_comment(other, post_id, "theirs")
    payload = await client.execute(
        f'mutation {{ deleteComment(id: "{their_comment}") }}', token=owner.token
    )
    assert only_error(payload)["extensions"]["code"] == "FORBIDDEN"
