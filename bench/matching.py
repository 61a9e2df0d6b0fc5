"""Matching cost per question: median and p99, on the shipped knowledge base and a generated one.

    .venv/bin/python bench/matching.py
The build time includes embedding every entry's wordings (with no stored vectors: a fresh store).
Issue 12's comparison with sentence-transformers on torch is `bench/speed.py`.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402

from bot.knowledge.loader import load_knowledge, parse_knowledge  # noqa: E402
from bot.matching.encoder import load_encoder  # noqa: E402
from bot.matching.matcher import Matcher  # noqa: E402
from tests.kbfactory import knowledge_dict  # noqa: E402

OFF_TOPIC = ["How do I book annual leave?", "where is the canteen", "qwertyuiop",
             "what time does the building close on friday", "How tall is Big Ben?"]


def questions_for(knowledge, *, count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    pool = [q for e in knowledge.entries for q in e.questions]
    picked = []
    for _ in range(count):
        words = rng.choice(pool).split()
        rng.shuffle(words)
        if rng.random() < 0.3:
            picked.append(rng.choice(OFF_TOPIC))
        else:
            picked.append(" ".join(words[: max(3, len(words) - 2)]))
    return picked


def measure(knowledge, *, label: str, count: int) -> dict:
    t0 = time.perf_counter()
    matcher = Matcher(knowledge=knowledge, encoder=load_encoder(store=Path(tempfile.mkdtemp())))
    build_ms = (time.perf_counter() - t0) * 1000
    timings = []
    for question in questions_for(knowledge, count=count):
        start = time.perf_counter_ns()
        matcher.match(text=question)
        timings.append((time.perf_counter_ns() - start) / 1e6)
    timings.sort()
    return {"knowledge": label, "entries": len(knowledge.entries), "questions": count,
            "build_ms": round(build_ms, 1), "median_ms": round(statistics.median(timings), 3),
            "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 3)}


def generated(topics: int):
    """Split into files of 1,000 entries, as an author would, to stay under the file size limit."""
    entries = knowledge_dict(topics=topics, seed=11)["entries"]
    return parse_knowledge(sources=[
        (f"generated-{start}.yaml",
         yaml.safe_dump({"entries": entries[start:start + 1000]}, sort_keys=False).encode())
        for start in range(0, len(entries), 1000)])


def main() -> None:
    shipped = load_knowledge(path=Path(__file__).resolve().parents[1] / "knowledge")
    rows = [measure(shipped, label="shipped", count=2000),
            measure(generated(994), label="generated", count=1000)]
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
