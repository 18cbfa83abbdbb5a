"""Every mutation, its validation (errors name the field) and its effect on later reads."""

from __future__ import annotations

import pytest

from tests.support.graphql import DEFAULT_PASSWORD, GraphQLClient, only_error

SIGN_IN = """mutation($u: String!, $p: String!) {
  signIn(username: $u, password: $p) { token user { username } } }"""
UPDATE = """mutation($id: ID!, $title: String, $content: String) {
  updatePost(id: $id, title: $title, content: $content) {
    id title content createdAt updatedAt
  }
}"""
DELETE_POST = "mutation($id: ID!) { deletePost(id: $id) }"
DELETE_COMMENT = "mutation($id: ID!) { deleteComment(id: $id) }"
POST = "query($id: ID!) { post(id: $id) { title content commentCount } }"


async def test_sign_up_returns_a_working_token(client: GraphQLClient) -> None:
    account = await client.sign_up("Newcomer")
    assert account.username == "Newcomer"
    viewer = await client.data("{ viewer { username } }", token=account.token)
    assert viewer["viewer"]["username"] == "Newcomer"


async def test_usernames_are_unique_ignoring_case(client: GraphQLClient) -> None:
    await client.sign_up("alice")
    payload = await client.execute(
        'mutation { signUp(username: "ALICE", password: "long enough") { token } }'
    )
    assert only_error(payload)["extensions"] == {"code": "BAD_USER_INPUT", "field": "username"}
    users = await client.data("{ users { totalCount } }")
    assert users["users"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("ab", DEFAULT_PASSWORD, "username"),
        ("a" * 33, DEFAULT_PASSWORD, "username"),
        ("has space", DEFAULT_PASSWORD, "username"),
        ("robert'); DROP TABLE users;--", DEFAULT_PASSWORD, "username"),
        ("ok_name", "short", "password"),
    ],
)
async def test_sign_up_validation_names_the_field(
    client: GraphQLClient, username: str, password: str, field: str
) -> None:
    payload = await client.execute(
        "mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { token } }",
        {"u": username, "p": password},
    )
    assert only_error(payload)["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_sign_in_with_right_password_and_same_error_for_wrong_or_unknown(
    client: GraphQLClient,
) -> None:
    await client.sign_up("carol")
    good = await client.data(SIGN_IN, {"u": "CAROL", "p": DEFAULT_PASSWORD})
    assert good["signIn"]["user"]["username"] == "carol"
    assert good["signIn"]["token"]

    wrong = only_error(await client.execute(SIGN_IN, {"u": "carol", "p": "not the password"}))
    unknown = only_error(await client.execute(SIGN_IN, {"u": "nobody", "p": "not the password"}))
    assert wrong["extensions"]["code"] == unknown["extensions"]["code"] == "UNAUTHENTICATED"
    assert wrong["message"] == unknown["message"]


async def test_create_update_and_delete_a_post(client: GraphQLClient) -> None:
    author = await client.sign_up("writer")
    post_id = await client.create_post(author, "first title", "first content")

    updated = await client.data(UPDATE, {"id": post_id, "title": "new title"}, token=author.token)
    post = updated["updatePost"]
    assert (post["title"], post["content"]) == ("new title", "first content")
    assert post["updatedAt"] > post["createdAt"]

    content_only = await client.data(UPDATE, {"id": post_id, "content": "x"}, token=author.token)
    assert content_only["updatePost"]["title"] == "new title"

    deleted = await client.data(DELETE_POST, {"id": post_id}, token=author.token)
    assert deleted["deletePost"] is True
    assert (await client.data(POST, {"id": post_id}))["post"] is None


async def test_add_and_delete_a_comment(client: GraphQLClient) -> None:
    author = await client.sign_up("writer")
    reader = await client.sign_up("reader")
    post_id = await client.create_post(author)
    comment_id = await client.add_comment(reader, post_id, "nice")
    assert (await client.data(POST, {"id": post_id}))["post"]["commentCount"] == 1

    deleted = await client.data(DELETE_COMMENT, {"id": comment_id}, token=reader.token)
    assert deleted["deleteComment"] is True
    assert (await client.data(POST, {"id": post_id}))["post"]["commentCount"] == 0


async def test_comment_on_a_missing_post_is_not_found(client: GraphQLClient) -> None:
    reader = await client.sign_up("reader")
    payload = await client.execute(
        'mutation { addComment(postId: "424242", body: "hello") { id } }', token=reader.token
    )
    assert only_error(payload)["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("mutation", "code"),
    [
        ('updatePost(id: "999", title: "x") { id }', "NOT_FOUND"),
        ('deletePost(id: "999")', "NOT_FOUND"),
        ('deleteComment(id: "999")', "NOT_FOUND"),
        ('deletePost(id: "abc")', "BAD_USER_INPUT"),
        ('deletePost(id: "99999999999999999999")', "BAD_USER_INPUT"),
        ('addComment(postId: "-1", body: "x") { id }', "BAD_USER_INPUT"),
    ],
)
async def test_ids_that_name_nothing(client: GraphQLClient, mutation: str, code: str) -> None:
    account = await client.sign_up("someone")
    payload = await client.execute(f"mutation {{ {mutation} }}", token=account.token)
    assert only_error(payload)["extensions"]["code"] == code


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"title": "", "content": "c"}, "title"),
        ({"title": "   ", "content": "c"}, "title"),
        ({"title": "t" * 201, "content": "c"}, "title"),
        ({"title": "t", "content": ""}, "content"),
        ({"title": "t", "content": "c" * 20_001}, "content"),
        ({"title": "nul\x00byte", "content": "c"}, "title"),
    ],
)
async def test_post_validation_names_the_field_and_writes_nothing(
    client: GraphQLClient, variables: dict[str, str], field: str
) -> None:
    author = await client.sign_up("writer")
    payload = await client.execute(
        """mutation($title: String!, $content: String!) {
             createPost(title: $title, content: $content) { id } }""",
        variables,
        token=author.token,
    )
    assert only_error(payload)["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert (await client.data("{ posts { totalCount } }"))["posts"]["totalCount"] == 0


async def test_comment_body_limits(client: GraphQLClient) -> None:
    author = await client.sign_up("writer")
    post_id = await client.create_post(author)
    query = "mutation($p: ID!, $b: String!) { addComment(postId: $p, body: $b) { id } }"
    too_long = await client.execute(query, {"p": post_id, "b": "b" * 5_001}, token=author.token)
    assert only_error(too_long)["extensions"] == {"code": "BAD_USER_INPUT", "field": "body"}
    at_limit = await client.execute(query, {"p": post_id, "b": "b" * 5_000}, token=author.token)
    assert "errors" not in at_limit


async def test_a_rejected_update_changes_nothing(client: GraphQLClient) -> None:
    author = await client.sign_up("writer")
    post_id = await client.create_post(author, "kept", "kept content")
    payload = await client.execute(
        UPDATE, {"id": post_id, "title": "valid", "content": ""}, token=author.token
    )
    assert only_error(payload)["extensions"]["field"] == "content"
    post = (await client.data(POST, {"id": post_id}))["post"]
    assert (post["title"], post["content"]) == ("kept", "kept content")
