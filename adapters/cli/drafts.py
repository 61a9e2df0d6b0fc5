"""`guidance-bot check-draft`: a draft post checked against the guidance, in a terminal or a script.

Public (../shared/DESIGN.md): `guidance-bot check-draft [--json] [--account personal|official]
TEXT|-`. `--json -` reads one draft a line and writes one JSON object a line, in order, flushed:
exactly `{"concerns": [{"kind", "principle", "quote", "advice"}]}`, an empty list when nothing is
found. Plain `-` reads the whole of standard input as one draft, so a post of several lines can be
piped in. Nothing is stored. Loads no knowledge base and no model: the check is rules alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the rules load only for this verb: every other command builds this parser too
    from bot.checking import Account, Concern, DraftCheck

SUMMARY = "check a draft post before posting it, or one a line with --json -"
DESCRIPTION = ("Check a draft post against what the guidance cares about: party politics, official "
               "information, promises, personal data, abuse, copyright and election periods. Each "
               "concern comes with the words that raised it and what to do instead; it never says "
               "\"safe to post\". Exit 2 when there is no draft to check.")
EMPTY = "check-draft: the draft is empty: give the text of the post, or - to read it from standard input"


def add_arguments(verb: argparse.ArgumentParser) -> None:
    verb.add_argument("--json", action="store_true",
                      help='print {"concerns": [{"kind", "principle", "quote", "advice"}]}; with -, one '
                      "draft a line in and one object a line out, in order")
    verb.add_argument("--account", choices=["personal", "official"],
                      help="the account it would be posted from (default: as the text says, else unknown)")
    verb.add_argument("draft", nargs="*", metavar="TEXT",
                      help="the draft post, or - to read it from standard input")


def run(args: argparse.Namespace) -> int:
    from bot.checking import Account, check_draft

    account = Account(args.account) if args.account else None
    if args.draft == ["-"] and args.json:
        return _lines(sys.stdin, sys.stdout, account=account)
    text = sys.stdin.read() if args.draft == ["-"] else " ".join(args.draft)
    if not text.strip():
        print(EMPTY, file=sys.stderr)
        return 2
    verdict = check_draft(text=text.strip(), account=account)
    if args.json:
        sys.stdout.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(plain(verdict) + "\n")
    return 0


def _lines(source: TextIO, out: TextIO, *, account: Account | None) -> int:
    """One verdict a line, flushed as it goes. An empty line still gets its line (so the answers
    stay in step with the drafts), is named on standard error, and makes the exit code 2."""
    from bot.checking import check_draft

    empty = []
    for number, line in enumerate(source, start=1):
        text = line.rstrip("\n").strip()
        if text:
            verdict = check_draft(text=text, account=account).to_json()
        else:
            empty.append(number)
            verdict = {"concerns": []}
        out.write(json.dumps(verdict, ensure_ascii=False) + "\n")
        out.flush()
    if empty:
        print(f"check-draft: line(s) {', '.join(map(str, empty))} empty: nothing to check", file=sys.stderr)
        return 2
    return 0


_ACCOUNT = {"personal": "a personal account", "official": "an official account",
            "unknown": "an account the message doesn't name"}  # by Account's values


def plain(verdict: DraftCheck) -> str:
    """The verdict as text to read: each concern with its principle, quoted words and advice, or
    what was checked; then the advice that holds either way."""
    lines = [f"Draft check, as a post from {_ACCOUNT[verdict.account]}.", ""]
    if verdict.concerns:
        kinds: dict[str, list[Concern]] = {}
        for concern in verdict.concerns:  # one item a kind, its quotes together, in the draft's order
            kinds.setdefault(concern.kind, []).append(concern)
        lines.append(f"{len(kinds)} concern{'s' if len(kinds) > 1 else ''}:")
        for number, (kind, concerns) in enumerate(kinds.items(), start=1):
            quotes = ", ".join(f'"{concern.quote}"' for concern in concerns)
            lines.append(f"{number}. {kind} (principle {concerns[0].principle}): {quotes}")
            lines.append(f"   {concerns[0].advice}")
        lines.append("")
    else:
        lines += ["No concerns found.", ""]
    lines += [*verdict.advice, "", "Nothing you check here is stored."]
    return "\n".join(lines)
