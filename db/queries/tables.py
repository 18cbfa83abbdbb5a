"""The models' tables, for read queries written in SQLAlchemy Core (rows, not entities)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from db.models import Comment, Post, User

USERS = cast(Table, User.__table__)
POSTS = cast(Table, Post.__table__)
COMMENTS = cast(Table, Comment.__table__)

# What a reader may see of a user: never the password hash.
USER_COLUMNS = (USERS.c.id, USERS.c.username, USERS.c.created_at)
