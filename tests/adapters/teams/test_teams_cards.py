"""Adaptive Cards from replies: pure JSON, checked without any SDK."""

from __future__ import annotations

import json

import pytest

from adapters.teams.cards import (
    CARD_CONTENT_TYPE,
    MAX_ACTIVITY_BYTES,
    MAX_CHUNK_CHARS,
    ONLY_YOU,
    TOO_LONG,
    encoded_size,
    private_answer,
    render,
    summary,
)
from adapters.text import split_text
from bot.knowledge.loader import load_knowledge
from bot.messages import Point, Reply, ReplyKind, Suggestion
from tests.cores import new_core
from tests.kbfactory import write_knowledge

ALLOWED_ELEMENTS = {"TextBlock", "Container", "RichTextBlock"}


@pytest.fixture
def core(tmp_path):
    return new_core(knowledge=load_knowledge(path=write_knowledge(tmp_path)))


def only_card(reply: Reply) -> dict:
    (activity,) = render(reply)
    assert activity["type"] == "message"
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    return attachment["content"]


def texts(card: dict) -> list[str]:
    found = []

    def walk(items):
        for item in items:
            assert item["type"] in ALLOWED_ELEMENTS
            if item["type"] == "TextBlock":
                assert item["wrap"] is True
                found.append(item["text"])
            if item["type"] == "RichTextBlock":  # TextRuns: no Markdown; bold is `weight`
                found.append("".join(f"**{run['text']}**" if run.get("weight") == "Bolder"
                                     else run["text"] for run in item["inlines"]))
            walk(item.get("items", []))

    walk(card["body"])
    return found


def answer(**changes) -> Reply:
    values = dict(kind=ReplyKind.ANSWER, title="Posting about politics", body="Be careful.",
                  principle=6, entry="politics", source="Civil Service Code", feedback=True,
                  question="can I post about politics")
    values.update(changes)
    return Reply(**values)


def test_every_card_is_version_1_5_with_schema_and_fallback(core):
    for reply in (core.help(), core.welcome(), core.principles(), core.principle(number=2),
                  core.not_covered(snapshot=core.snapshot), core.today(), answer()):
        card = only_card(reply)
        assert card["type"] == "AdaptiveCard"
        assert card["version"] == "1.5"
        assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
        assert card["fallbackText"]
        json.dumps(card)  # plain JSON, nothing the SDK must serialise


def test_answer_card_has_principle_title_answer_source_and_feedback():
    card = only_card(answer())
    assert texts(card) == ["Principle 6", "Posting about politics", "Be careful.",
                           "Source: Civil Service Code"]
    assert card["body"][1]["weight"] == "Bolder"
    assert [(a["type"], a["title"], a["data"]) for a in card["actions"]] == [
        ("Action.Submit", "Helpful", {"action": "feedback", "entry": "politics", "helpful": True,
                                      "question": "can I post about politics"}),
        ("Action.Submit", "Not helpful", {"action": "feedback", "entry": "politics",
                                          "helpful": False,
                                          "question": "can I post about politics"}),
    ]


def test_answer_without_question_sends_no_question_field():
    card = only_card(answer(question=None))
    assert all("question" not in action["data"] for action in card["actions"])


def test_no_feedback_buttons_unless_the_reply_asks_for_them(core):
    assert "actions" not in only_card(answer(feedback=False))
    assert "actions" not in only_card(core.help())
    assert "actions" not in only_card(core.today())


def test_suggestions_become_submit_buttons_that_answer_that_entry():
    reply = Reply(kind=ReplyKind.SUGGESTIONS, title="Did you mean…", body="Not sure.",
                  suggestions=(
                      Suggestion(entry="a", principle=1, title="Alpha", score=70.0),
                      Suggestion(entry="b", principle=4, title="B" * 200, score=65.0)))
    card = only_card(reply)
    assert texts(card) == ["Did you mean…", "Not sure."]
    actions = card["actions"]
    assert [a["data"] for a in actions] == [{"action": "answer", "entry": "a"},
                                            {"action": "answer", "entry": "b"}]
    assert actions[0]["title"] == "Alpha (principle 1)"
    assert len(actions[1]["title"]) <= 60 and actions[1]["title"].endswith("…")


def test_welcome_lists_the_six_principles_in_order(core):
    card = only_card(core.welcome())
    lines = texts(card)
    assert lines[0] == "Welcome to Guidance Bot"
    numbered = [line for line in lines if line[:2] in {f"{n}." for n in range(1, 7)}]
    assert [line[:2] for line in numbered] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert "**Go where citizens already are**" in numbered[0]


def test_help_lists_the_commands(core):
    lines = texts(only_card(core.help()))
    assert "**principles**: the six principles of the guidance" in lines
    assert "**today**: the principle of the day" in lines


def test_not_found_says_where_else_to_ask(core):
    reply = core.not_covered(snapshot=core.snapshot)
    lines = texts(only_card(reply))
    assert reply.tip in lines
    assert not any(line.startswith("Tip:") for line in lines)


