"""The matcher the bot shipped before the encoder (bot/matching/matcher.py at 7be864b), kept unchanged as
bench/quality.py's "old" yardstick: hand-tuned rapidfuzz rules over a small word index.

Finding the knowledge-base entry a question is about.

Two signals, both from rapidfuzz and a small word index built once per knowledge-base version:
- coverage: how much of the question's meaningful wording (weighted by rarity) the entry's own
  words account for, typos forgiven by fuzzy word lookup. Questions about annual leave or taxis
  have words the guidance never uses, so their coverage stays low and the bot says it does not
  know instead of guessing.
- likeness: how close the question is, as a whole, to the entry's closest variant.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.knowledge.loader import Entry, KnowledgeBase
from bot.text import normalise

MAX_QUESTION_CHARS = 2000
VOTERS = 5  # the leading entries that vote on the principle
VOTE_MARGIN = 30.0  # points behind the leader within which an entry still votes
TYPO_CACHE = 20_000  # words outside the vocabulary remembered with what they resolve to

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

# Chat shorthand for words the guidance spells out, applied to both sides before stemming, so
# "leaked doc from another dept" meets "leaking documents" and "ppl" meets "people". Short words
# are never typo-corrected (too many real words are a letter apart), so they need naming here.
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


# Words that say a question is about social media, not which part of it: platforms, posting,
# accounts. Every outside entry is about social media too, so once a keyword has found one, it
# accounts for these words as the guidance's entries do (`Matcher._cover_platform_words`).
PLATFORM_WORDS = frozenset(stem(w) for w in """
facebook twitter x instagram linkedin tiktok youtube whatsapp snapchat threads bluesky mastodon
reddit post posts posting tweet tweets account accounts page social media online
""".split())


def content_words(text: str) -> list[str]:
    return _content_words_of(normalise(text))


def _content_words_of(folded: str) -> list[str]:
    """`content_words` of text already through `normalise`, which a question needs only once."""
    return [stem(SHORTHAND.get(w, w)) for w in folded.split() if w not in STOPWORDS]


class _WordSets:
    """An entry's variants as word sets, to spot cheaply when token_set_ratio must be 100.

    token_set_ratio is 100 exactly when the two sides share a word and one side's words contain
    the other's. A quarter of scored entries are like that, and a set check finds it several
    times faster than rapidfuzz. Only the smallest variants can fall inside a question and only
    the largest can hold one, so the rest are dropped; one-word variants (keywords) are a set.
    """

    def __init__(self, variants: list[str]) -> None:
        sets = set(map(frozenset, (v.split() for v in variants)))
        smallest = [s for s in sets if not any(other < s for other in sets)]
        self.words = frozenset(w for s in sets for w in s)
        self.single = frozenset(w for s in smallest if len(s) == 1 for w in s)
        self.several = [s for s in smallest if len(s) > 1]
        self.largest = [s for s in sets if not any(s < other for other in sets)]

    def surely_alike(self, query: frozenset[str]) -> bool:
        """True when some variant's words are all in `query`, or all of `query`'s in a variant."""
        return (not self.single.isdisjoint(query)
                or any(s <= query for s in self.several)
                or (query <= self.words and any(query <= s for s in self.largest)))


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """The dials of the matcher; the defaults are tuned on the evaluation questions (bench/quality.py).

    `answer` and `suggest` apply to the 0-100 score. `min_evidence` (`suggest_evidence`) is how
    much rare, on-topic wording (summed inverse document frequency) a question must share with
    an entry before the bot answers (suggests), so that one common word ("team", "post") never
    makes an answer by itself. A question worded almost exactly like an entry's (`sure`) needs only
    the suggestion-level evidence: "how can we be more open with the public" uses only common words.
    Unknown words count `unknown_weight` times the rarest word's weight against coverage: long
    questions carry context the guidance never mentions, and that alone should not sink them.
    """

    answer: float = 40.0
    suggest: float = 35.0
    min_evidence: float = 4.0
    suggest_evidence: float = 3.0
    sure: float = 95.0  # a near-perfect match answers on suggestion-level evidence
    unknown_weight: float = 0.5
    coverage_weight: float = 0.8


@dataclass(frozen=True, kw_only=True)
class Scored:
    entry: Entry
    score: float  # 0 to 100
    coverage: float  # 0 to 1
    likeness: float  # 0 to 100
    evidence: float  # summed weight of the question's words the entry knows


@dataclass(frozen=True, kw_only=True)
class Match:
    """The matcher's verdict; the core turns it into words."""

    outcome: str  # "answer", "suggest" or "none"
    best: Scored | None
    candidates: tuple[Scored, ...]

    @property
    def entry(self) -> Entry | None:
        """The entry the reply is made from: the answer's, or an outside entry that leads even
        when the match is unsure, since saying "the guidance doesn't cover this" claims nothing
        about the guidance that could be wrong, and "did you mean" would offer only principles
        that share the question's words."""
        if self.best is None or self.outcome == "none":
            return None
        if self.outcome == "answer" or self.best.entry.outside:
            return self.best.entry
        return None


