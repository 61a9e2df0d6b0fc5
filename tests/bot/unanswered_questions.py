"""Many unanswered questions with a known answer: topics asked in several wordings (reordered,
shortened, misspelt, by several people), buried in thousands of one-off questions that share
everyday words ("can i post about my ...") with each other and with the topics."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.storage.questions import QuestionRecord

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ta", "vo", "re", "pi", "da", "fu", "go", "hi", "ju",
             "be", "co", "ry", "wa", "ze", "xi", "qu", "ol", "an", "et")
EVERYDAY = ("can", "i", "my", "post", "about", "work", "social", "media", "on", "is", "it", "ok",
            "to", "should", "we", "the", "a", "account", "share", "what", "if", "our", "team")


@dataclass(frozen=True, kw_only=True)
class Sample:
    records: list[QuestionRecord]
    expected: list[tuple[str, int]]  # (example, count) of the most asked topics, most first


def _word(rng: random.Random, taken: set[str]) -> str:
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5)))
        if word not in taken:
            taken.add(word)
            return word


def sample(*, topics: int = 40, noise: int = 2_500, seed: int = 7) -> Sample:
    rng = random.Random(seed)
    taken: set[str] = set()
    asked: list[tuple[str, str, str]] = []  # (text, outcome, asker)
    expected = []
    for topic in range(topics):
        words = [_word(rng, taken) for _ in range(5)]
        base = "can i " + " ".join(words)
        misspelt = list(words)
        misspelt[2] = misspelt[2][:5] + misspelt[2][6:]  # a letter dropped after the fourth
        wordings = [base, "can i " + " ".join(reversed(words)), "can i " + " ".join(misspelt),
                    " ".join(words[:4]) + "?"]
        count = 3 * (topics - topic) + 20
        shares = [count - 3 * (count // 5), count // 5, count // 5, count // 5]
        for wording, times in zip(wordings, shares, strict=True):
            for n in range(times):
                asked.append((wording, rng.choice(["suggestions", "not_found"]), f"a{n % 7}"))
        expected.append((base, count))
    vocabulary = [_word(rng, taken) for _ in range(3_000)]
    for n in range(noise):
        for outcome in ("not_found", "answer"):  # answered ones are left out
            words = rng.sample(EVERYDAY, 3) + rng.sample(vocabulary, 3)
            asked.append((" ".join(words), outcome, f"n{n}"))
    rng.shuffle(asked)
    records = [QuestionRecord(platform="web", asker=asker, text=text, outcome=outcome, entry=None,
                              principle=None, score=20.0, at=START + timedelta(seconds=i))
               for i, (text, outcome, asker) in enumerate(asked)]
    return Sample(records=records, expected=expected)
