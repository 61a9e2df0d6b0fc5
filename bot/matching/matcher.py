"""Finding the knowledge-base entry a question is about: three signals, one decision.

- meaning: a sentence encoder's cosine between the question and each entry's title and questions,
  and its answer. It knows that "book annual leave" is about HR, not about a principle, and that
  "the MP's post" and "a politician's post" are one thing.
- words: BM25 over each entry's wordings, with typos resolved against its vocabulary by rapidfuzz,
  so a rare word the guidance uses ("purdah", "impartial") counts for what it is.
- wording: rapidfuzz's token-set likeness to an entry's own questions, for near-exact phrasings.

One score per entry adds them with a few weights, and one decision turns it into an answer, a
"did you mean", "not covered" by an outside entry, or nothing. The weights and thresholds are
fitted on the team's labelled questions and checked on sets held back from fitting
(`bench/fit.py`, `bench/quality.py`); no rule is written for a particular question.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.knowledge.loader import Entry, KnowledgeBase
from bot.matching.drafts import Draft, Segment, find_draft, segments
from bot.matching.spelling import Speller
from bot.text import normalise

if TYPE_CHECKING:
    from bot.matching.encoder import Encoder

MAX_QUESTION_CHARS = 2000
TYPO_CACHE = 20_000  # words outside the vocabulary remembered with what they resolve to
RAW_FULL = 2.0  # a raw score this high shows as 100
PLAUSIBLE = 0.15  # raw points behind the leader within which a suggestion is still plausible
SUPPORTERS = 4  # at most this many of a principle's best entries add up to its support
# The nearest labelled questions vote (`Matcher.vote`): this many, each weighted by
# exp(cosine / VOTE_TEMPERATURE); an entry's own title and questions vote too, at ENTRY_VOTE.
# Chosen by leaving each fitting set out in turn and voting with the others (docs/matching.md).
VOTERS = 10
VOTE_TEMPERATURE = 0.1
ENTRY_VOTE = 0.5

STOPWORDS = frozenset("""
a about above after again all also am an and any anything are as at be because been before being
below between both but by can cant could couldnt did didnt do does doesnt doing dont down during
each either else ever every few for from further get gets getting go going got had has have
having he her here hers herself him himself his how however i id if im in into is isnt it its
itself ive just let lets like ll may me might mine more most much must my myself need needs no
nor not now of off ok okay on once one only or other ought our ours ourselves out over own per
please re really s same shall she should shouldnt so some something still such t than thank
thanks that thats the their theirs them themselves then there these they thing things this
those though through thus to too u under until up upon us ve very via want wants was wasnt way
we were what whats when where whether which while who whom whose why will with within without
wont would wouldnt yes yet you your youre yours yourself yourselves hi hello hey best good
im allowed ok okay sure yeah kind sort bit lot lots
shud shd shld cud wud wld pls plz ur thx tho cos coz abt
""".split())  # the last line: chat spellings of the words above ("shud we be on youtube")

# Chat shorthand for words the guidance spells out, applied to both sides before stemming.
SHORTHAND = {"ppl": "people", "dept": "department", "depts": "departments", "doc": "document",
             "docs": "documents", "govt": "government", "msg": "message",
             "msgs": "messages", "pic": "picture", "pics": "pictures",
             "info": "information", "comms": "communications", "mgr": "manager"}

_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")
# Endings that swap rather than drop, so related forms meet: political/politics, impartiality/
# impartial, accountability/accountable.
_SWAPS = (("abilities", "able"), ("ability", "able"), ("alities", "al"), ("ality", "al"),
          ("ically", "ic"), ("ical", "ic"))


@lru_cache(maxsize=20_000)  # bounded; questions reuse a small vocabulary, and this is pure
def stem(word: str) -> str:
    """A deliberately small suffix stripper: applied to both sides, its mistakes cancel out."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix, replacement in _SWAPS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    else:
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                base = word[: -len(suffix)]
                return base + "y" if suffix in ("ies", "ied") else base
    # criticise/criticising, engage/engaging: the silent e goes, as the suffix took it
    return word[:-1] if word.endswith("e") else word


def content_words(text: str) -> list[str]:
    return [stem(SHORTHAND.get(w, w)) for w in normalise(text).split() if w not in STOPWORDS]