def _is_typo(word: str, *, of: str) -> bool:
    """Whether `word` is a slip for `of`, not another word a letter away: "send" is not "spend",
    "parent" not "arent", "popular" not "unpopular". Typos keep the first letter and are one edit
    in a short word, two in a long one; a short word is only ever a cut-short stem ("polic")."""
    if word[0] != of[0]:
        return False
    if len(word) <= 5:
        return of.startswith(word)
    return Levenshtein.distance(word, of) <= (1 if len(word) <= 7 else 2)


class Matcher:
    """An index of one knowledge-base version: build it once, then ask it anything.

    Only entries that share at least one word with a question can reach the suggestion
    threshold, so an inverted index picks the few worth comparing and large knowledge bases
    cost little more than small ones.
    """

    CANDIDATES = 40

    def __init__(self, *, knowledge: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self._entries = knowledge.entries
        self._variants: list[list[str]] = []
        self._word_sets: list[_WordSets] = []
        self._exact: dict[str, int] = {}
        self._worded: dict[frozenset[str], set[int]] = {}  # a variant's words -> entries with it
        self._outside_words: dict[int, frozenset[str]] = {}  # an outside entry's keyword words
        postings: dict[str, list[int]] = {}
        for index, entry in enumerate(self._entries):
            words: set[str] = set()
            variants = []
            for text in (*entry.questions, entry.title, *entry.keywords):
                stems = content_words(text)
                words.update(stems)
                if stems:
                    variants.append(" ".join(stems))
                    if not entry.outside:
                        self._worded.setdefault(frozenset(stems), set()).add(index)
            self._variants.append(variants)
            self._word_sets.append(_WordSets(variants))
            for question in entry.questions:
                self._exact.setdefault(normalise(question), index)
            if entry.outside:
                # Found only by its keywords. Its questions show how staff ask and judge how
                # alike a question is, but their "team", "page", "long" or "Twitter" would pull
                # questions about the guidance toward a topic it leaves alone.
                words = {w for keyword in entry.keywords for w in content_words(keyword)}
                self._outside_words[index] = frozenset(words)
            for word in words:
                postings.setdefault(word, []).append(index)
        self._postings = postings
        # Rarity is measured among the guidance's own entries, so adding outside entries never
        # changes what a guidance word weighs: more entries would make every word rarer (a word
        # of one entry alone would clear `min_evidence` by itself), and "video" in an outside
        # entry would make it weaker evidence for the entries that answer about video. A word
        # only outside entries use is weighed by how many of them use it.
        count = max(1, sum(not entry.outside for entry in self._entries))

        def spread(found: list[int]) -> int:
            return sum(not self._entries[i].outside for i in found) or len(found)

        self._idf = {w: math.log(1 + count / spread(found)) for w, found in postings.items()}
        self._unknown_weight = self.thresholds.unknown_weight * math.log(1 + count)
        self._vocabulary = list(postings)
        self._typos: dict[str, str | None] = {}

    def _resolve(self, word: str) -> str | None:
        """The index word meant by `word`, forgiving a typo; None when the guidance never uses it."""
        if word in self._idf:
            return word
        if len(word) < 4:
            return None
        if word in self._typos:
            return self._typos[word]
        if word.endswith("s") and word[:-1] in self._idf:
            return word[:-1]
        found = process.extract(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=84,
                                processor=None, limit=5)
        if len(self._typos) >= TYPO_CACHE:
            self._typos.clear()  # bounded: unusual words cannot grow it without limit
        self._typos[word] = next((known for known, _, _ in found if _is_typo(word, of=known)), None)
        return self._typos[word]

    def match(self, *, text: str, exact: bool = True) -> Match:
        """`exact=False` skips the shortcuts for a question asked exactly as an entry has it, in
        its characters or in its words (`_worded_exactly`), so reload can see what wording alone finds."""
        folded = normalise(text[:MAX_QUESTION_CHARS])
        if exact and (index := self._exact.get(folded)) is not None:
            found = Scored(entry=self._entries[index], score=100.0, coverage=1.0, likeness=100.0,
                           evidence=self._unknown_weight)
            return Match(outcome="answer", best=found, candidates=(found,))
        words = list(dict.fromkeys(_content_words_of(folded)))
        if not words:
            return Match(outcome="none", best=None, candidates=())
        resolved = [(w, self._resolve(w)) for w in words]
        weights = [self._idf[r] if r else self._unknown_weight for _, r in resolved]
        total = sum(weights)
        covered: dict[int, float] = {}
        for (_, known), weight in zip(resolved, weights, strict=True):
            for index in self._postings.get(known, ()) if known else ():
                covered[index] = covered.get(index, 0.0) + weight
        if not covered:
            return Match(outcome="none", best=None, candidates=())
        self._cover_platform_words(covered, resolved, weights)
        query = " ".join(r or w for w, r in resolved)
        query_words = frozenset(query.split())
        scored = []
        limits = self.thresholds
        leaders: list[float] = []  # the best VOTERS scores of voters so far, as a min-heap
        for index in heapq.nlargest(self.CANDIDATES, covered, key=covered.__getitem__):
            coverage = min(1.0, covered[index] / total)
            ceiling = 100 * (limits.coverage_weight * coverage + 1 - limits.coverage_weight)
            if len(leaders) == VOTERS and ceiling < leaders[0]:
                break  # by coverage order, no later entry can reach the leaders either
            if self._word_sets[index].surely_alike(query_words):
                likeness = 100.0  # what rapidfuzz would say, at a fraction of the cost
            else:
                found = process.extractOne(query, self._variants[index],
                                           scorer=fuzz.token_set_ratio, processor=None)
                likeness = float(found[1]) if found else 0.0
            score = 100 * (limits.coverage_weight * coverage
                           + (1 - limits.coverage_weight) * likeness / 100)
            scored.append(Scored(entry=self._entries[index], coverage=coverage, likeness=likeness,
                                 evidence=covered[index], score=score))
            if self._entries[index].outside:
                continue  # it may lead, but it is not a voter, so it never holds a voter's place
            if len(leaders) < VOTERS:
                heapq.heappush(leaders, score)
            elif score > leaders[0]:
                heapq.heapreplace(leaders, score)
        # Ties go to the specific entry over its principle, and to what the guidance says over an
        # outside entry: "not covered" must be the better fit, not an equal one.
        scored.sort(key=lambda s: (-s.score, s.entry.outside, s.entry.kind == "principle"))
        if exact and (worded := self._worded_exactly(query_words, scored)) is not None:
            return Match(outcome="answer", best=worded, candidates=tuple(scored[:4]))
        top = scored[0]
        if ((top.score >= limits.answer and top.evidence >= limits.min_evidence) or (
            top.score >= limits.sure and top.evidence >= limits.suggest_evidence
        )) and not self._contested(scored):
            # An outside entry in the lead is the verdict itself: the guidance does not cover
            # this, whatever principles the runners-up would vote for.
            best = (top if top.score >= limits.sure or top.entry.outside
                    else self._best_of_leading_principle(scored))
            return Match(outcome="answer", best=best,
                         candidates=tuple(scored[:4]))
        if top.score >= limits.suggest and top.evidence >= limits.suggest_evidence:
            return Match(outcome="suggest", best=top, candidates=tuple(scored[:4]))
        return Match(outcome="none", best=top, candidates=tuple(scored[:4]))

    def _cover_platform_words(self, covered: dict[int, float],
                              resolved: list[tuple[str, str | None]], weights: list[float]) -> None:
        """Let the outside entries a keyword found account for the question's platform words.

        An outside entry is found only by its keywords, so in "my personal facebook got hacked"
        it accounted for "hacked" alone, while an entry of the guidance that happens to list
        "personal", "facebook" and "post" took the rest and the lead, and the bot answered with a
        principle. Platforms and posting are what every outside topic is about, as much as any
        entry of the guidance; they say nothing about which topic is meant, so both kinds of entry
        now count them. An outside entry no keyword found gains nothing, so a question about the
        guidance that shares no keyword with one is never pulled toward it.
        """
        found = [i for i in covered if i in self._outside_words]
        if not found:
            return
        platform = [(known, weight) for (_, known), weight in zip(resolved, weights, strict=True)
                    if known in PLATFORM_WORDS]
        for index in found:
            keyed = self._outside_words[index]
            covered[index] += sum(weight for known, weight in platform if known not in keyed)

    def _worded_exactly(self, words: frozenset[str], scored: list[Scored]) -> Scored | None:
        """The best entry that has exactly the question's words as one of its own, when every
        entry that has them belongs to one principle.

        "tiktok?" or "purdah" is all of a keyword, and its one word is too common to clear
        `min_evidence`; yet the entry that lists it as a keyword, or words a question just so,
        said in advance that this is what it is about, as an exact question does. Word forms,
        order and filler words do not matter ("shud we be on youtube" is "youtube"). Entries that
        merely contain the words, among others, are no such promise, so they do not count; and
        when entries of different principles have the words, the bot cannot know which is meant.
        An unknown word in the question means no entry has exactly its words.
        """
        found = self._worded.get(words)
        if not found or len({self._entries[i].principle for i in found}) > 1:
            return None
        ids = {self._entries[i].id for i in found}
        return next((s for s in scored if s.entry.id in ids), None)

    def _contested(self, scored: list[Scored]) -> bool:
        """Whether a near-perfect leader shares its score with an entry of another principle.

        A short question can fit several entries perfectly: "how do I get more followers" is all
        of three entries' wording, about polls, conversation and analytics. Picking one would
        be a guess dressed as certainty, and the vote would be a coin toss; offering them is not.
        """
        top = scored[0]
        return top.score >= self.thresholds.sure and not top.entry.outside and any(
            s.entry.principle != top.entry.principle
            for s in itertools.takewhile(lambda s: s.score >= top.score, scored[1:])
            if not s.entry.outside)

    @staticmethod
    def _best_of_leading_principle(scored: list[Scored]) -> Scored:
        """The best entry of the principle the leading entries, together, point to.

        Several entries of one principle scoring well are stronger evidence than one entry of
        another principle scoring a little better: the principle is what matters most to the
        person asking, and this vote gets it right more often than the single best entry. Only
        entries near the leader vote, so a crowd of weak matches (everything that mentions
        Twitter) cannot outvote one that fits; and a near-perfect leader (`sure`) is not put to
        the vote at all: two consultation entries keyed on "have your say" once outvoted the
        exact answer to "Can I say where I work on LinkedIn?". Outside entries have no principle
        to vote for and take no voter's place; the caller never asks when one leads. A voter
        counts by how far it stands above the floor (`VOTE_MARGIN` behind the leader), not by its
        whole score: two entries close behind the leader still outvote it, but two far behind, each
        sharing a word or two with the question, no longer outweigh one that fits it (blocked sites
        at work lost to two transparency entries that shared "open" and "twitter").
        """
        votes: dict[int, float] = {}
        floor = scored[0].score - VOTE_MARGIN
        for candidate in [s for s in scored if not s.entry.outside][:VOTERS]:
            if candidate.score > floor:
                votes[candidate.entry.principle] = (votes.get(candidate.entry.principle, 0.0)
                                                    + candidate.score - floor)
        winner = max(votes, key=votes.__getitem__)
        return next(s for s in scored if s.entry.principle == winner)
