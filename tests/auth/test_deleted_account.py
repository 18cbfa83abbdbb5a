"""A token outlives its account: once the user is gone it is UNAUTHENTICATED everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from db.engine import Database
from db.errors import AuthorNotFound, PostNotFound
from db.queries.comments import create_comment
from db.queries.posts import create_post
from tests.support.graphql import ADD_COMMENT, CREATE_POST, GraphQLClient, only_error

DELETE_POST = "mutation Delete($id: ID!) { deletePost(id: $id) }"


async def test_every_use_of_a_deleted_accounts_token_is_unauthenticated(
    client: GraphQLClient, database: Database
) -> None:
    gone = await client.sign_up("gone_soon")
    other = await client.sign_up("stays")
    post_id = await client.create_post(other)
    async with database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM users WHERE username = 'gone_soon'"))

    uses = [
        ("{ viewer { username } }", None),
        (CREATE_POST, {"title": "t", "content": "c"}),
        (ADD_COMMENT, {"postId": post_id, "body": "b"}),
        (DELETE_POST, {"id": post_id}),
    ]
    for query, variables in uses:
        error = only_error(await client.execute(query, variables, token=gone.token))
        assert error["extensions"]["code"] == "UNAUTHENTICATED", (query, error)
        assert error["message"] == "The token's account no longer exists; sign in again"


async def test_a_write_racing_the_deletion_names_the_missing_row(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO users (username, password_hash) VALUES ('ada', 'h')")
        )
    async with database.sessions() as session:
        with pytest.raises(AuthorNotFound):
            await create_post(session, author_id=999, title="t", content="c")
    async with database.sessions.begin() as session:
        post = await create_post(session, author_id=1, title="t", content="c")
    async with database.sessions() as session:
        with pytest.raises(AuthorNotFound):
            await create_comment(session, post_id=post.id, author_id=999, body="b")
    async with database.sessions() as session:
        with pytest.raises(PostNotFound):
            await create_comment(session, post_id=999, author_id=1, body="b")