def _is_typo(word: str, *, of: str) -> bool:
    """Whether `word` is a slip for `of`, not another word a letter away: "send" is not "spend",
    "parent" not "arent", "popular" not "unpopular". Typos keep the first letter and are one edit
    in a short word, two in a long one; a short word is only ever a cut-short stem ("polic")."""
    if word[0] != of[0]:
        return False
    if len(word) <= 5:
        return of.startswith(word)
    return Levenshtein.distance(word, of) <= (1 if len(word) <= 7 else 2)


class Outcome(StrEnum):
    ANSWER = "answer"  # an entry of the guidance answers it
    SUGGEST = "suggest"  # unsure: offer the entries it plausibly meant
    OUTSIDE = "outside"  # a topic the guidance leaves alone: say so, and where to ask
    NONE = "none"  # nothing fits


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """The decision's dials, fitted by `bench/fit.py` on labelled questions.

    `answer`, `suggest` and `outside` are on the 0-100 score users see. The weights say how much an entry's
    answer text (`answer_weight`), shared rare words (`lexical_weight`) and near-exact wording
    (`fuzzy_weight`) add to the encoder's likeness of the question to the entry's own questions.
    A sentence of a long message that asks nothing counts `context_penalty` less than one that
    asks. A principle answers when its support reaches `answer`: its best entry's score plus
    `support` times its next three entries' (several entries of one principle that all fit are
    better evidence than one), scaled to 0-100. An outside entry within `outside_margin` of the
    best entry of the guidance means the guidance does not cover it. A pasted draft is checked
    against the conduct entries first (principle 6 leads by `draft_conduct`), since "is this ok
    to post" is what the Code answers.
    """

    answer: float = 43.0  # a principle's support, as the class says
    suggest: float = 44.2
    outside: float = 25.0  # an outside entry that leads says "not covered" from this score up
    answer_weight: float = 0.8
    lexical_weight: float = 0.4
    fuzzy_weight: float = 0.2
    context_penalty: float = 0.1
    outside_margin: float = -0.05
    draft_conduct: float = 0.35
    support: float = 0.5
    vote: float = 0.6  # the share of the examples' vote that overrules the entries' principle
    vote_to_answer: float = 0.8  # and that answers where the entries alone would not

    def raw(self, score: float) -> float:
        return score * RAW_FULL / 100

    def support_score(self, raw: float, *, supporters: int) -> float:
        """A principle's raw support on the 0-100 scale: 100 when all its supporters are full."""
        return 100 * raw / (RAW_FULL * (1 + self.support * (supporters - 1)))


@dataclass(frozen=True, kw_only=True)
class Scored:
    entry: Entry
    score: float  # 0 to 100
    meaning: float = 0.0  # the encoder's best cosine with the entry's title and questions
    words: float = 0.0  # BM25
    wording: float = 0.0  # rapidfuzz token-set likeness, 0 to 1


@dataclass(frozen=True, kw_only=True)
class Match:
    """The matcher's verdict; the core turns it into words."""

    outcome: Outcome
    best: Scored | None
    candidates: tuple[Scored, ...]
    draft: Draft | None = None

    @property
    def entry(self) -> Entry | None:
        """The entry the reply is made from: an answer's, or the outside entry that says the
        guidance does not cover this."""
        if self.best is None or self.outcome not in (Outcome.ANSWER, Outcome.OUTSIDE):
            return None
        return self.best.entry


@dataclass(frozen=True, kw_only=True)
class Signals:
    """Each signal's view of every entry (columns), for the message as a whole and each of its
    sentences (rows), and for a pasted draft's post and ask."""

    asks: np.ndarray  # per row: the whole message, or a sentence that asks
    meaning: np.ndarray  # best cosine with an entry's title and questions
    answer: np.ndarray  # cosine with an entry's answer
    words: np.ndarray  # BM25
    wording: np.ndarray  # the whole message's token-set likeness to an entry's wordings
    draft: Draft | None = None
    draft_meaning: np.ndarray  # no rows without a draft
    draft_answer: np.ndarray
    vote: np.ndarray  # the nearest examples' shares: [not covered, principle 1, ..., 6]


