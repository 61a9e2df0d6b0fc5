"""Draft-check quality on the labelled draft sets (issue 14), the check beside a keyword baseline.

    .venv/bin/python bench/drafts.py [--misses] [--json PATH] [FILE ...]

Sets: tests/quality/drafts/fit.yaml (for fitting: its misses may be printed) and
tests/quality/drafts/held.yaml (held back: only its aggregate figures are printed, `--misses`
refuses it, and nothing was ever fitted on it). Format: tests/quality/drafts/FORMAT.md. Each
draft's whole `text` is checked, as `guidance-bot check-draft` would check it, with the account
read from the text (the label's `account` is not given to the check).

Definitions, the same for both sets and both checkers:
- A labelled concern is one (draft, kind) of the set; a found concern one (draft, kind) the
  checker reports. They are compared kind by kind, on the same draft.
- A labelled concern is *found* when the checker reports that kind on that draft, whatever its
  quote. It is also *quoted* when one of the found quotes of that kind overlaps the labelled
  quote: their character spans in the draft's text share at least one character.
- recall = labelled concerns found / labelled concerns, per kind and over all kinds.
- precision = found concerns that are labelled / found concerns, per kind and over all kinds
  (several concerns of one kind on a draft count once).
- quote agreement = labelled concerns quoted / labelled concerns found.
- clean called risky = drafts without a labelled concern on which anything is found / such drafts.
Goal on the held half: recall >= 0.90, precision >= 0.85, clean called risky <= 0.10.

The baseline is the obvious first attempt: a keyword list per kind, taken from the words of the
issue, any match (case-folded, whole words) raising that kind.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.checking import ConcernKind, check_draft  # noqa: E402

DRAFTS = ROOT / "tests" / "quality" / "drafts"
FIT, HELD = DRAFTS / "fit.yaml", DRAFTS / "held.yaml"
GOALS = {"recall": 0.90, "precision": 0.85, "clean_called_risky": 0.10}

BASELINE: dict[ConcernKind, tuple[str, ...]] = {
    ConcernKind.POLITICS: ("labour", "tory", "tories", "conservative", "conservatives", "lib dem",
    "green party",
                           "snp", "reform uk", "vote", "minister", "government", "shambles", "disgrace"),
    ConcernKind.OFFICIAL_INFORMATION: ("unpublished", "leaked", "leak", "internal", "confidential", "embargo",
                                       "embargoed", "draft figures", "not yet announced", "secret"),
    ConcernKind.COMMITMENT: ("we will definitely", "definitely", "guarantee", "guaranteed", "promise",
                             "by next week"),
    ConcernKind.PERSONAL_DATA: ("ni number", "national insurance", "address", "ref", "reference number",
                                "case number", "phone number", "email", "date of birth", "dob"),
    ConcernKind.ABUSE: ("idiot", "idiots", "stupid", "moron", "shut up", "clown", "pathetic", "loser",
                        "what a shambles"),
    ConcernKind.COPYRIGHT: ("screenshot", "someone else's photo", "found this pic", "credit to", "copyright",
                            "google images"),
    ConcernKind.ELECTION: ("purdah", "pre-election", "election period"),
}
_BASELINE = {kind: re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", re.I)
             for kind, words in BASELINE.items()}

Found = dict[str, list[str]]  # kind -> the quotes of its concerns
Checker = Callable[[str], Found]


def check(text: str) -> Found:
    found: Found = {}
    for concern in check_draft(text=text).concerns:
        found.setdefault(str(concern.kind), []).append(concern.quote)
    return found


def baseline(text: str) -> Found:
    return {str(kind): [m.group(0)] for kind, pattern in _BASELINE.items() if (m := pattern.search(text))}


CHECKERS: dict[str, Checker] = {"check": check, "baseline": baseline}


@dataclass(frozen=True, kw_only=True)
class Draft:
    text: str
    account: str
    concerns: dict[str, str]  # kind -> labelled quote


def load(path: Path) -> list[Draft]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["drafts"]
    drafts = []
    for row in rows:
        concerns: dict[str, str] = {}
        for labelled in row["concerns"]:
            concerns.setdefault(labelled["kind"], labelled["quote"])  # a kind twice: the first
        drafts.append(Draft(text=row["text"], account=row["account"], concerns=concerns))
    return drafts


def overlaps(text: str, first: str, second: str) -> bool:
    a, b = text.find(first), text.find(second)
    return a >= 0 and b >= 0 and a < b + len(second) and b < a + len(first)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def score(drafts: Sequence[Draft], results: Sequence[Found]) -> dict:
    kinds = [str(kind) for kind in ConcernKind]
    labelled = dict.fromkeys(kinds, 0)
    found_right, reported, quoted = dict(labelled), dict(labelled), dict(labelled)
    clean = risky = 0
    for draft, got in zip(drafts, results, strict=True):
        if not draft.concerns:
            clean += 1
            risky += bool(got)
        for kind, quote in draft.concerns.items():
            labelled[kind] += 1
            if kind in got:
                found_right[kind] += 1
                quoted[kind] += any(overlaps(draft.text, quote, said) for said in got[kind])
        for kind in got:
            reported[kind] += 1
    per_kind = {kind: {"labelled": labelled[kind], "recall": ratio(found_right[kind], labelled[kind]),
                       "precision": ratio(found_right[kind], reported[kind])} for kind in kinds}
    right, total, said = sum(found_right.values()), sum(labelled.values()), sum(reported.values())
    return {"drafts": len(drafts), "clean": clean, "labelled": total, "per_kind": per_kind,
            "recall": ratio(right, total), "precision": ratio(right, said),
            "quote_agreement": ratio(sum(quoted.values()), right),
            "clean_called_risky": ratio(risky, clean)}


def misses(drafts: Sequence[Draft], results: Sequence[Found]) -> list[str]:
    lines = []
    for draft, got in zip(drafts, results, strict=True):
        for kind, quote in draft.concerns.items():
            if kind not in got:
                lines.append(f"missed {kind} ({quote!r}): {draft.text}")
            elif not any(overlaps(draft.text, quote, said) for said in got[kind]):
                lines.append(f"other quote {kind}: {got[kind]!r} for {quote!r}: {draft.text}")
        for kind, quote in got.items():
            if kind not in draft.concerns:
                lines.append(f"extra {kind} ({quote!r}): {draft.text}")
    return lines


def run(path: Path, *, show_misses: bool) -> dict:
    drafts = load(path)
    figures: dict = {"set": path.name, "held": path == HELD}
    for name, checker in CHECKERS.items():
        started = time.perf_counter()
        results = [checker(draft.text) for draft in drafts]
        elapsed = time.perf_counter() - started
        figures[name] = score(drafts, results)
        figures[name]["ms_a_draft"] = round(1000 * elapsed / max(len(drafts), 1), 3)
        if show_misses and name == "check":
            for line in misses(drafts, results):
                print(line)
    return figures


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def markdown(figures: dict) -> str:
    check, base = figures["check"], figures["baseline"]
    split = "held back" if figures["held"] else "fitting"
    title = (f"{figures['set']} ({split}): {check['drafts']} drafts, {check['clean']} clean, "
             f"{check['labelled']} labelled concerns")
    lines = [title, "", "| kind | labelled | recall | precision | baseline recall | baseline precision |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind, row in check["per_kind"].items():
        other = base["per_kind"][kind]
        lines.append(f"| {kind} | {row['labelled']} | {_cell(row['recall'])} | {_cell(row['precision'])} | "
                     f"{_cell(other['recall'])} | {_cell(other['precision'])} |")
    lines.append(f"| **all** | {check['labelled']} | {_cell(check['recall'])} | "
                 f"{_cell(check['precision'])} | {_cell(base['recall'])} | {_cell(base['precision'])} |")
    lines += ["", f"clean called risky: {_cell(check['clean_called_risky'])} (baseline "
              f"{_cell(base['clean_called_risky'])}); quote agreement: {_cell(check['quote_agreement'])} "
              f"(baseline {_cell(base['quote_agreement'])}); {check['ms_a_draft']} ms a draft"]
    met = [check["recall"] is not None and check["recall"] >= GOALS["recall"],
           check["precision"] is not None and check["precision"] >= GOALS["precision"],
           check["clean_called_risky"] is not None
           and check["clean_called_risky"] <= GOALS["clean_called_risky"]]
    lines.append(f"goal (recall >= {GOALS['recall']}, precision >= {GOALS['precision']}, clean called risky "
                 f"<= {GOALS['clean_called_risky']}): {'met' if all(met) else 'not met'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path,
                        help="draft sets to score (default: fit.yaml and held.yaml; with --misses, fit.yaml)")
    parser.add_argument("--misses", action="store_true",
                        help="print the check's misses, extra concerns and other quotes; refused for "
                        "held.yaml")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    files = [path.resolve() for path in args.files] or ([FIT] if args.misses else [FIT, HELD])
    if args.misses and HELD in files:
        print(f"--misses: {HELD.name} is held back; only its aggregate figures are reported", file=sys.stderr)
        return 2
    report = [run(path, show_misses=args.misses) for path in files]
    print("\n\n".join(markdown(figures) for figures in report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
