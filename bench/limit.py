"""The "limit": the feed's JSON written by hand from four statements on one psycopg connection.

No GraphQL, no ORM, no tracing: the posts page, their comment counts, each post's newest
comments (one window-function statement), and every author among them by id. It answers the
bench's feed query (``first`` posts, ``comments`` comments each) with the very JSON the board
API gives, so the two can be compared request for request; what the board spends beyond this is
the price of GraphQL, the ORM layer and tracing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

POSTS = "SELECT id, author_id, title FROM posts ORDER BY id DESC LIMIT %s"
COUNTS = "SELECT post_id, count(*) FROM comments WHERE post_id = ANY(%s) GROUP BY post_id"
COMMENTS = """
SELECT post_id, author_id, body FROM (
  SELECT post_id, author_id, body, id,
         row_number() OVER (PARTITION BY post_id ORDER BY id DESC) AS rank
  FROM comments WHERE post_id = ANY(%s)
) AS ranked WHERE rank <= %s ORDER BY post_id, id DESC"""
USERS = "SELECT id, username FROM users WHERE id = ANY(%s)"


class Feed:
    """One connection, taken at start-up; requests take turns on it (a pool of one)."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._turn = asyncio.Lock()

    async def open(self) -> None:
        self._connection = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def page(self, first: int, comments: int) -> dict[str, Any]:
        assert self._connection is not None, "open() first"
        async with self._turn, self._connection.cursor() as cursor:
            await cursor.execute(POSTS, (first,))
            posts = await cursor.fetchall()
            post_ids = [post_id for post_id, _, _ in posts]
            await cursor.execute(COUNTS, (post_ids,))
            counts = dict(await cursor.fetchall())
            await cursor.execute(COMMENTS, (post_ids, comments))
            newest = await cursor.fetchall()
            author_ids = list({author for _, author, _ in posts} | {a for _, a, _ in newest})
            await cursor.execute(USERS, (author_ids,))
            names = dict(await cursor.fetchall())
        by_post: dict[int, list[dict[str, Any]]] = {post_id: [] for post_id in post_ids}
        for post_id, author_id, body in newest:
            node = {"body": body, "author": {"username": names[author_id]}}
            by_post[post_id].append({"node": node})
        edges = [
            {
                "node": {
                    "id": str(post_id),
                    "title": title,
                    "author": {"username": names[author_id]},
                    "commentCount": counts.get(post_id, 0),
                    "comments": {"edges": by_post[post_id]},
                }
            }
            for post_id, author_id, title in posts
        ]
        return {"data": {"posts": {"edges": edges}}}


def limit_app(conninfo: str) -> Starlette:
    feed = Feed(conninfo)

    async def graphql(request: Request) -> Response:
        variables = (await request.json())["variables"]
        body = await feed.page(int(variables["first"]), int(variables["comments"]))
        return Response(json.dumps(body), media_type="application/json")

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await feed.open()
        yield
        await feed.close()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
