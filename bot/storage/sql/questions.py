"""The question log and feedback on SQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.messages import ReplyKind
from bot.storage.questions import Feedback, QuestionRecord
from bot.storage.sql.base import SQLBase, UTCDateTime, bounded, metadata

feedback_votes = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("entry", sa.String(255)),
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.Column("question", sa.Text),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("feedback_at", "at"),
)
question_log = sa.Table(
    "question_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("asker", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("entry", sa.String(255)),
    sa.Column("principle", sa.Integer),
    sa.Column("score", sa.Float, nullable=False),
    sa.Index("question_log_at", "at"),
)


class SQLQuestions(SQLBase):
    @bounded()
    async def record_questions(self, *, records: list[QuestionRecord]) -> None:
        if records:
            await self._execute(sa.insert(question_log), [
                {"at": r.at, "platform": r.platform[:32], "asker": r.asker[:64], "text": r.text,
                 "outcome": r.outcome, "entry": r.entry, "principle": r.principle,
                 "score": r.score} for r in records])

    @bounded()
    async def questions(self, *, since: datetime, unanswered_only: bool = False,
                        limit: int | None = None) -> list[QuestionRecord]:
        """Streamed a thousand rows at a time: turning tens of thousands of rows into records
        in one go held the event loop for over a second."""
        c = question_log.c
        query = sa.select(question_log).where(c.at >= since)
        if unanswered_only:
            query = query.where(c.outcome != ReplyKind.ANSWER.value, c.text != "")
        query = query.order_by(c.id.desc() if limit else c.id)
        if limit:
            query = query.limit(limit)
        records: list[QuestionRecord] = []
        async with self.engine.connect() as connection:
            result = await connection.stream(query)
            async for rows in result.partitions(1000):
                records.extend(QuestionRecord(
                    platform=row.platform, asker=row.asker, text=row.text, outcome=ReplyKind(row.outcome),
                    entry=row.entry, principle=row.principle, score=row.score, at=row.at)
                    for row in rows)
        return records[::-1] if limit else records

    @bounded()
    async def forget_questions(self, *, before: datetime) -> int:
        result = await self._execute(sa.update(question_log).where(
            question_log.c.at < before, question_log.c.text != "").values(text=""))
        return result.rowcount

    @bounded()
    async def record_feedback(self, *, feedback: Feedback) -> None:
        await self._execute(sa.insert(feedback_votes).values(
            platform=feedback.platform, entry=feedback.entry, helpful=feedback.helpful,
            question=feedback.question, at=feedback.at or datetime.now(UTC)))

    @bounded()
    async def feedback_since(self, *, since: datetime) -> list[Feedback]:
        async with self.engine.connect() as connection:
            rows = (await connection.execute(sa.select(feedback_votes).where(
                feedback_votes.c.at >= since))).all()
        return [Feedback(platform=row.platform, entry=row.entry, helpful=row.helpful,
                         question=row.question, at=row.at) for row in rows]

    @bounded()
    async def feedback_count(self) -> int:
        async with self.engine.connect() as connection:
            return (await connection.execute(
                sa.select(sa.func.count()).select_from(feedback_votes))).scalar_one()
