"""The store interface: every piece of state the bot shares between requests and instances.

Adapters and the core depend on this protocol only. `MemoryStore` serves tests and the CLI; the
SQL store (SQLite by default, PostgreSQL when configured) implements the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, kw_only=True)
class Feedback:
    platform: str
    entry: str | None
    helpful: bool
    question: str | None = None
    at: datetime | None = None


class Store(Protocol):
    async def first_delivery(self, *, key: str) -> bool:
        """Claim an incoming event id; True only for the first caller, so retries answer once."""

    async def record_feedback(self, *, feedback: Feedback) -> None:
        """Keep a Helpful / Not helpful vote."""

    async def save_conversation(
        self, *, platform: str, conversation_id: str, reference: dict[str, Any]
    ) -> None:
        """Remember where a conversation lives, so reminders can post into it later."""

    async def conversation(self, *, platform: str, conversation_id: str) -> dict[str, Any] | None:
        """The reference saved for a conversation, or None."""

    async def close(self) -> None:
        """Release connections."""


class MemoryStore:
    """The store for one process that keeps nothing after it exits."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self.feedback: list[Feedback] = []
        self._conversations: dict[tuple[str, str], dict[str, Any]] = {}

    async def first_delivery(self, *, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    async def record_feedback(self, *, feedback: Feedback) -> None:
        self.feedback.append(feedback)

    async def save_conversation(
        self, *, platform: str, conversation_id: str, reference: dict[str, Any]
    ) -> None:
        self._conversations[(platform, conversation_id)] = dict(reference)

    async def conversation(self, *, platform: str, conversation_id: str) -> dict[str, Any] | None:
        return self._conversations.get((platform, conversation_id))

    async def close(self) -> None:
        return None
