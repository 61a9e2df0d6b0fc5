"""Every kind of Adaptive Card the Teams adapter sends, through Microsoft's own `adaptivecards`
parser at version 1.5 with the Teams host config (`tests/adaptivecards/`): no warning, no error,
and every button still there after the parser has read the card."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from datetime import date, timedelta

import pytest

from adapters.services import build
from adapters.teams.cards import private_answer, reminder, render
from bot.messages import Point, Reply, ReplyKind, Suggestion
from bot.settings import PROJECT_DIR, Settings
from tests.memory_store import MemoryStore

CHECKER = PROJECT_DIR / "tests" / "adaptivecards"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (CHECKER / "node_modules" / "adaptivecards").is_dir(),
    reason="Microsoft's adaptivecards parser is not installed: "
           "`npm ci --prefix tests/adaptivecards` (needs node and the npm registry)")


def parse(cards: list[tuple[str, dict]]) -> dict[str, dict]:
    done = subprocess.run([NODE, str(CHECKER / "check.js")], input=json.dumps(cards),
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def actions_of(card: dict) -> list[str]:
    found = [action["type"] for action in card.get("actions", [])]
    for item in card["body"]:
        found += [action["type"] for action in item.get("actions", [])]
    return found


def every_kind_of_card() -> list[tuple[str, dict]]:
    core = build(settings=Settings(), store=MemoryStore(), serving=False).core
    replies = {"help": core.help(), "welcome": core.welcome(), "principles": core.principles(),
               "today": core.today(), "not covered": core.not_covered(snapshot=core.snapshot),
               "suggestions": Reply(kind=ReplyKind.SUGGESTIONS, title="Did you mean…",
                                    body="Not sure.", suggestions=(Suggestion(
                                        entry="a", principle=1, title="Alpha", score=70.0),)),
               "points": Reply(kind=ReplyKind.NOTICE, title="Subscriptions", points=(
                   Point(title="#general", text="daily at 9"), Point(title="One", principle=1)))}
    replies |= {f"principle {n}": core.principle(number=n) for n in range(1, 7)}
    cards = []
    for name, reply in replies.items():
        cards += [(f"{name} {i}", a["attachments"][0]["content"]) for i, a in enumerate(render(reply))]
    for day in range(7):
        (activity,) = reminder(core.daily(day=date(2026, 3, 2) + timedelta(days=day)))
        cards.append((f"reminder {day}", activity["attachments"][0]["content"]))
    for entry in core.snapshot.knowledge.entries:
        answer = core.answer_entry(entry_id=entry.id)
        cards += [(f"answer {entry.id} {i}", a["attachments"][0]["content"])
                  for i, a in enumerate(render(answer))]
        cards.append((f"private {entry.id}", private_answer(answer)))
    answer = core.answer_entry(entry_id=core.snapshot.knowledge.entries[0].id)
    cards.append(("private voted", private_answer(dataclasses.replace(answer, feedback=False),
                                                  note="Thanks for your feedback.")))
    cards.append(("private too long", private_answer(dataclasses.replace(
        answer, body="Some words about social media. " * 2000))))
    cards.append(("private gone", private_answer(core.answer_entry(entry_id="gone"))))
    return cards


def test_every_card_parses_cleanly_at_1_5_with_the_teams_host_config():
    cards = every_kind_of_card()
    results = parse(cards)
    assert len(results) == len(cards) > 100
    assert {name: result["events"] for name, result in results.items() if result["events"]} == {}
    for name, card in cards:
        assert [a.strip('"') for a in results[name]["actions"]] == actions_of(card), name
    assert any("Action.Execute" in actions_of(card) for _, card in cards)


def test_the_parser_reports_what_it_does_not_understand():
    bad = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Bogus"}],
           "actions": [{"type": "Action.Explode", "title": "x"}]}
    (result,) = parse([("bad", bad)]).values()
    assert len(result["events"]) >= 2 and result["actions"] == []
