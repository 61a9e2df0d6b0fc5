"""Typos respelt before the sentence encoder reads a question.

The encoder cuts a word it does not know into pieces: "politcal" becomes "pol ##it ##cal", which
means nothing, so two slips in a short question cost most of its meaning. BM25 forgives typos
word by word (`matcher._Words.resolve`); this gives the encoder the same forgiveness, by
respelling a word that neither the guidance nor the model knows as the known word one slip
away. A word nobody knows and nothing is near ("mumsnet") is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.text import normalise

MIN_LETTERS = 4
CACHE = 20_000
_WORD = re.compile(r"[A-Za-z]+")
_SENTENCE_END = re.compile(r"(^|[.!?:\n])\W*$")


class Speller:
    """`guidance`: the words of the knowledge base, preferred when two known words are as near;
    `model`: the encoder's whole words with their rank (lower is more common)."""

    def __init__(self, *, guidance: Iterable[str], model: Mapping[str, int]) -> None:
        guidance_words = {w for text in guidance for w in normalise(text).split() if w.isalpha()}
        rank = {w: r + 1_000_000 for w, r in model.items()}
        rank.update({w: 0 for w in guidance_words})
        self._rank = rank
        self._by_letter: dict[str, list[str]] = {}
        for word in rank:
            if len(word) >= MIN_LETTERS - 1:
                self._by_letter.setdefault(word[0], []).append(word)
        self._seen: dict[str, str] = {}

    def respell(self, text: str) -> str:
        """`text` with each unknown word of four letters or more replaced by the known word it
        slipped from, if one is near enough and unique in rank."""
        return _WORD.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        original = match.group()
        word = original.lower()
        if len(word) < MIN_LETTERS or word in self._rank or self._is_name(match):
            return original
        if (found := self._seen.get(word)) is None:
            found = self._nearest(word)
            if len(self._seen) >= CACHE:
                self._seen.clear()
            self._seen[word] = found
        return original if found == word else found

    @staticmethod
    def _is_name(match: re.Match[str]) -> bool:
        """A capital inside a sentence is a name or an acronym ("Ofsted", "HMRC"), not a slip."""
        word = match.group()
        if word.isupper() and len(word) > 1:
            return True
        return word[0].isupper() and not _SENTENCE_END.search(match.string[:match.start()])

    def _nearest(self, word: str) -> str:
        if word.endswith("s") and word[:-1] in self._rank:
            return word
        limit = 1 if len(word) <= 7 else 2
        near = process.extract(word, self._by_letter.get(word[0], ()), scorer=OSA.distance,
                               score_cutoff=limit, processor=None, limit=20)
        if not near:
            return word
        return min(near, key=lambda found: (found[1], self._rank[found[0]]))[0]
