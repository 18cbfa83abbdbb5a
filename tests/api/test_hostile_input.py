"""Arguments checked before SQL: NUL, lone surrogates, over-long text, out-of-range cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from db.engine import Database
from tests.support.graphql import CREATE_POST, GraphQLClient, only_error
from tests.support.statements import counted_statements

SIGN_IN = "mutation($u: String!, $p: String!) { signIn(username: $u, password: $p) { token } }"
SIGN_UP = "mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { token } }"
USER = "query($u: String!) { user(username: $u) { id } }"
POSTS_BY = "query($u: String!) { posts(authorUsername: $u) { totalCount } }"
POSTS_AFTER = "query($a: String!) { posts(after: $a) { totalCount } }"
NUL, SURROGATE = "a\x00b", "ab\ud800"
PASSWORD = "correct horse battery"


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def raw_post(
    client: GraphQLClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    # json.dumps escapes lone surrogates as \\ud800, exactly as a hostile client would send them.
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables})
    response = await client.http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


ANONYMOUS = [
    (SIGN_IN, {"u": NUL, "p": PASSWORD}, "username"),
    (SIGN_IN, {"u": SURROGATE, "p": PASSWORD}, "username"),
    (SIGN_IN, {"u": "ada", "p": "pass\ud800word"}, "password"),
    (SIGN_UP, {"u": "ada", "p": "pass\ud800word-long"}, "password"),
    (USER, {"u": NUL}, "username"),
    (USER, {"u": SURROGATE}, "username"),
    (USER, {"u": "x" * 1000}, "username"),
    (POSTS_BY, {"u": NUL}, "authorUsername"),
    (POSTS_BY, {"u": SURROGATE}, "authorUsername"),
    (POSTS_AFTER, {"a": cursor(f"post:{2**63}")}, "after"),
    (POSTS_AFTER, {"a": cursor("post:0")}, "after"),
    (POSTS_AFTER, {"a": "A" * 10_000}, "after"),
]


@pytest.mark.parametrize(("query", "variables", "field"), ANONYMOUS)
async def test_hostile_arguments_are_bad_user_input_naming_them_before_any_sql(
    client: GraphQLClient, database: Database, query: str, variables: dict[str, Any], field: str
) -> None:
    with counted_statements(database) as statements:
        payload = await raw_post(client, query, variables)
    error = only_error(payload)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field
    assert error["message"].startswith(f"{field} ")
    assert statements == []


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("\u200b\u200b", "title must hold at least one visible character"),
        ("  \t", "title must hold at least one visible character"),
        ("a\x00", "title must not contain NUL characters"),
        ("a\udfff", "title must be valid Unicode (it holds a lone surrogate)"),
        ("x" * 201, "title must be at most 200 characters (got 201)"),
    ],
)
async def test_a_title_must_be_storable_text_with_something_to_see(
    client: GraphQLClient, title: str, message: str
) -> None:
    account = await client.sign_up("ada")
    payload = await raw_post(client, CREATE_POST, {"title": title, "content": "c"}, account.token)
    assert only_error(payload)["message"] == message


async def test_a_title_in_any_script_is_accepted(client: GraphQLClient) -> None:
    account = await client.sign_up("ada")
    post_id = await client.create_post(account, title="안녕 👋", content="\u200bzero-width first")
    assert post_id
