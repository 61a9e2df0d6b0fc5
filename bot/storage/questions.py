"""The question log and feedback: what staff ask, what they got, and whether it helped.

Privacy by default: a record keeps a keyed hash of the asker, never the id, and its text is
blanked after `QUESTION_LOG_DAYS` (`bot.storage.retention`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.messages import ReplyKind


@dataclass(frozen=True, kw_only=True)
class QuestionRecord:
    platform: str
    asker: str  # a keyed hash of the user id, never the id itself
    text: str
    outcome: ReplyKind  # an answer, suggestions, or not covered
    entry: str | None
    principle: int | None
    score: float
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Feedback:
    platform: str
    entry: str | None
    helpful: bool
    question: str | None = None
    at: datetime | None = None


class Questions(Protocol):
    async def record_questions(self, *, records: list[QuestionRecord]) -> None:
        """Log questions and what they got (a keyed hash of the asker, never the id)."""

    async def questions(self, *, since: datetime, unanswered_only: bool = False,
                        limit: int | None = None) -> list[QuestionRecord]:
        """Questions logged since `since`, oldest first; only those not answered whose text is
        still kept, and only the latest `limit` of them, when asked."""

    async def forget_questions(self, *, before: datetime) -> int:
        """Blank the text of questions asked before `before`; counts and outcomes stay."""

    async def record_feedback(self, *, feedback: Feedback) -> None:
        """Keep a Helpful / Not helpful vote."""

    async def feedback_since(self, *, since: datetime) -> list[Feedback]:
        """The votes given since `since`."""
