"""Answer quality on question files, five matchers side by side in one run (issue 12).

    .venv/bin/python bench/quality.py [--misses | --misses-of MATCHER] [--json PATH] [FILE ...]

In-scope accuracy: answered with an acceptable principle / questions that have one.
Off-topic answered: answered at all / questions marked none. Same definitions as
../shared/eval/score.py, computed in-process.

The matchers, all over the same knowledge base:
- new: the bot as shipped (`Core.answer`);
- old: the hand-tuned rapidfuzz matcher it replaced (bench/baselines/lexical_matcher.py), run as
  the old core ran it;
- bm25: rank-bm25's BM25Okapi over one document per entry (title, questions, keywords, answer);
- encoder: the bot's all-MiniLM-L6-v2 cosine to each entry's title, questions and answer (best one);
- fusion: a * bm25 / (the question's best bm25) + (1 - a) * cosine;
- examples: the vote of the nearest labelled examples alone (`Matcher.vote` over
  knowledge/examples.yaml and the entries' wordings): its leading class, no threshold.
For the last three the top entry answers when its score reaches a threshold and it is not an
outside entry. Their thresholds (and fusion's a) are fitted here on the fitting sets of
bench/fit.py, with its objective, never on the held-back sets (tests/quality/held*.yaml), which are
only reported, as aggregates: `--misses` refuses them. With `--misses` and no files, only the
fitting sets are reported.

Then the held-back sets again with two typos in each in-scope question (bench/typos.py): issue 12
wants in-scope accuracy to keep at least 90% of its clean figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fit import FIT, objective, without  # noqa: E402
from bench.typos import add_typos  # noqa: E402
from bot.conversation.core import Core  # noqa: E402
from bot.knowledge.loader import KnowledgeBase  # noqa: E402
from bot.matching.matcher import content_words  # noqa: E402

QUALITY = ROOT / "tests" / "quality"
HELD = sorted(QUALITY.glob("held*.yaml"))
MATCHERS = ("new", "old", "bm25", "encoder", "fusion", "examples")
FUSION_WEIGHTS = np.round(np.linspace(0.0, 1.0, 21), 2)
TYPO_GOAL = 0.90


def is_held(path: Path) -> bool:
    return path.name.startswith("held")


@dataclass(frozen=True, kw_only=True)
class Question:
    text: str
    expect: frozenset[int] | None  # None: off-topic, the bot must not answer with a principle


def load_questions(path: Path) -> list[Question]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return [Question(text=row["q"], expect=None if row["expect"] == "none" else frozenset(row["expect"]))
            for row in rows]


@dataclass(frozen=True, kw_only=True)
class Rates:
    inscope_accuracy: float
    offtopic_answered: float
    inscope: int
    offtopic: int


def rates(questions: Sequence[Question], answers: Sequence[int | None]) -> Rates:
    """How a matcher's answers (a principle, or None for no answer) score on `questions`."""
    right = total = off_answered = off_total = 0
    for question, got in zip(questions, answers, strict=True):
        if question.expect is None:
            off_total += 1
            off_answered += got is not None
        else:
            total += 1
            right += got in question.expect
    return Rates(inscope_accuracy=right / max(1, total), offtopic_answered=off_answered / max(1, off_total),
                 inscope=total, offtopic=off_total)


def evaluate(core: Core, path: Path, *, misses: bool = False) -> dict:
    """The shipped bot on one question file (the floors of tests/quality/test_quality.py)."""
    if misses and is_held(path):
        raise ValueError(f"{path.name} is held back: its misses are never looked at")
    questions = load_questions(path)
    answers = []
    for question in questions:
        reply = core.answer(question=question.text)
        got = reply.principle if reply.answered else None
        answers.append(got)
        ok = got is None if question.expect is None else got in question.expect
        if misses and not ok:
            print(f"  miss: {question.text!r} expected {_expected(question)} got {got} "
                  f"({reply.kind}, {reply.score:.0f}, {reply.entry})")
    result = rates(questions, answers)
    return {"file": path.name, "inscope_accuracy": round(result.inscope_accuracy, 3),
            "offtopic_answered": round(result.offtopic_answered, 3), "questions": len(questions)}


def _expected(question: Question) -> str | list[int]:
    return "none" if question.expect is None else sorted(question.expect)


