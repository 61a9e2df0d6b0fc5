"""bench/quality.py: the five matchers side by side, thresholds fitted on the fitting sets only,
held-back sets reported as aggregates only, and the typos it injects. Its figures are not checked
here: quality floors are tests/quality's business."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bench.quality import MATCHERS, Question, evaluate, fit
from bench.typos import add_typos
from tests.kbfactory import write_knowledge

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[A-Za-z]+")


def _one_slip(before: str, after: str) -> bool:
    """`after` is `before` with two letters swapped, one dropped or one doubled."""
    if len(after) == len(before) - 1:
        return any(before[:i] + before[i + 1:] == after for i in range(len(before)))
    if len(after) == len(before) + 1:
        return any(before[:i] + before[i] + before[i:] == after for i in range(len(before)))
    return len(after) == len(before) and any(
        before[:i] + before[i + 1] + before[i] + before[i + 2:] == after for i in range(len(before) - 1))


@given(st.lists(st.sampled_from(["can", "i", "tweet", "about", "my", "department", "ok?", "Facebook",
                                 "aa", "post", "-", "election", "zzzz"]), max_size=12).map(" ".join))
def test_typos_misspell_two_words_of_four_letters_or_more_and_nothing_else(text):
    typoed = add_typos(text)
    assert add_typos(text) == typoed  # seeded by the text: the same every run
    before, after = WORD.findall(text), WORD.findall(typoed)
    assert len(before) == len(after)
    assert WORD.sub("", text) == WORD.sub("", typoed)  # spaces and punctuation untouched
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(changed) == min(2, sum(len(w) >= 4 for w in before))
    assert all(len(b) >= 4 and _one_slip(b, a) for b, a in changed)


def test_typos_differ_from_one_question_to_the_next():
    questions = [f"can our department share photos of event number {i} on instagram" for i in range(20)]
    assert len({add_typos(q).split(" number")[0] for q in questions}) > 5


def test_fitting_puts_the_threshold_between_what_should_and_should_not_be_answered():
    # Entries: principle 1, principle 2, an outside entry (-1). Questions 0-1 are in scope and
    # score high on the right entry; 2-3 are off-topic and score lower; 4's top entry is outside.
    principles = np.array([1, 2, -1])
    cosine = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.0], [0.5, 0.2, 0.1], [0.1, 0.4, 0.0],
                       [0.2, 0.1, 0.95]])
    questions = [Question(text="a", expect=frozenset({1})), Question(text="b", expect=frozenset({2})),
                 Question(text="c", expect=None), Question(text="d", expect=None),
                 Question(text="e", expect=None)]
    fitted, score = fit("encoder", questions, np.zeros_like(cosine), cosine, principles)
    assert 0.5 < fitted.threshold < 0.7
    assert score == 1.0
    assert fitted.answers(np.zeros_like(cosine), cosine, principles) == [1, 2, None, None, None]


def test_evaluate_never_lists_the_misses_of_a_held_back_set(tmp_path):
    held = tmp_path / "held9.yaml"
    held.write_text(yaml.safe_dump({"questions": [{"q": "secret question", "expect": [1]}]}))
    with pytest.raises(ValueError, match="held back"):
        evaluate(None, held, misses=True)


def _bench(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "bench/quality.py", *arguments], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


def test_misses_and_fitting_refuse_held_back_sets(tmp_path):
    held = tmp_path / "held9.yaml"
    held.write_text(yaml.safe_dump({"questions": [{"q": "a secret held-back question", "expect": [1]}]}))
    knowledge = write_knowledge(tmp_path / "kb", topics=2)
    for arguments in (["--misses", str(held)], ["--misses-of", "fusion", str(held)], ["--fit", str(held)]):
        done = _bench("--knowledge", str(knowledge), *arguments)
        assert done.returncode != 0
        assert "held-back" in done.stderr
        assert "secret" not in done.stdout + done.stderr


def test_one_run_reports_five_matchers_on_fitting_and_held_back_sets(tmp_path):
    knowledge = write_knowledge(tmp_path / "kb", topics=2, outside=1)
    fitting, held = tmp_path / "fitA.yaml", tmp_path / "held9.yaml"
    fitting.write_text(yaml.safe_dump({"questions": [
        {"q": "how do we consult and engage the public", "expect": [2]},
        {"q": "adhering to the civil service code when I post", "expect": [6]},
        {"q": "what time is lunch in the canteen", "expect": "none"}]}))
    held.write_text(yaml.safe_dump({"questions": [
        {"q": "going where citizens already are online", "expect": [1]},
        {"q": "transparent and accountable department", "expect": [3]},
        {"q": "i forgot my chirper password", "expect": "none"}]}))
    figures_path = tmp_path / "quality.json"
    done = _bench("--knowledge", str(knowledge), "--fit", str(fitting), "--json", str(figures_path),
                  str(fitting), str(held))
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(figures_path.read_text())
    assert figures["fitted_on"] == ["fitA.yaml"]
    assert set(figures["fitted"]) == {"bm25", "encoder", "fusion"}
    assert [(r["set"], r["split"], r["questions"]) for r in figures["sets"]] == [
        ("fitA.yaml", "fit", 3), ("held9.yaml", "held back", 3)]
    for row in figures["sets"]:
        assert all(0 <= row[m]["inscope_accuracy"] <= 1 and 0 <= row[m]["offtopic_answered"] <= 1
                   for m in MATCHERS)
    assert [(r["set"], r["inscope"]) for r in figures["typos"]] == [("held9.yaml", 2)]
    assert all(0 <= figures["typos"][0][m]["typos"] <= 1 for m in MATCHERS)
    table = done.stdout
    assert "| Set | Split | Questions | new | old | bm25 | encoder | fusion |" in table
    assert "| held9.yaml | held back | 3 |" in table and "| fitA.yaml | fit | 3 |" in table
    assert "citizens" not in table and "citizens" not in done.stderr  # held-back questions stay unseen
