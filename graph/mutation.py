"""Write entry points. Each mutation is one transaction: it commits whole or not at all."""

from __future__ import annotations

from typing import TypeVar

import strawberry

from db import models
from db.errors import AuthorNotFound, PostNotFound, UsernameTaken
from db.queries.comments import comment_for_update, create_comment, delete_comment
from db.queries.posts import create_post, delete_post, post_for_update, update_post
from db.queries.users import create_user, find_user_by_username
from graph import validation
from graph.auth import DELETED_ACCOUNT, Viewer, require_account, sign_in
from graph.context import Context, Info
from graph.errors import BadUserInput, Forbidden, NotFound, Unauthenticated
from graph.passwords import hash_password, verify_password
from graph.throttle import SignInAttempt
from graph.types import AuthPayload, Comment, Post, User


def client_address(info: Info) -> str:
    client = info.context.request.client
    return client.host if client else "unknown"


def _authenticated(context: Context, user: models.User) -> AuthPayload:
    sign_in(context.request, Viewer(user.id, user.username))
    token = context.tokens.issue(user.id, user.username)
    return AuthPayload(token=token, user=User.of(user))


Authored = TypeVar("Authored", models.Post, models.Comment)


def _owned(row: Authored | None, viewer: Viewer, what: str, row_id: int) -> Authored:
    """The row, if it exists and ``viewer`` wrote it: NOT_FOUND or FORBIDDEN otherwise."""
    if row is None:
        raise NotFound(f"{what} {row_id} does not exist")
    if row.author_id != viewer.id:
        raise Forbidden(f"Only the author may change this {what.lower()}")
    return row


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an account and sign in.")
    async def sign_up(self, info: Info, username: str, password: str) -> AuthPayload:
        validation.username(username)
        validation.password(password)
        password_hash = await hash_password(password)
        async with info.context.database.sessions.begin() as session:
            try:
                user = await create_user(session, username, password_hash)
            except UsernameTaken:
                raise BadUserInput("username", "is already taken") from None
        return _authenticated(info.context, user)

    @strawberry.mutation(description="Sign in; the token goes in Authorization: Bearer <token>.")
    async def sign_in(self, info: Info, username: str, password: str) -> AuthPayload:
        validation.username(username)
        validation.password_length(password)
        database = info.context.database
        attempt = SignInAttempt(info.context.sign_in_throttle, username, client_address(info))
        await attempt.ensure_allowed(database)
        async with database.sessions() as session:
            user = await find_user_by_username(session, username)
        # Verified whether or not the user exists: the same work, so the same time, either way.
        matched = await verify_password(user.password_hash if user else None, password)
        if user is None or not matched:
            await attempt.failed(database)
            raise Unauthenticated("Invalid username or password")
        await attempt.succeeded(database)
        return _authenticated(info.context, user)

    @strawberry.mutation
    async def create_post(self, info: Info, title: str, content: str) -> Post:
        viewer = await require_account(info.context)
        validation.title(title)
        validation.content(content)
        try:
            async with info.context.database.sessions.begin() as session:
                row = await create_post(session, author_id=viewer.id, title=title, content=content)
        except AuthorNotFound:
            raise Unauthenticated(DELETED_ACCOUNT) from None
        return Post.of(row)

    @strawberry.mutation(description="Change a post's title and/or content (its author only).")
    async def update_post(
        self,
        info: Info,
        id: strawberry.ID,
        title: str | None = None,
        content: str | None = None,
    ) -> Post:
        viewer = await require_account(info.context)
        post_id = validation.record_id(id)
        if title is not None:
            validation.title(title)
        if content is not None:
            validation.content(content)
        async with info.context.database.sessions.begin() as session:
            post = _owned(await post_for_update(session, post_id), viewer, "Post", post_id)
            row = await update_post(session, post, title=title, content=content)
        return Post.of(row)

    @strawberry.mutation(description="Delete a post and its comments (its author only).")
    async def delete_post(self, info: Info, id: strawberry.ID) -> bool:
        viewer = await require_account(info.context)
        post_id = validation.record_id(id)
        async with info.context.database.sessions.begin() as session:
            post = _owned(await post_for_update(session, post_id), viewer, "Post", post_id)
            await delete_post(session, post)
        return True

    @strawberry.mutation
    async def add_comment(self, info: Info, post_id: strawberry.ID, body: str) -> Comment:
        viewer = await require_account(info.context)
        post_pk = validation.record_id(post_id, "postId")
        validation.comment_body(body)
        try:
            async with info.context.database.sessions.begin() as session:
                row = await create_comment(session, post_id=post_pk, author_id=viewer.id, body=body)
        except PostNotFound:
            raise NotFound(f"Post {post_pk} does not exist") from None
        except AuthorNotFound:
            raise Unauthenticated(DELETED_ACCOUNT) from None
        return Comment.of(row)

    @strawberry.mutation(description="Delete a comment (its author only).")
    async def delete_comment(self, info: Info, id: strawberry.ID) -> bool:
        viewer = await require_account(info.context)
        comment_id = validation.record_id(id)
        async with info.context.database.sessions.begin() as session:
            comment = await comment_for_update(session, comment_id)
            await delete_comment(session, _owned(comment, viewer, "Comment", comment_id))
        return True
