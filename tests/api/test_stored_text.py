"""Hostile text is stored and returned verbatim, and deleting a post takes its comments along."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import Comment
from tests.support.graphql import GraphQLClient

HOSTILE = [
    'O\'Reilly "quoted" `backticks` \\ backslash',
    "'; DROP TABLE posts; --",
    "1' OR '1'='1",
    "$1 %s %(title)s {} {{}} ?",
    "emoji 🧪🚀👩🏽‍💻 and flags 🇰🇷",
    "한국어 텍스트, 日本語, العربية, עִבְרִית",
    "zero\u200bwidth and combining e\u0301",
    "line\nbreaks\r\nand\ttabs",
    "<script>alert('x')</script>",
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_round_trips_verbatim(client: GraphQLClient, text: str) -> None:
    author = await client.sign_up("writer")
    post_id = await client.create_post(author, title=text, content=text)
    await client.add_comment(author, post_id, body=text)
    data = await client.data(
        """query($id: ID!) { post(id: $id) { title content
             comments { edges { node { body } } } } }""",
        {"id": post_id},
    )
    post = data["post"]
    assert post["title"] == post["content"] == text
    assert post["comments"]["edges"][0]["node"]["body"] == text


async def test_longest_allowed_content_round_trips(client: GraphQLClient) -> None:
    author = await client.sign_up("writer")
    content = ("ab🧪" * 6667)[:20_000]
    assert len(content) == 20_000
    post_id = await client.create_post(author, title="t" * 200, content=content)
    data = await client.data("query($id: ID!) { post(id: $id) { title content } }", {"id": post_id})
    assert data["post"] == {"title": "t" * 200, "content": content}


async def test_deleting_a_post_deletes_its_comments(
    client: GraphQLClient, database: Database
) -> None:
    author = await client.sign_up("writer")
    doomed = await client.create_post(author)
    kept = await client.create_post(author)
    for _ in range(3):
        await client.add_comment(author, doomed)
    await client.add_comment(author, kept)

    await client.data(f'mutation {{ deletePost(id: "{doomed}") }}', token=author.token)

    async with database.sessions() as session:
        remaining = await session.execute(
            select(Comment.post_id, func.count()).group_by(Comment.post_id)
        )
    assert dict(remaining.all()) == {int(kept): 1}