class _Words:
    """BM25 over each entry's wordings, with typos resolved against the vocabulary."""

    K1 = 1.2
    B = 0.75

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        counts = []
        for entry in entries:
            words: dict[str, int] = {}
            for text in (entry.title, *entry.questions, *entry.keywords, entry.answer):
                for word in content_words(text):
                    words[word] = words.get(word, 0) + 1
            counts.append(words)
        lengths = [sum(c.values()) for c in counts]
        average = sum(lengths) / max(1, len(lengths))
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, (words, length) in enumerate(zip(counts, lengths, strict=True)):
            norm = self.K1 * (1 - self.B + self.B * length / max(average, 1))
            for word, tf in words.items():
                postings.setdefault(word, []).append((index, tf * (self.K1 + 1) / (tf + norm)))
        n = len(entries)
        self._postings = {w: (np.array([i for i, _ in p]), np.array([s for _, s in p]),
                              math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)))
                          for w, p in postings.items()}
        self._vocabulary = list(postings)
        self._typos: dict[str, str | None] = {}
        self._size = n

    def resolve(self, word: str) -> str | None:
        """The vocabulary word meant by `word`, forgiving a typo; None when no entry uses it."""
        if word in self._postings:
            return word
        if len(word) < 4:
            return None
        if word in self._typos:
            return self._typos[word]
        if word.endswith("s") and word[:-1] in self._postings:
            return word[:-1]
        found = process.extract(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=84,
                                processor=None, limit=5)
        if len(self._typos) >= TYPO_CACHE:
            self._typos.clear()  # bounded: unusual words cannot grow it without limit
        self._typos[word] = next((known for known, _, _ in found if _is_typo(word, of=known)), None)
        return self._typos[word]

    def scores(self, text: str) -> np.ndarray:
        result = np.zeros(self._size)
        for word in dict.fromkeys(content_words(text)):
            if (known := self.resolve(word)) is not None:
                indices, weights, idf = self._postings[known]
                result[indices] += idf * weights
        return result


