"""Write knowledge/examples.yaml: the fitting sets' questions, as examples the matcher votes with.

    .venv/bin/python bench/examples.py [--check]

The examples are the labelled questions the team fits on (`bench.fit.FIT`), less
`../shared/eval/dev.yaml`, which stays a measure, never a source. Held-back sets never go in.
`--check` exits 1 when the file differs from what this would write (tests/test_examples.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fit import FIT  # noqa: E402

EXAMPLES = ROOT / "knowledge" / "examples.yaml"
SOURCES = [path for path in FIT if path.parent.name == "quality"]
HEADER = """\
# Questions staff asked, labelled with the principles that answer them (none: not covered).
# The matcher lets the nearest of these vote on each new question (docs/matching.md). Written by
# bench/examples.py from the fitting sets in tests/quality/; edit those and run it again rather
# than editing this file. Format: tests/quality/FORMAT.md. From: {names}.
examples:
"""


def render() -> str:
    lines = [HEADER.format(names=", ".join(path.name for path in SOURCES))]
    seen: set[str] = set()
    for path in SOURCES:
        for row in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            text = " ".join(str(row["q"]).split())
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            expect = "none" if row["expect"] == "none" else json.dumps(sorted(set(row["expect"])))
            lines.append(f"  - {{q: {json.dumps(text, ensure_ascii=False)}, expect: {expect}}}\n")
    return "".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = EXAMPLES.read_text(encoding="utf-8") if EXAMPLES.exists() else ""
        if current != text:
            print(f"{EXAMPLES}: out of date; run bench/examples.py", file=sys.stderr)
            return 1
        return 0
    EXAMPLES.write_text(text, encoding="utf-8")
    print(f"{EXAMPLES}: {text.count(chr(10) + '  - ')} examples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
