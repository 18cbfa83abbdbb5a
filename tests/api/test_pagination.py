"""Cursor pagination at its edges."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from graph.pagination import MAX_PAGE
from tests.support.graphql import GraphQLClient, only_error

PAGE = """
query Page($first: Int, $after: String) {
  posts(first: $first, after: $after) {
    totalCount
    edges { cursor node { title } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def _posts(client: GraphQLClient, count: int) -> None:
    author = await client.sign_up("pager")
    for index in range(count):
        await client.create_post(author, f"p{index}")


async def _page(client: GraphQLClient, first: int, after: str | None = None) -> dict[str, Any]:
    data = await client.data(PAGE, {"first": first, "after": after})
    page: dict[str, Any] = data["posts"]
    return page


def _titles(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in page["edges"]]


async def test_empty_board(client: GraphQLClient) -> None:
    page = await _page(client, 5)
    assert page == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_exactly_first_items_has_no_next_page(client: GraphQLClient) -> None:
    await _posts(client, 3)
    page = await _page(client, 3)
    assert _titles(page) == ["p2", "p1", "p0"]
    assert page["pageInfo"] == {"hasNextPage": False, "endCursor": page["edges"][-1]["cursor"]}


async def test_walking_pages_visits_every_post_once_and_ends(client: GraphQLClient) -> None:
    await _posts(client, 7)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await _page(client, 3, after)
        pages += 1
        seen += _titles(page)
        info = page["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert pages == 3
    assert seen == [f"p{i}" for i in reversed(range(7))]
    last = await _page(client, 3, after)
    assert _titles(last) == ["p0"]


async def test_first_is_capped(client: GraphQLClient) -> None:
    await _posts(client, MAX_PAGE + 2)
    page = await _page(client, 1000)
    assert len(page["edges"]) == MAX_PAGE
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["totalCount"] == MAX_PAGE + 2


async def test_first_zero_returns_no_edges(client: GraphQLClient) -> None:
    await _posts(client, 2)
    page = await _page(client, 0)
    assert page["edges"] == []
    assert page["pageInfo"]["hasNextPage"] is True


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    ["not-a-cursor!", _cursor("comment:3"), _cursor("post:"), _cursor("post:-1"), "\u00e9\u00e9"],
)
async def test_bad_cursor_is_bad_user_input_naming_after(
    client: GraphQLClient, cursor: str
) -> None:
    payload = await client.execute(PAGE, {"first": 2, "after": cursor})
    error = only_error(payload)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    assert payload["data"] is None


async def test_negative_first_names_the_field(client: GraphQLClient) -> None:
    error = only_error(await client.execute(PAGE, {"first": -1}))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


async def test_comment_pages_follow_their_cursor(client: GraphQLClient) -> None:
    author = await client.sign_up("commenter")
    post_id = await client.create_post(author)
    for index in range(5):
        await client.add_comment(author, post_id, f"c{index}")
    query = """query($id: ID!, $after: String) { post(id: $id) {
        comments(first: 2, after: $after) { edges { node { body } } pageInfo { endCursor } } } }"""
    first = (await client.data(query, {"id": post_id}))["post"]["comments"]
    second = await client.data(query, {"id": post_id, "after": first["pageInfo"]["endCursor"]})
    bodies = [e["node"]["body"] for e in second["post"]["comments"]["edges"]]
    assert bodies == ["c2", "c1"]
