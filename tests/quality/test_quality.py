"""Answer quality, measured the way users will judge it: on questions the knowledge base never saw.

The dev set lives beside the project (../shared/eval/dev.yaml); the holdout set here was written
without sight of the knowledge base, and the fresh set from the facts alone, measured once
before anything was tuned on it (see the README). Floors sit a little under what the bot reaches, so a change
that makes answers worse fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.quality import evaluate
from bot.core import Core
from bot.text import normalise

HERE = Path(__file__).resolve().parent
DEV = HERE.parents[1].parent / "shared" / "eval" / "dev.yaml"
HOLDOUT = HERE / "holdout.yaml"
FRESH = HERE / "fresh.yaml"  # written from the facts alone, measured once before any tuning
FRESH2 = HERE / "fresh2.yaml"  # the same, held back: its misses are never looked at
FRESH3 = HERE / "fresh3.yaml"  # the same again, written while the bot was being tuned; held back
FRESH4 = HERE / "fresh4.yaml"  # the same, harder near-misses; held back
FRESH5 = HERE / "fresh5.yaml"  # the same, near-misses in everyday and private-life words; held back
FRESH6 = HERE / "fresh6.yaml"  # the same again, by a sixth writer; held back

FLOORS = {
    "dev.yaml": {"inscope_accuracy": 0.93, "offtopic_answered": 0.05},
    # In-scope floors a question or two under what the exact-words rule, the vote by margin and
    # the wider wording brought them to; holdout and fresh were tuned on, so their floors are loose.
    "holdout.yaml": {"inscope_accuracy": 0.90, "offtopic_answered": 0.10},
    # Off-topic floors one question (0.05) above what outside entries brought them to.
    "fresh.yaml": {"inscope_accuracy": 0.90, "offtopic_answered": 0.10},
    "fresh2.yaml": {"inscope_accuracy": 0.78, "offtopic_answered": 0.25},
    "fresh3.yaml": {"inscope_accuracy": 0.82, "offtopic_answered": 0.20},
    "fresh4.yaml": {"inscope_accuracy": 0.72, "offtopic_answered": 0.25},
    "fresh5.yaml": {"inscope_accuracy": 0.65, "offtopic_answered": 0.65},
    "fresh6.yaml": {"inscope_accuracy": 0.58, "offtopic_answered": 0.55},
}


@pytest.fixture(scope="module")
def core():
    from bot.knowledge import load_knowledge

    return Core(knowledge=load_knowledge(path=HERE.parents[1] / "knowledge"))


@pytest.mark.parametrize("path", [DEV, HOLDOUT, FRESH, FRESH2, FRESH3, FRESH4, FRESH5, FRESH6],
                         ids=["dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5",
                              "fresh6"])
def test_quality_stays_above_its_floor(core, path):
    if not path.exists():
        pytest.skip(f"{path} is not here (it lives in the project's shared folder)")
    result = evaluate(core, path)
    floor = FLOORS[path.name]
    assert result["inscope_accuracy"] >= floor["inscope_accuracy"], result
    assert result["offtopic_answered"] <= floor["offtopic_answered"], result


@pytest.mark.parametrize("path", [DEV, HOLDOUT, FRESH, FRESH2, FRESH3, FRESH4, FRESH5, FRESH6],
                         ids=["dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5",
                              "fresh6"])
def test_evaluation_questions_are_not_in_the_knowledge_base(core, path):
    if not path.exists():
        pytest.skip(f"{path} is not here (it lives in the project's shared folder)")
    asked = {normalise(row["q"]) for row in yaml.safe_load(path.read_text())["questions"]}
    known = {normalise(q) for e in core.knowledge.entries for q in e.questions}
    assert not asked & known
