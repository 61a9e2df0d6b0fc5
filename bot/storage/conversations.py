"""Conversation references: where a conversation lives, so a reminder can post into it later."""

from __future__ import annotations

from typing import Any, Protocol


class Conversations(Protocol):
    async def save_conversation(
        self, *, platform: str, conversation_id: str, reference: dict[str, Any]
    ) -> None:
        """Remember where a conversation lives, so reminders can post into it later."""

    async def conversation(self, *, platform: str, conversation_id: str) -> dict[str, Any] | None:
        """The reference saved for a conversation, or None."""
