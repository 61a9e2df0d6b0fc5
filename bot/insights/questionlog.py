"""The question log: each question and what it got, kept without slowing or breaking a reply.

`note` only appends to a bounded buffer in memory; a background task writes it to the store in
batches (`bot.storage.retention` blanks the text of questions older than `QUESTION_LOG_DAYS`). A store
that is down loses log lines (counted in `dropped`), never answers.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from bot.background import running
from bot.insights.records import asker_hash
from bot.messages import Message, Reply, ReplyKind
from bot.storage.errors import StoreRejected
from bot.storage.questions import QuestionRecord, Questions

log = logging.getLogger(__name__)
LOGGED = (ReplyKind.ANSWER, ReplyKind.SUGGESTIONS, ReplyKind.NOT_FOUND)
MAX_PENDING = 10_000


def log_key(*, configured: str | None) -> bytes:
    """QUESTION_LOG_KEY when set (distinct askers then count across restarts and instances);
    else a random key for this process, so hashes cannot be linked to anyone after it exits."""
    return configured.encode() if configured else secrets.token_bytes(32)


class QuestionLog:
    def __init__(self, *, store: Questions, key: bytes, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.key = key
        self.clock = clock
        self.dropped = 0
        self._pending: deque[QuestionRecord] = deque()

    def note(self, *, message: Message, reply: Reply) -> None:
        if reply.kind not in LOGGED or reply.question is None:
            return
        if len(self._pending) >= MAX_PENDING:
            self.dropped += 1
            return
        try:
            self._pending.append(QuestionRecord(
                platform=message.platform,
                asker=asker_hash(key=self.key, platform=message.platform, user_id=message.user_id),
                text=reply.question, outcome=reply.kind, entry=reply.entry,
                principle=reply.principle, score=round(reply.score, 1), at=self.clock()))
        except Exception:  # a log line is never worth a reply
            self.dropped += 1
            log.exception("question log: question not noted")

    async def flush(self) -> int:
        """Write what is pending. A batch the store is down for is dropped and counted; one it
        refuses is split until only the rows it refuses are dropped, never the good ones."""
        batch = list(self._pending)
        self._pending.clear()
        return await self._write(batch) if batch else 0

    async def _write(self, batch: list[QuestionRecord]) -> int:
        try:
            await self.store.record_questions(records=batch)
        except StoreRejected:
            if len(batch) > 1:
                half = len(batch) // 2
                return await self._write(batch[:half]) + await self._write(batch[half:])
            self.dropped += 1
            log.warning("question log: the store refused one question; the others are kept")
            return 0
        except Exception:
            self.dropped += len(batch)
            log.exception("question log: %d question(s) not recorded", len(batch))
            return 0
        return len(batch)

    async def run(self, *, interval: float = 2.0) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.flush()


def question_log_context(*, question_log: QuestionLog, interval: float = 2.0
                         ) -> Callable[[Any], AsyncIterator[None]]:
    """For `app.cleanup_ctx`: writes in the background, and what is pending at shutdown."""

    async def context(_app: Any) -> AsyncIterator[None]:
        async with running(question_log.run(interval=interval), name="guidance-bot questions"):
            yield
        await question_log.flush()

    return context
