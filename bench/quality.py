"""Answer quality on question files: the dev set beside the project and the holdout set in tests.

    .venv/bin/python bench/quality.py [--misses] [FILE ...]
In-scope accuracy: answered with an acceptable principle / questions that have one.
Off-topic answered: answered at all / questions marked none. Same definitions as
../shared/eval/score.py, computed in-process so threshold experiments are quick.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core import Core  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402

DEFAULT_FILES = [ROOT.parent / "shared" / "eval" / "dev.yaml", ROOT / "tests" / "quality" / "holdout.yaml"]


def evaluate(core: Core, path: Path, *, misses: bool = False) -> dict:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    right = total = off_answered = off_total = 0
    for row in rows:
        reply = core.answer(question=row["q"])
        got = reply.principle if reply.answered else None
        if row["expect"] == "none":
            off_total += 1
            off_answered += got is not None
            ok = got is None
        else:
            total += 1
            ok = got in row["expect"]
            right += ok
        if misses and not ok:
            print(f"  miss: {row['q']!r} expected {row['expect']} got {got} "
                  f"({reply.kind}, {reply.score:.0f}, {reply.entry})")
    return {"file": path.name, "inscope_accuracy": round(right / max(1, total), 3),
            "offtopic_answered": round(off_answered / max(1, off_total), 3),
            "questions": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    core = Core(knowledge=load_knowledge(path=ROOT / "knowledge"))
    for path in args.files or [p for p in DEFAULT_FILES if p.exists()]:
        print(json.dumps(evaluate(core, path, misses=args.misses)))


if __name__ == "__main__":
    main()
