"""A small GraphQL client over httpx for tests: raw responses and the common flows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

TEST_SECRET = b"test-signing-key"
"""What the ``tokens`` fixture signs with."""
SIGN_UP = """
mutation SignUp($username: String!, $password: String!) {
  signUp(username: $username, password: $password) { token user { id username } }
}"""
CREATE_POST = """
mutation CreatePost($title: String!, $content: String!) {
  createPost(title: $title, content: $content) { id title content author { username } }
}"""
ADD_COMMENT = """
mutation AddComment($postId: ID!, $body: String!) {
  addComment(postId: $postId, body: $body) { id body author { username } post { id } }
}"""

DEFAULT_PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    token: str


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return await self.http.post("/graphql", json=body, headers=all_headers)

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        response = await self.post(query, variables, token=token)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a response that must have no errors."""
        payload = await self.execute(query, variables, token=token)
        assert "errors" not in payload, payload["errors"]
        data: dict[str, Any] = payload["data"]
        return data

    async def sign_up(self, username: str, password: str = DEFAULT_PASSWORD) -> Account:
        data = await self.data(SIGN_UP, {"username": username, "password": password})
        user = data["signUp"]["user"]
        return Account(user["id"], user["username"], data["signUp"]["token"])

    async def create_post(self, account: Account, title: str = "t", content: str = "c") -> str:
        data = await self.data(
            CREATE_POST, {"title": title, "content": content}, token=account.token
        )
        post_id: str = data["createPost"]["id"]
        return post_id

    async def add_comment(self, account: Account, post_id: str, body: str = "b") -> str:
        data = await self.data(ADD_COMMENT, {"postId": post_id, "body": body}, token=account.token)
        comment_id: str = data["addComment"]["id"]
        return comment_id


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in payload.get("errors", [])]


def only_error(payload: dict[str, Any]) -> dict[str, Any]:
    errors = payload.get("errors", [])
    assert len(errors) == 1, payload
    error: dict[str, Any] = errors[0]
    return error
