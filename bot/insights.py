"""Learning from what staff ask: the question log's records and the summaries admins read.

Privacy by default: no user id is kept, only a keyed hash to count distinct askers, and question
text is purged after `QUESTION_LOG_DAYS`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz

from bot.store import Feedback
from bot.text import normalise

SIMILAR = 80


@dataclass(frozen=True, kw_only=True)
class QuestionRecord:
    platform: str
    asker: str  # a keyed hash of the user id, never the id itself
    text: str
    outcome: str  # "answer", "suggestions" or "not_found"
    entry: str | None
    principle: int | None
    score: float
    at: datetime


def asker_hash(*, key: bytes, platform: str, user_id: str) -> str:
    return hmac.new(key, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class QuestionGroup:
    example: str
    count: int
    askers: int


def unanswered(records: Iterable[QuestionRecord], *, limit: int = 10) -> list[QuestionGroup]:
    """The most frequent questions that got suggestions or nothing, similar wordings together."""
    groups: list[tuple[str, str, list[QuestionRecord]]] = []  # (folded, example, members)
    for record in records:
        if record.outcome == "answer":
            continue
        folded = normalise(record.text)
        for group_folded, _, members in groups:
            if fuzz.token_set_ratio(folded, group_folded) >= SIMILAR:
                members.append(record)
                break
        else:
            groups.append((folded, record.text, [record]))
    ranked = sorted(groups, key=lambda g: -len(g[2]))[:limit]
    return [QuestionGroup(example=example, count=len(members),
                          askers=len({m.asker for m in members}))
            for _, example, members in ranked]


@dataclass(frozen=True, kw_only=True)
class Stats:
    questions: int
    askers: int
    answered: int
    suggested: int
    not_covered: int
    helpful: int
    not_helpful: int
    by_platform: dict[str, int]
    by_principle: dict[int, int]

    @property
    def answer_rate(self) -> float:
        return self.answered / self.questions if self.questions else 0.0

    @property
    def helpful_rate(self) -> float:
        votes = self.helpful + self.not_helpful
        return self.helpful / votes if votes else 0.0


def stats(records: Iterable[QuestionRecord], feedback: Iterable[Feedback]) -> Stats:
    records = list(records)
    outcomes = Counter(r.outcome for r in records)
    votes = Counter(f.helpful for f in feedback)
    return Stats(
        questions=len(records), askers=len({r.asker for r in records}),
        answered=outcomes["answer"], suggested=outcomes["suggestions"],
        not_covered=outcomes["not_found"], helpful=votes[True], not_helpful=votes[False],
        by_platform=dict(Counter(r.platform for r in records).most_common()),
        by_principle=dict(sorted(Counter(r.principle for r in records
                                         if r.principle is not None).items())),
    )