class OldMatcher:
    """The matcher before the encoder, answering as the old core did: an "answer" outcome gives its
    entry's principle; an outside entry's "not covered" and everything else are no answer."""

    def __init__(self, *, knowledge: KnowledgeBase) -> None:
        from bench.baselines.lexical_matcher import Matcher

        self._matcher = Matcher(knowledge=knowledge)

    def __call__(self, text: str) -> int | None:
        match = self._matcher.match(text=text)
        entry = match.entry
        if match.outcome != "answer" or entry is None or entry.outside:
            return None
        return entry.principle


class Signals:
    """BM25 and encoder scores of texts against every entry: computed once per text, then shared
    by the bm25, encoder and fusion matchers and every setting tried while fitting them."""

    def __init__(self, *, knowledge: KnowledgeBase, encoder) -> None:
        try:
            from rank_bm25 import BM25Okapi
        except ImportError:
            sys.exit("bench/quality.py's BM25 baseline needs rank-bm25: .venv/bin/pip install rank-bm25")
        entries = knowledge.entries
        self._bm25 = BM25Okapi([content_words(" ".join((e.title, *e.questions, *e.keywords, e.answer)))
                                for e in entries])
        self._encoder = encoder
        # The same lists the bot's matcher embeds, so the stored vectors are read back, not recomputed.
        asked: list[str] = []
        self._starts = []
        for entry in entries:
            self._starts.append(len(asked))
            asked.extend((entry.title, *entry.questions))
        self._asked = encoder.encode_stored(asked).T.copy()
        self._answers = encoder.encode_stored([e.answer for e in entries]).T.copy()
        self.principles = np.array([-1 if e.outside else e.principle for e in entries])
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def compute(self, texts: Sequence[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if not todo:
            return
        vectors = self._encoder.encode(todo)
        cosine = np.maximum(np.maximum.reduceat(vectors @ self._asked, self._starts, axis=1),
                            vectors @ self._answers)
        for text, row in zip(todo, cosine, strict=True):
            self._cache[text] = (self._bm25.get_scores(content_words(text)), row)

    def of(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(bm25, cosine), one row per text and one column per entry."""
        self.compute(texts)
        bm25, cosine = zip(*(self._cache[t] for t in texts), strict=True)
        return np.array(bm25), np.array(cosine)


@dataclass(frozen=True, kw_only=True)
class Fitted:
    """A baseline's decision: the top entry by `weight` * bm25 / the question's best bm25 +
    (1 - `weight`) * cosine (raw bm25 for the bm25 matcher) answers when it reaches `threshold`."""

    name: str
    weight: float
    threshold: float

    def scores(self, bm25: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        return _scores(self.name, self.weight, bm25, cosine)

    def answers(self, bm25: np.ndarray, cosine: np.ndarray, principles: np.ndarray) -> list[int | None]:
        top, best = _top(self.scores(bm25, cosine))
        return [int(principles[i]) if s >= self.threshold and principles[i] > 0 else None
                for i, s in zip(top, best, strict=True)]


def _scores(name: str, weight: float, bm25: np.ndarray, cosine: np.ndarray) -> np.ndarray:
    if name == "bm25":
        return bm25
    if name == "encoder":
        return cosine
    best = bm25.max(1, keepdims=True)
    scaled = np.divide(bm25, best, out=np.zeros_like(bm25), where=best > 0)
    return weight * scaled + (1 - weight) * cosine


def _top(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    top = scores.argmax(1)
    return top, scores[np.arange(len(top)), top]


def fit(name: str, questions: Sequence[Question], bm25: np.ndarray, cosine: np.ndarray,
        principles: np.ndarray) -> tuple[Fitted, float]:
    """The setting that maximises bench/fit.py's objective on the fitting questions. A question's
    top entry does not depend on the threshold, so every useful threshold is one of the top
    scores; the one kept is half-way to the next lower top score, so no fitted question sits on it."""
    inscope = np.array([q.expect is not None for q in questions])
    weights = FUSION_WEIGHTS if name == "fusion" else [1.0 if name == "bm25" else 0.0]
    best: tuple[float, Fitted] | None = None
    for weight in weights:
        top, score = _top(_scores(name, float(weight), bm25, cosine))
        principle = principles[top]
        right = np.array([bool(q.expect) and p in q.expect
                          for q, p in zip(questions, principle, strict=True)])
        answers = principle > 0
        levels = np.unique(score)[::-1]
        for k, level in enumerate([np.inf, *levels]):
            answered = answers & (score >= level)
            accuracy = (right & answered)[inscope].sum() / max(1, inscope.sum())
            off = answered[~inscope].sum() / max(1, (~inscope).sum())
            result = objective(accuracy, off)
            if best is None or result > best[0] + 1e-12:
                lower = levels[k] if k < len(levels) else level  # the next lower top score
                threshold = level if np.isinf(level) or lower == level else (level + lower) / 2
                best = (result, Fitted(name=name, weight=float(weight), threshold=float(threshold)))
    assert best is not None
    return best[1], best[0]


@dataclass(frozen=True, kw_only=True)
class QuestionSet:
    path: Path
    questions: list[Question]

    @property
    def held(self) -> bool:
        return is_held(self.path)


def run(*, knowledge_path: Path, report: list[Path], fitting: list[Path], misses: str | None = None,
        progress: Callable[[str], None] = lambda _: None) -> dict:
    """Every figure of the report, as the JSON `--json` writes."""
    if misses and any(is_held(p) for p in report):
        raise ValueError("held-back sets are reported as aggregates only: --misses refuses them")
    if any(is_held(p) for p in fitting):
        raise ValueError("held-back sets are for reporting, never for fitting")
    from adapters.services import build
    from bot.settings import Settings

    core = build(settings=Settings(knowledge_path=knowledge_path), serving=False).core
    knowledge = core.knowledge
    old = OldMatcher(knowledge=knowledge)
    signals = Signals(knowledge=knowledge, encoder=core.encoder)
    sets = {p: QuestionSet(path=p, questions=load_questions(p)) for p in [*fitting, *report]}
    held = [s for p, s in sets.items() if p in report and s.held]
    typoed = {s.path: [add_typos(q.text) for q in s.questions if q.expect is not None] for s in held}
    progress("encoding the questions")
    signals.compute([q.text for s in sets.values() for q in s.questions]
                    + [t for texts in typoed.values() for t in texts])

    fit_questions = [q for p in fitting for q in sets[p].questions]
    fit_bm25, fit_cosine = signals.of([q.text for q in fit_questions])
    fitted = {}
    for name in ("bm25", "encoder", "fusion"):
        setting, score = fit(name, fit_questions, fit_bm25, fit_cosine, signals.principles)
        fitted[name] = {"weight": setting.weight, "threshold": round(setting.threshold, 4),
                        "objective": round(score, 4), "matcher": setting}

    def answer_all(texts: list[str], path: Path) -> dict[str, list[int | None]]:
        """A fitting set's questions are among the examples: they are answered with the examples
        of the other sets only (`bench.fit.without`), so none votes on itself."""
        snapshot = (core.build_snapshot(knowledge=without(knowledge, path)) if path in fitting
                    else core.snapshot)
        bm25, cosine = signals.of(texts)
        answers = {"new": [], "old": [old(t) for t in texts]}
        for text in texts:
            reply = core.answer(question=text, snapshot=snapshot)
            answers["new"].append(reply.principle if reply.answered else None)
        votes = snapshot.matcher.vote(core.encoder.encode(texts)).argmax(axis=1)
        answers["examples"] = [int(v) if v else None for v in votes]
        for name, figures in fitted.items():
            answers[name] = figures["matcher"].answers(bm25, cosine, signals.principles)
        return answers

    rows, pooled = [], {"fit": ([], {m: [] for m in MATCHERS}), "held back": ([], {m: [] for m in MATCHERS})}
    clean_answers = {}
    for path in report:
        qs = sets[path]
        progress(f"answering {path.name}")
        answers = answer_all([q.text for q in qs.questions], path)
        clean_answers[path] = answers
        split = "held back" if qs.held else "fit" if path in fitting else "other"
        if split in pooled:
            pooled[split][0].extend(qs.questions)
            for name in MATCHERS:
                pooled[split][1][name].extend(answers[name])
        rows.append(_row(path.name, split, qs.questions, answers))
        if misses:
            for question, got in zip(qs.questions, answers[misses], strict=True):
                if (got is None) if question.expect is None else got in question.expect:
                    continue
                print(f"  miss ({misses}, {path.name}): {question.text!r} expected {_expected(question)} "
                      f"got {got}")
    for split, (questions, answers) in pooled.items():
        if questions and sum(r["split"] == split for r in rows) > 1:
            rows.append(_row(f"all {split}", split, questions, answers))

    typo_rows = []
    for qs in held:
        progress(f"answering {qs.path.name} with typos")
        inscope = [q for q in qs.questions if q.expect is not None]
        answers = answer_all(typoed[qs.path], qs.path)
        clean = {name: [a for q, a in zip(qs.questions, clean_answers[qs.path][name], strict=True)
                        if q.expect is not None] for name in MATCHERS}
        row = {"set": qs.path.name, "inscope": len(inscope)}
        for name in MATCHERS:
            before = rates(inscope, clean[name]).inscope_accuracy
            after = rates(inscope, answers[name]).inscope_accuracy
            row[name] = {"clean": round(before, 3), "typos": round(after, 3),
                         "ratio": round(after / before, 3) if before else None}
        typo_rows.append(row)
    return {"fitted_on": [p.name for p in fitting],
            "fitted": {n: {k: v for k, v in f.items() if k != "matcher"} for n, f in fitted.items()},
            "sets": rows, "typos": typo_rows}


def _row(name: str, split: str, questions: list[Question], answers: dict[str, list[int | None]]) -> dict:
    row = {"set": name, "split": split, "questions": len(questions)}
    for matcher in MATCHERS:
        result = rates(questions, answers[matcher])
        row[matcher] = {"inscope_accuracy": round(result.inscope_accuracy, 3),
                        "offtopic_answered": round(result.offtopic_answered, 3)}
    return row


def markdown(figures: dict) -> str:
    fitted = figures["fitted"]
    lines = [
        f"Thresholds fitted on {', '.join(figures['fitted_on'])} (in-scope accuracy - 1.5 x off-topic "
        f"answered): bm25 {fitted['bm25']['threshold']:g} (objective {fitted['bm25']['objective']:.3f}), "
        f"encoder {fitted['encoder']['threshold']:g} ({fitted['encoder']['objective']:.3f}), fusion "
        f"a = {fitted['fusion']['weight']:g}, threshold {fitted['fusion']['threshold']:g} "
        f"({fitted['fusion']['objective']:.3f}).", "",
        "Each cell: in-scope accuracy / off-topic answered. Goal on held-back sets: >= 0.90 / <= 0.10.", "",
        "| Set | Split | Questions | " + " | ".join(MATCHERS) + " |",
        "|---|---|---:|" + "---|" * len(MATCHERS),
    ]
    for row in figures["sets"]:
        cells = [f"{row[m]['inscope_accuracy']:.3f} / {row[m]['offtopic_answered']:.3f}" for m in MATCHERS]
        name = f"**{row['set']}**" if row["set"].startswith("all ") else row["set"]
        lines.append(f"| {name} | {row['split']} | {row['questions']} | " + " | ".join(cells) + " |")
    if figures["typos"]:
        lines += ["", "Two typos in each in-scope question of the held-back sets: in-scope accuracy "
                  f"(its ratio to the clean figure; goal >= {TYPO_GOAL:.2f}).", "",
                  "| Held-back set | In-scope | " + " | ".join(MATCHERS) + " |",
                  "|---|---:|" + "---|" * len(MATCHERS)]
        for row in figures["typos"]:
            cells = [f"{row[m]['typos']:.3f} ({row[m]['ratio']:.2f})" if row[m]["ratio"] is not None
                     else f"{row[m]['typos']:.3f} (-)" for m in MATCHERS]
            lines.append(f"| {row['set']} | {row['inscope']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path,
                        help="sets to report (default: the fitting sets and the held-back sets)")
    parser.add_argument("--misses", action="store_true",
                        help="print the shipped bot's misses; refused for held-back sets")
    parser.add_argument("--misses-of", choices=MATCHERS, help="print this matcher's misses instead")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--fit", nargs="+", type=Path, default=[p for p in FIT if p.exists()],
                        help="the fitting sets (default: bench/fit.py's)")
    args = parser.parse_args()
    args.misses = args.misses_of or ("new" if args.misses else None)
    report = args.files or [p for p in [*args.fit, *HELD] if p.exists() and not (args.misses and is_held(p))]
    try:
        figures = run(knowledge_path=args.knowledge, report=report, fitting=args.fit,
                      misses=args.misses, progress=lambda text: print(text, file=sys.stderr, flush=True))
    except ValueError as error:
        sys.exit(str(error))
    print(markdown(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
