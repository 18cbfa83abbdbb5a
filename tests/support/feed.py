"""Bulk demo data for trace tests, written in three statements, and the feed query."""

from __future__ import annotations

from sqlalchemy import text

from db.engine import Database

FEED = """
query Feed($first: Int!, $comments: Int!) {
  posts(first: $first) {
    edges { node {
      id title
      author { username }
      commentCount
      comments(first: $comments) { edges { node { body author { username } } } }
    } }
  }
}"""

# Stored text no trace may ever contain.
SECRET_TITLE = "title-that-must-not-be-traced"
SECRET_BODY = "comment-that-must-not-be-traced"


async def seed_feed(database: Database, *, users: int, posts: int, comments: int) -> None:
    """``posts`` posts round-robin over ``users`` users, each with ``comments`` comments."""
    async with database.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (username, password_hash)"
                " SELECT 'user_' || n, 'not-a-hash' FROM generate_series(1, :users) n"
            ),
            {"users": users},
        )
        await conn.execute(
            text(
                "INSERT INTO posts (author_id, title, content)"
                " SELECT (SELECT min(id) FROM users) + n % :users, :title || n, 'content ' || n"
                " FROM generate_series(1, :posts) n"
            ),
            {"users": users, "posts": posts, "title": SECRET_TITLE},
        )
        await conn.execute(
            text(
                "INSERT INTO comments (post_id, author_id, body)"
                " SELECT p.id, (SELECT min(id) FROM users) + (p.id + n) % :users, :body || n"
                " FROM posts p, generate_series(1, :comments) n"
            ),
            {"users": users, "comments": comments, "body": SECRET_BODY},
        )
