"""updatedAt follows commit order, even for a transaction that began before another's edit."""

from __future__ import annotations

from sqlalchemy import text

from db.engine import Database
from db.queries.posts import create_post, post_for_update, update_post


async def test_an_edit_that_waited_for_the_lock_is_stamped_after_the_one_it_waited_for(
    database: Database,
) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO users (username, password_hash) VALUES ('ada', 'h')")
        )
    async with database.sessions.begin() as session:
        post_id = (await create_post(session, author_id=1, title="t", content="c")).id

    async with database.sessions.begin() as late:
        await late.execute(text("SELECT 1"))  # this transaction has begun: now() is fixed
        async with database.sessions.begin() as early:
            early_post = await post_for_update(early, post_id)
            assert early_post is not None
            first = await update_post(early, early_post, title="first", content=None)
        late_post = await post_for_update(late, post_id)
        assert late_post is not None
        second = await update_post(late, late_post, title="second", content=None)
    assert second.updated_at > first.updated_at