def test_a_topic_outside_the_guidance_shows_no_principle_and_no_buttons(tmp_path):
    core = new_core(knowledge=load_knowledge(path=write_knowledge(tmp_path / "outside", outside=1)))
    reply = core.answer(question="how do i reset my chirper password")
    content = only_card(reply)
    lines = texts(content)
    assert not any("rinciple" in line for line in lines) and "actions" not in content
    assert lines[0] == reply.title and reply.tip in lines
    assert summary(reply) == reply.title


def test_daily_tip_is_prefixed_once(core):
    reply = Reply(kind=ReplyKind.NOTICE, title="Principle of the day", body="Remember.",
                  tip="Tip: check first.")
    assert texts(only_card(reply))[-1] == "Tip: check first."
    reply = Reply(kind=ReplyKind.NOTICE, title="Principle of the day", body="Remember.",
                  tip="check first.")
    assert texts(only_card(reply))[-1] == "Tip: check first."


def test_a_reply_of_title_and_body_shows_both():
    reply = Reply(kind=ReplyKind.REFUSAL, title="Admins only", body="Sorry, admins only.")
    assert texts(only_card(reply)) == ["Admins only", "Sorry, admins only."]


def test_points_without_principles_show_title_and_text():
    reply = Reply(kind=ReplyKind.NOTICE, title="Subscriptions", body="Yours:",
                  points=(Point(title="#general", text="daily at 9"), Point(title="#comms")))
    assert texts(only_card(reply))[-2:] == ["**#general**: daily at 9", "#comms"]


def test_summary_is_one_short_line():
    assert summary(answer()) == "Posting about politics (principle 6)"
    long = Reply(kind=ReplyKind.NOTICE, body="word " * 200)
    line = summary(long)
    assert len(line) <= 200 and "\n" not in line and line.endswith("…")
    (activity,) = render(answer())
    assert activity["summary"] == "Posting about politics (principle 6)"


def test_long_answer_is_split_with_nothing_lost_and_every_part_under_the_limit():
    body = "\n\n".join(f"Paragraph {i}. " + "Some words about social media. " * 30
                       for i in range(60))
    activities = render(answer(body=body))
    assert len(activities) > 1
    for activity in activities:
        assert encoded_size(activity) < MAX_ACTIVITY_BYTES
    cards = [a["attachments"][0]["content"] for a in activities]
    joined = "\n\n".join(texts(c)[2 if i == 0 else 0] for i, c in enumerate(cards))
    assert " ".join(joined.split()) == " ".join(body.split())
    assert texts(cards[0])[:2] == ["Principle 6", "Posting about politics"]
    assert texts(cards[-1])[-1] == "Source: Civil Service Code"
    assert "actions" in cards[-1] and all("actions" not in c for c in cards[:-1])
    assert activities[0]["summary"].endswith(f"(1 of {len(activities)})")


def test_huge_text_without_spaces_still_fits():
    activities = render(answer(body="x" * 50_000))
    assert len(activities) == 17
    assert all(encoded_size(a) < MAX_ACTIVITY_BYTES for a in activities)


def test_multibyte_text_stays_under_the_byte_limit():
    activities = render(answer(body="€ " * 30_000))
    assert all(encoded_size(a) < MAX_ACTIVITY_BYTES for a in activities)


@pytest.mark.parametrize("text, pieces", [
    ("", [""]),
    ("short", ["short"]),
    ("a" * 10, ["a" * 10]),
    ("a" * 11, ["a" * 10, "a"]),
    ("one two three four", ["one two", "three four"]),
    ("First. Second.", ["First.", "Second."]),
    ("para one\n\npara two", ["para one", "para two"]),
])
def test_split_text(text, pieces):
    assert split_text(text, limit=10) == pieces


def test_split_text_pieces_respect_the_limit():
    text = " ".join(f"word{i}" for i in range(5000))
    pieces = split_text(text, limit=MAX_CHUNK_CHARS)
    assert all(len(p) <= MAX_CHUNK_CHARS for p in pieces)
    assert " ".join(pieces) == text


def test_a_private_answer_is_the_whole_answer_in_one_card_for_the_clicker():
    card = private_answer(answer())
    assert texts(card) == ["Principle 6", "Posting about politics", "Be careful.",
                           "Source: Civil Service Code", ONLY_YOU]
    assert [(a["type"], a["verb"], a["data"]["helpful"]) for a in card["actions"]] == [
        ("Action.Execute", "feedback", True), ("Action.Execute", "feedback", False)]
    voted = private_answer(answer(feedback=False), note="Thanks for your feedback.")
    assert texts(voted)[-2:] == ["Thanks for your feedback.", ONLY_YOU]
    assert "actions" not in voted


def test_a_private_answer_too_long_for_one_card_stops_short_and_says_so():
    body = "\n\n".join(f"Paragraph {i}. " + "Some words about social media. " * 30
                        for i in range(60))
    card = private_answer(answer(body=body))
    assert encoded_size(card) < MAX_ACTIVITY_BYTES
    lines = texts(card)
    assert lines[2].startswith("Paragraph 0.") and TOO_LONG in lines
    assert lines[-2:] == ["Source: Civil Service Code", ONLY_YOU]
    assert len(card["actions"]) == 2

