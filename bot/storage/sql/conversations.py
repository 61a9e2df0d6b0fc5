"""Conversation references on SQL: one row per conversation, replaced on each save."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bot.storage.sql.base import SQLBase, UTCDateTime, bounded, metadata

conversations = sa.Table(
    "conversations", metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("reference", sa.JSON, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)


class SQLConversations(SQLBase):
    @bounded()
    async def save_conversation(
        self, *, platform: str, conversation_id: str, reference: dict[str, Any]
    ) -> None:
        values = {"platform": platform, "conversation_id": conversation_id,
                  "reference": dict(reference), "updated_at": datetime.now(UTC)}
        statement = self._insert(conversations).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "conversation_id"],
            set_={"reference": statement.excluded.reference,
                  "updated_at": statement.excluded.updated_at})
        await self._execute(statement)

    @bounded()
    async def conversation(self, *, platform: str, conversation_id: str) -> dict[str, Any] | None:
        async with self.engine.connect() as connection:
            row = (await connection.execute(sa.select(conversations.c.reference).where(
                conversations.c.platform == platform,
                conversations.c.conversation_id == conversation_id))).first()
        return dict(row.reference) if row else None
