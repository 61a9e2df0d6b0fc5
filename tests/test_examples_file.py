"""knowledge/examples.yaml is written from the fitting sets, never edited apart from them."""

from __future__ import annotations

from bench.examples import EXAMPLES, SOURCES, render
from bot.knowledge.loader import load_knowledge


def test_the_shipped_examples_are_the_fitting_sets_as_bench_examples_writes_them():
    assert EXAMPLES.read_text(encoding="utf-8") == render(), "run bench/examples.py"


def test_no_held_back_or_dev_question_is_an_example():
    assert SOURCES and not any(p.name.startswith("held") or p.name == "dev.yaml" for p in SOURCES)
    examples = {e.text for e in load_knowledge(path=EXAMPLES.parent).examples}
    assert len(examples) > 500
