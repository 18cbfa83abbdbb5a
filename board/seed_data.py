"""Demo users, posts and comments worth paging through; seeding twice changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from db import models
from db.engine import Database
from db.queries.users import find_user_by_username, post_counts_by_authors
from graph.passwords import hash_password

DEMO_USERS = ("haandol", "vincent", "jiyeon")
DEMO_PASSWORD = "board-demo-password"
POSTS_PER_USER = 20
MAX_COMMENTS_PER_POST = 10

TOPICS = ("X-Ray", "GraphQL", "PostgreSQL", "N+1 queries", "sampling", "Starlette", "latency")
PHRASES = (
    "Traced every resolver today and the slow one was obvious.",
    "P95 went from 900 ms to 120 ms after batching the author lookups.",
    "Annotations make grouping traces by user trivial.",
    "Remember: sampling rules match operations, not just URLs.",
    "The service map shows the database as its own node.",
    "Subsegments per SQL statement, nested under the field that ran them.",
)


@dataclass(frozen=True)
class SeedReport:
    users_created: int
    posts_created: int
    comments_created: int


async def seed(database: Database, *, rng_seed: int = 20200509) -> SeedReport:
    """Create the demo users that are missing and give content to those that have none."""
    rng = random.Random(rng_seed)
    password_hash = await hash_password(DEMO_PASSWORD)
    async with database.sessions.begin() as session:
        users: list[models.User] = []
        created = 0
        for username in DEMO_USERS:
            user = await find_user_by_username(session, username)
            if user is None:
                user = models.User(username=username, password_hash=password_hash)
                session.add(user)
                created += 1
            users.append(user)
        await session.flush()
        post_counts = await post_counts_by_authors(session, [user.id for user in users])
        posts = _posts_for([user for user in users if post_counts[user.id] == 0], rng)
        session.add_all(posts)
        await session.flush()
        comments = _comments_for(posts, users, rng)
        session.add_all(comments)
    return SeedReport(created, len(posts), len(comments))


def _posts_for(authors: list[models.User], rng: random.Random) -> list[models.Post]:
    start = datetime.now(UTC) - timedelta(days=14)
    posts = []
    for index in range(POSTS_PER_USER * len(authors)):
        author = authors[index % len(authors)]
        when = start + timedelta(minutes=97 * index)
        topic = rng.choice(TOPICS)
        body = " ".join(rng.sample(PHRASES, k=3))
        posts.append(
            models.Post(
                author_id=author.id,
                title=f"Notes on {topic} #{index + 1}",
                content=body,
                created_at=when,
                updated_at=when,
            )
        )
    return posts


def _comments_for(
    posts: list[models.Post], users: list[models.User], rng: random.Random
) -> list[models.Comment]:
    comments = []
    for post in posts:
        for n in range(rng.randint(0, MAX_COMMENTS_PER_POST)):
            when = post.created_at + timedelta(minutes=5 * (n + 1))
            comments.append(
                models.Comment(
                    post_id=post.id,
                    author_id=rng.choice(users).id,
                    body=rng.choice(PHRASES),
                    created_at=when,
                )
            )
    return comments
