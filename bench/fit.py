"""Fit the matcher's few weights and thresholds on labelled questions, never on held-back ones.

    .venv/bin/python bench/fit.py [FILE ...]

The fitting sets are those the team has read and tuned on (`FIT`); the held-back sets
(`tests/quality/held*.yaml`) are never passed here. Each question's signals are computed once
(`Matcher.signals`); the decision (`Matcher.decide`) is then replayed for every setting tried, by
coordinate ascent from the current defaults, maximising in-scope accuracy minus 1.5 times the
off-topic answer rate (a wrong answer to an off-topic question costs more than a missed one).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.matching.matcher import Outcome, Thresholds  # noqa: E402

QUALITY = ROOT / "tests" / "quality"
FIT = [ROOT.parent / "shared" / "eval" / "dev.yaml", QUALITY / "holdout.yaml", QUALITY / "fresh.yaml",
       *(QUALITY / f"fresh{i}.yaml" for i in range(2, 7)), QUALITY / "fit1.yaml"]
GRID = {
    "answer": np.arange(30, 60, 0.5),
    "support": np.arange(0.0, 1.01, 0.1),
    "answer_weight": np.arange(0.2, 1.21, 0.1),
    "lexical_weight": np.arange(0.0, 0.81, 0.05),
    "fuzzy_weight": np.arange(0.0, 0.51, 0.05),
    "context_penalty": np.arange(0.0, 0.21, 0.025),
    "outside_margin": np.arange(-0.2, 0.11, 0.025),
    "draft_conduct": np.arange(0.0, 0.41, 0.05),
    "vote": np.arange(0.4, 1.01, 0.05),
    "vote_to_answer": np.arange(0.4, 1.06, 0.05),
}


def without(knowledge, path: Path):
    """`knowledge` less the examples that are questions of `path`: a fitting set's questions are
    in knowledge/examples.yaml (bench/examples.py), and a question must not vote on itself, so
    each set is answered with the examples of the others only."""
    from dataclasses import replace

    from bot.text import normalise

    asked = {normalise(str(row["q"]))
             for row in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]}
    return replace(knowledge, examples=tuple(e for e in knowledge.examples
                                             if normalise(e.text) not in asked))


def objective(accuracy: float, off_answered: float) -> float:
    return accuracy - 1.5 * off_answered


def evaluate(matcher, questions, limits: Thresholds) -> tuple[float, float]:
    right = total = answered = off = 0
    for signals, expect in questions:
        match = matcher.decide(signals, thresholds=limits)
        got = match.best.entry.principle if match.outcome is Outcome.ANSWER else None
        if expect is None:
            off += 1
            answered += got is not None
        else:
            total += 1
            right += got in expect
    return right / max(1, total), answered / max(1, off)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path, default=[p for p in FIT if p.exists()])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if any(p.name.startswith("held") for p in args.files):
        sys.exit("held-back sets are for reporting, never for fitting")
    from adapters.services import build
    from bot.matching.matcher import Matcher
    from bot.settings import Settings

    core = build(settings=Settings(knowledge_path=ROOT / "knowledge"), serving=False).core
    matcher = core.snapshot.matcher
    questions = []
    for path in args.files:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        voters = Matcher(knowledge=without(core.knowledge, path), encoder=core.encoder)
        for row, signals in zip(rows, voters.signals_many(texts=[r["q"] for r in rows]), strict=True):
            expect = None if row["expect"] == "none" else set(row["expect"])
            questions.append((signals, expect))
    best = matcher.thresholds
    score = objective(*evaluate(matcher, questions, best))
    print(f"start {score:.4f} {evaluate(matcher, questions, best)}")
    for _ in range(args.rounds):
        improved = False
        for name, values in GRID.items():
            for value in values:
                trial = dataclasses.replace(best, **{name: round(float(value), 4)})
                result = objective(*evaluate(matcher, questions, trial))
                if result > score + 1e-9:
                    best, score, improved = trial, result, True
            print(f"{name}: {getattr(best, name)} -> {score:.4f}", flush=True)
        if not improved:
            break
    accuracy, off = evaluate(matcher, questions, best)
    print(f"fitted on {len(questions)} questions: in-scope {accuracy:.3f}, off-topic answered {off:.3f}")
    print(best)


if __name__ == "__main__":
    main()