class Matcher:
    """An index of one knowledge-base version: built once (embedding every entry's wordings),
    then asked anything. The encoder is shared by every version."""

    def __init__(self, *, knowledge: KnowledgeBase, encoder: Encoder,
                 thresholds: Thresholds | None = None) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self._encoder = encoder
        self._entries = knowledge.entries
        asked: list[str] = []
        self._starts: list[int] = []
        self._exact: dict[str, int] = {}
        for index, entry in enumerate(self._entries):
            self._starts.append(len(asked))
            asked.extend((entry.title, *entry.questions))
            for question in entry.questions:
                self._exact.setdefault(normalise(question), index)
        self._asked = encoder.encode_stored(asked).T.copy()
        self._answers = encoder.encode_stored([e.answer for e in self._entries]).T.copy()
        self._wordings = [normalise(text) for text in asked]
        self._words = _Words(self._entries)
        self._speller = Speller(guidance=[*asked, *(e.answer for e in self._entries)],
                                model=encoder.vocabulary())
        self._outside = np.array([e.outside for e in self._entries])
        self._conduct = np.array([e.principle == 6 for e in self._entries])
        principles = {e.principle for e in self._entries if not e.outside and e.principle is not None}
        self._groups = {p: np.flatnonzero([e.principle == p and not e.outside for e in self._entries])
                        for p in sorted(principles)}
        # As many supporters as every principle has, so none is favoured for having more entries.
        self._supporters = min([SUPPORTERS, *(len(group) for group in self._groups.values())])
        self._voters, self._votes = self._electorate(knowledge, encoder)

    def _electorate(self, knowledge: KnowledgeBase, encoder: Encoder) -> tuple[np.ndarray, np.ndarray]:
        """Who votes: each example's vector with its label row (column 0 "not covered", then the
        principles, split evenly where an example accepts several), then every entry wording.
        Without examples nobody votes, and the entries alone decide."""
        if not knowledge.examples:
            return np.zeros((0, self._asked.shape[0])), np.zeros((0, 7))
        rows = [encoder.encode_stored([e.text for e in knowledge.examples]), self._asked.T]
        labels = []
        for example in knowledge.examples:
            label = np.zeros(7)
            label[list(example.principles) or [0]] = 1 / max(1, len(example.principles))
            labels.append(label)
        wordings = np.diff([*self._starts, self._asked.shape[1]])  # each entry's title and questions
        for entry, count in zip(self._entries, wordings, strict=True):
            label = np.zeros(7)
            label[0 if entry.outside or entry.principle is None else entry.principle] = ENTRY_VOTE
            labels.extend([label] * int(count))
        return np.vstack(rows), np.array(labels)

    def vote(self, vectors: np.ndarray) -> np.ndarray:
        """Each message's shares of its nearest voters' vote (`vectors`: one row per message);
        all zero where nobody votes."""
        if not len(self._voters):
            return np.zeros((len(vectors), 7))
        similarity = vectors @ self._voters.T
        nearest = np.argsort(-similarity, axis=1)[:, :VOTERS]
        weights = np.exp(np.take_along_axis(similarity, nearest, axis=1) / VOTE_TEMPERATURE)
        votes = np.einsum("mk,mkc->mc", weights, self._votes[nearest])
        return votes / np.maximum(votes.sum(axis=1, keepdims=True), 1e-12)

    def match(self, *, text: str, exact: bool = True) -> Match:
        """`exact=False` skips the shortcut for a question asked exactly as an entry has it, so
        reload can see what the signals alone find."""
        return self.match_many(texts=[text], exact=exact)[0]

    def match_many(self, *, texts: Sequence[str], exact: bool = True) -> list[Match]:
        """Several questions at once, as `match` answers each: the encoder reads all their
        sentences in one pass, which costs little more than reading one."""
        found: list[Match | None] = []
        asked: list[str] = []
        for text in texts:
            text = text[:MAX_QUESTION_CHARS]
            folded = normalise(text)
            if not folded or not self._entries:
                found.append(Match(outcome=Outcome.NONE, best=None, candidates=()))
            elif exact and (index := self._exact.get(folded)) is not None:
                best = Scored(entry=self._entries[index], score=100.0, meaning=1.0, wording=1.0)
                outcome = Outcome.OUTSIDE if best.entry.outside else Outcome.ANSWER
                found.append(Match(outcome=outcome, best=best, candidates=(best,)))
            else:
                found.append(None)
                asked.append(text)
        decided = iter([self.decide(signals) for signals in self.signals_many(texts=asked)])
        return [match if match is not None else next(decided) for match in found]

    def signals(self, *, text: str) -> Signals:
        """What each signal says of every entry, before any weight is applied."""
        return self.signals_many(texts=[text])[0]

    def signals_many(self, *, texts: Sequence[str]) -> list[Signals]:
        if not texts:
            return []
        read: list[tuple[Draft | None, tuple[Segment, ...], slice]] = []
        encoded: list[str] = []
        for text in texts:
            draft = find_draft(text)
            parts = segments(text)
            extra = (draft.post, draft.ask) if draft else ()
            start = len(encoded)
            encoded.extend(self._speller.respell(t) for t in (*(p.text for p in parts), *extra))
            read.append((draft, parts, slice(start, len(encoded))))
        vectors = self._encoder.encode(encoded)
        meanings = np.maximum.reduceat(vectors @ self._asked, self._starts, axis=1)
        answers = vectors @ self._answers
        votes = self.vote(vectors[[rows.start for _, _, rows in read]])
        likeness = process.cdist([normalise(self._speller.respell(t)) for t in texts], self._wordings,
                                 scorer=fuzz.token_set_ratio, processor=None, dtype=np.float32) / 100
        signals = []
        for (draft, parts, rows), text_likeness, vote in zip(read, likeness, votes, strict=True):
            meaning, answer, respelt = meanings[rows], answers[rows], encoded[rows]
            n = len(parts)
            signals.append(Signals(
                asks=np.array([p.asks for p in parts]), meaning=meaning[:n], answer=answer[:n],
                words=np.array([self._words.scores(t) for t in respelt[:n]]),
                wording=np.maximum.reduceat(text_likeness, self._starts), draft=draft,
                draft_meaning=meaning[n:], draft_answer=answer[n:], vote=vote))
        return signals

    def decide(self, signals: Signals, *, thresholds: Thresholds | None = None) -> Match:
        """The one decision: answer, suggest, outside or none. Pure, so fitting can replay it."""
        limits = thresholds or self.thresholds
        scores = self._scores(signals, limits)
        match = self._decide_by_entries(signals, limits, scores)
        leader = int(signals.vote.argmax())
        if signals.vote[leader] < limits.vote or not self._entries:
            return match
        if leader == 0:  # people asked this kind of thing, and it is not covered
            if match.outcome in (Outcome.ANSWER, Outcome.SUGGEST):
                outside = [c for c in match.candidates if c.entry.outside]
                if outside:
                    return Match(outcome=Outcome.OUTSIDE, best=outside[0], candidates=match.candidates)
                return Match(outcome=Outcome.NONE, best=match.best, candidates=match.candidates)
            return match
        if match.outcome is Outcome.ANSWER and match.best is not None and (
                match.best.entry.principle == leader):
            return match
        if match.outcome is not Outcome.ANSWER and signals.vote[leader] < limits.vote_to_answer:
            return match
        group = self._groups.get(leader)
        if group is None:
            return match
        chosen = self._scored(int(group[np.argmax(scores[group])]), scores, signals)
        others = [c for c in match.candidates if c.entry is not chosen.entry and not c.entry.outside]
        return Match(outcome=Outcome.ANSWER, best=chosen, candidates=(chosen, *others[:3]),
                     draft=signals.draft)

    def _scores(self, signals: Signals, limits: Thresholds) -> np.ndarray:
        """Each entry's score from the three signals, best over the message's rows."""
        combined = (signals.meaning + limits.answer_weight * signals.answer
                    + limits.lexical_weight * np.minimum(signals.words / 10, 1.5))
        combined[0] += limits.fuzzy_weight * np.maximum(signals.wording - 0.8, 0) / 0.2
        combined -= np.where(signals.asks, 0.0, limits.context_penalty)[:, None]
        return combined.max(0)

    def _decide_by_entries(self, signals: Signals, limits: Thresholds, scores: np.ndarray) -> Match:
        inside = np.where(self._outside, -np.inf, scores)
        if signals.draft is not None and not self._outside.all():
            post = (signals.draft_meaning + limits.answer_weight * signals.draft_answer).max(0)
            checked = np.maximum(inside, np.where(self._outside, -np.inf, post))
            ranked = self._ranked(checked + limits.draft_conduct * self._conduct, signals)
            return Match(outcome=Outcome.ANSWER, best=ranked[0], candidates=tuple(ranked[:4]),
                         draft=signals.draft)
        ranked = self._ranked(scores, signals)
        leader = float(inside.max())
        outside = float(np.where(self._outside, scores, -np.inf).max())
        covered = outside <= leader - limits.outside_margin
        guidance = [s for s in ranked if not s.entry.outside]
        support, best_index = self._support(inside, limits)
        if covered and support >= limits.answer:
            chosen = self._scored(best_index, scores, signals)
            others = [s for s in guidance if s.entry is not chosen.entry]
            return Match(outcome=Outcome.ANSWER, best=chosen, candidates=(chosen, *others[:3]))
        # Unsure, and a topic the guidance leaves alone fits about as well: say so, and where to
        # ask, rather than offer principles that merely share the question's words.
        if outside >= max(limits.raw(limits.outside), leader - PLAUSIBLE):
            best = self._scored(int(np.where(self._outside, scores, -np.inf).argmax()), scores, signals)
            return Match(outcome=Outcome.OUTSIDE, best=best, candidates=(best, *guidance[:3]))
        floor = max(limits.suggest, guidance[0].score - 100 * PLAUSIBLE / RAW_FULL) if guidance else 0
        plausible = [s for s in guidance if s.score >= floor]
        if plausible:
            return Match(outcome=Outcome.SUGGEST, best=plausible[0], candidates=tuple(plausible[:3]))
        return Match(outcome=Outcome.NONE, best=ranked[0], candidates=tuple(ranked[:4]))

    def _support(self, inside: np.ndarray, limits: Thresholds) -> tuple[float, int]:
        """The best-supported principle's support (0-100) and its best entry's index."""
        best_support, best_entry = -np.inf, -1
        for group in self._groups.values():
            order = group[np.argsort(-inside[group], kind="stable")[:self._supporters]]
            raw = inside[order[0]] + limits.support * inside[order[1:]].sum()
            support = limits.support_score(float(raw), supporters=self._supporters)
            if support > best_support:
                best_support, best_entry = support, int(order[0])
        return best_support, best_entry

    def _ranked(self, scores: np.ndarray, signals: Signals) -> list[Scored]:
        order = np.argsort(-scores, kind="stable")[:8]
        return [self._scored(int(i), scores, signals) for i in order if np.isfinite(scores[i])]

    def _scored(self, index: int, scores: np.ndarray, signals: Signals) -> Scored:
        return Scored(entry=self._entries[index],
                      score=float(np.clip(100 * scores[index] / RAW_FULL, 0, 100)),
                      meaning=float(signals.meaning[:, index].max()),
                      words=float(signals.words[:, index].max()),
                      wording=float(signals.wording[index]))
