"""Learning from what staff ask: the summaries admins read of the question log's records
(`bot.storage.questions` keeps them).

Privacy by default: no user id is kept, only a keyed hash to count distinct askers, and question
text is purged after `QUESTION_LOG_DAYS`.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.messages import ReplyKind
from bot.storage.questions import Feedback, QuestionRecord
from bot.text import normalise

SIMILAR = 80


def asker_hash(*, key: bytes, platform: str, user_id: str) -> str:
    return hmac.new(key, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class QuestionGroup:
    example: str
    count: int
    askers: int


MAX_WORDINGS = 5_000  # distinct wordings grouped, the most asked first; the rest are not listed
MAX_CANDIDATES = 16  # groups a wording is compared with: those sharing the most of its words
COMMON_KEY = 16  # of a word key shared by more groups, only its most asked are candidates


@dataclass(kw_only=True)
class _Wording:
    example: str
    count: int = 0
    askers: set[str] = field(default_factory=set)


@dataclass(kw_only=True)
class _Group:
    example: str
    count: int
    askers: set[str]


def _keys(folded: str) -> set[str]:
    """What two similar wordings very likely share: each word, cut to its first four letters so
    that most typos and plurals ("parkng", "permits") still meet."""
    return {word[:4] for word in folded.split()}


def unanswered(records: Iterable[QuestionRecord], *, limit: int = 10) -> list[QuestionGroup]:
    """The most frequent questions that got suggestions or nothing, similar wordings together.

    Near-linear: identical wordings are counted first; then each distinct wording, the most asked
    first, is compared only with the few groups that share most of its words (rare words
    weighing more), never with every group, and at most `MAX_WORDINGS` wordings are grouped.
    Comparing every question with every group took 11.6 s for 2,400 questions.
    """
    wordings: dict[str, _Wording] = {}
    for record in records:
        if record.outcome == ReplyKind.ANSWER:
            continue
        folded = normalise(record.text)
        wording = wordings.get(folded)
        if wording is None:
            wording = wordings[folded] = _Wording(example=record.text)
        wording.count += 1
        wording.askers.add(record.asker)
    ranked = sorted(wordings.items(), key=lambda item: -item[1].count)[:MAX_WORDINGS]
    groups: list[_Group] = []
    leaders: list[str] = []
    index: dict[str, list[int]] = defaultdict(list)
    for folded, wording in ranked:
        keys = _keys(folded)
        shared: dict[int, float] = defaultdict(float)
        for key in keys:
            posting = index.get(key)
            if posting:
                weight = 1.0 / len(posting)  # a rare word shared counts for more
                for number in posting[:COMMON_KEY]:  # of a common one, the most asked groups
                    shared[number] += weight
        candidates = heapq.nlargest(MAX_CANDIDATES, shared, key=shared.__getitem__)
        best = process.extractOne(folded, [leaders[n] for n in candidates],
                                  scorer=fuzz.token_set_ratio, score_cutoff=SIMILAR)
        if best is not None:
            group = groups[candidates[best[2]]]
            group.count += wording.count
            group.askers |= wording.askers
            continue
        number = len(groups)
        groups.append(_Group(example=wording.example, count=wording.count,
                             askers=set(wording.askers)))
        leaders.append(folded)
        for key in keys:
            index[key].append(number)
    top = sorted(groups, key=lambda g: -g.count)[:limit]
    return [QuestionGroup(example=g.example, count=g.count, askers=len(g.askers)) for g in top]


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
        answered=outcomes[ReplyKind.ANSWER], suggested=outcomes[ReplyKind.SUGGESTIONS],
        not_covered=outcomes[ReplyKind.NOT_FOUND], helpful=votes[True], not_helpful=votes[False],
        by_platform=dict(Counter(r.platform for r in records).most_common()),
        by_principle=dict(sorted(Counter(r.principle for r in records
                                         if r.principle is not None).items())),
    )
