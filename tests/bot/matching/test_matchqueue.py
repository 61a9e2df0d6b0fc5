"""Matching on a fixed number of threads, questions that wait batched together."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.matching.queue import MatchQueue
from tests.bot.matching.test_matcher import LEAVE, PARTNERS, POLITICS, knowledge_with

QUESTIONS = ["Am I allowed to tweet what I think about the parties?",
             "can i shaer my politcal opinons on twiter",
             "what's the process for requesting a day of annual leave?",
             "Can I work with a charity on a joint campaign? They have lots of followers.",
             "", "the weather is nice today"]


@pytest.fixture(scope="module")
def matcher(encoder):
    from bot.matching.matcher import Matcher

    return Matcher(knowledge=knowledge_with(POLITICS, PARTNERS, LEAVE), encoder=encoder)


def verdict(match):
    return match.outcome, match.entry.id if match.entry else None, match.best.score if match.best else None


def test_a_batch_decides_each_question_as_it_would_be_decided_alone(matcher):
    alone = [verdict(matcher.match(text=q)) for q in QUESTIONS]
    together = [verdict(m) for m in matcher.match_many(texts=QUESTIONS)]
    assert [(o, e) for o, e, _ in together] == [(o, e) for o, e, _ in alone]
    for (_, _, a), (_, _, b) in zip(alone, together, strict=True):
        assert a == pytest.approx(b, abs=0.01) if a is not None else b is None


async def test_questions_asked_at_once_each_get_their_own_match(matcher):
    queue = MatchQueue(workers=2)
    try:
        got = await asyncio.gather(*(queue.match(matcher=matcher, text=q) for q in QUESTIONS * 3))
    finally:
        queue.close()
    expected = [verdict(matcher.match(text=q))[:2] for q in QUESTIONS * 3]
    assert [verdict(m)[:2] for m in got] == expected


class Recording:
    """A matcher that notes how many threads are inside it at once and what each batch held."""

    def __init__(self, *, fail_on: str | None = None) -> None:
        self.inside = 0
        self.most = 0
        self.batches: list[list[str]] = []
        self.fail_on = fail_on
        self._lock = threading.Lock()
        self.release = threading.Event()

    def match_many(self, *, texts):
        with self._lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
            self.batches.append(list(texts))
        self.release.wait(5)
        with self._lock:
            self.inside -= 1
        if self.fail_on in texts:
            raise RuntimeError("matching failed")
        return [f"match of {t}" for t in texts]


async def test_no_more_threads_match_at_once_than_the_queue_has_and_waiting_questions_go_together():
    recording = Recording()
    queue = MatchQueue(workers=2)
    try:
        asked = [asyncio.create_task(queue.match(matcher=recording, text=f"q{i}")) for i in range(10)]
        for _ in range(500):
            if len(recording.batches) == 2:
                break
            await asyncio.sleep(0.01)
        recording.release.set()
        answers = await asyncio.gather(*asked)
    finally:
        queue.close()
    assert answers == [f"match of q{i}" for i in range(10)]
    assert recording.most == 2  # both threads had work while questions waited
    assert len(recording.batches) < 10  # the questions that waited went in together
    assert sorted(t for batch in recording.batches for t in batch) == sorted(f"q{i}" for i in range(10))


async def test_a_failed_batch_fails_its_askers_and_the_queue_goes_on():
    recording = Recording(fail_on="bad")
    recording.release.set()
    queue = MatchQueue(workers=1)
    try:
        with pytest.raises(RuntimeError, match="matching failed"):
            await queue.match(matcher=recording, text="bad")
        assert await queue.match(matcher=recording, text="good") == "match of good"
    finally:
        queue.close()


async def test_past_its_limit_the_queue_turns_a_question_away_at_once_and_takes_them_again_after():
    from bot.matching.queue import Busy

    recording = Recording()
    queue = MatchQueue(workers=1, waiting=3)
    try:
        first = asyncio.create_task(queue.match(matcher=recording, text="q0"))
        for _ in range(500):  # q0 is inside the matcher; three more may wait
            if recording.batches:
                break
            await asyncio.sleep(0.01)
        waiting = [asyncio.create_task(queue.match(matcher=recording, text=f"q{i}"))
                   for i in range(1, 4)]
        await asyncio.sleep(0)
        with pytest.raises(Busy):
            await queue.match(matcher=recording, text="one too many")
        recording.release.set()
        answers = await asyncio.gather(first, *waiting)
        assert answers == [f"match of q{i}" for i in range(4)]
        assert await queue.match(matcher=recording, text="later") == "match of later"
    finally:
        recording.release.set()
        queue.close()
