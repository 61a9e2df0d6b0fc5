"""Matching off the event loop, on a fixed number of threads, several questions at a time.

The sentence encoder is arithmetic: on two cores, two threads each running one question's matrix
products keep both busy, while more threads (each also asking BLAS for every core) only take
turns. Questions that arrive while the threads are busy wait here and then go to the encoder
together, which reads a batch for a little less than the sum of its questions.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from bot.matching.matcher import Match, Matcher

BATCH = 16  # at most this many questions in one pass: a larger batch keeps the first waiting
# Questions waiting at most: about three seconds of answering on two cores. Past it a question is
# turned away at once (`Busy`): Slack acknowledges every event before answering, so without a
# bound a burst piles up answers, and memory, faster than they can be given.
WAITING = 200


class Busy(Exception):
    """Too many questions are already waiting; ask again shortly."""


class MatchQueue:
    def __init__(self, *, workers: int | None = None, waiting: int = WAITING) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.limit = waiting
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="matching")
        self._waiting: list[tuple[Matcher, str, asyncio.Future[Match]]] = []
        self._draining = 0  # kept by `_drain` itself: a done callback would run a turn too late
        self._tasks: set[asyncio.Task[None]] = set()

    async def match(self, *, matcher: Matcher, text: str) -> Match:
        """Raises `Busy` when `limit` questions are already waiting."""
        if len(self._waiting) >= self.limit:
            raise Busy
        future: asyncio.Future[Match] = asyncio.get_running_loop().create_future()
        self._waiting.append((matcher, text, future))
        if self._draining < self.workers:
            self._draining += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _drain(self) -> None:
        try:
            await self._drain_waiting()
        finally:
            self._draining -= 1

    async def _drain_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            matcher = self._waiting[0][0]  # one knowledge-base version per pass
            # Shared out, so every thread has work while questions wait.
            size = min(BATCH, -(-len(self._waiting) // self.workers))
            batch = [item for item in self._waiting if item[0] is matcher][:size]
            taken = {id(item) for item in batch}
            self._waiting = [item for item in self._waiting if id(item) not in taken]
            texts = [text for _, text, _ in batch]
            try:
                matches = await loop.run_in_executor(
                    self._executor, partial(matcher.match_many, texts=texts))
            except Exception as error:  # each asker's reply path reports it as for any failure
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, _, future), match in zip(batch, matches, strict=True):
                if not future.done():
                    future.set_result(match)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
