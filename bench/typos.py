"""Questions with typos, for issue 12's robustness goal: with two typos a question, in-scope
accuracy keeps at least 90% of the clean figure.

The typos are the slips of someone typing fast (two letters swapped, one dropped, one doubled),
made in words of four letters or more, where a reader still sees the word. They are seeded by the
question's own text, so every run, machine and matcher meets the same misspelt questions.
"""

from __future__ import annotations

import hashlib
import random
import re

MIN_LETTERS = 4
_WORD = re.compile(r"[A-Za-z]+")


def _misspell(word: str, *, rng: random.Random) -> str:
    kinds = ["drop", "double"]
    if any(a != b for a, b in zip(word, word[1:], strict=False)):
        kinds.append("swap")
    kind = rng.choice(kinds)
    if kind == "swap":
        i = rng.choice([i for i in range(len(word) - 1) if word[i] != word[i + 1]])
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    i = rng.randrange(len(word))
    return word[:i] + word[i + 1:] if kind == "drop" else word[:i] + word[i] + word[i:]


def add_typos(text: str, *, count: int = 2) -> str:
    """`text` with `count` of its words of four letters or more misspelt (fewer if it has fewer)."""
    rng = random.Random(hashlib.sha256(text.encode("utf-8")).digest())
    words = [m for m in _WORD.finditer(text) if len(m.group()) >= MIN_LETTERS]
    chosen = sorted(rng.sample(words, min(count, len(words))), key=lambda m: m.start())
    parts, last = [], 0
    for match in chosen:
        parts += [text[last:match.start()], _misspell(match.group(), rng=rng)]
        last = match.end()
    return "".join(parts) + text[last:]
