"""Block Kit rendering: escaping, Slack's limits and the buttons, checked without a network."""

from __future__ import annotations

import json
from datetime import date

import pytest

from adapters.slack.render import (
    MAX_BLOCKS,
    MAX_BUTTON_LABEL,
    MAX_BUTTON_VALUE,
    MAX_SECTION_CHARS,
    escape,
    home_view,
    reply_blocks,
    reply_message,
)
from adapters.text import split_text
from bot.conversation.core import Core
from bot.knowledge.loader import load_knowledge
from bot.messages import Point, Reply, ReplyKind, Suggestion
from tests.cores import new_core
from tests.kbfactory import write_knowledge


@pytest.fixture
def core(tmp_path) -> Core:
    return new_core(knowledge=load_knowledge(path=write_knowledge(tmp_path)))


def answer(**changes) -> Reply:
    values = dict(kind=ReplyKind.ANSWER, title="Posting about politics", body="Be impartial.",
                  principle=6, entry="politics",
                  source="Civil Service Code", feedback=True, question="can I post?")
    values.update(changes)
    return Reply(**values)


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


@pytest.mark.parametrize(("raw", "escaped"), [
    ("<!channel> hello", "&lt;!channel&gt; hello"),
    ("<!here|here>", "&lt;!here|here&gt;"),
    ("<https://evil.example|gov.uk>", "&lt;https://evil.example|gov.uk&gt;"),
    ("<@U123>", "&lt;@U123&gt;"),
    ("Q&A", "Q&amp;A"),
    ("&lt;", "&amp;lt;"),
])
def test_escape_neutralises_slack_markup(raw, escaped):
    assert escape(raw) == escaped


@pytest.mark.parametrize("word", ["@here", "@channel", "@everyone", "@HERE"])
def test_escape_breaks_bare_broadcast_words(word):
    assert word not in escape(f"hey {word} look")
    assert escape(f"hey {word}").replace("\u2060", "") == f"hey {word}"


def test_an_answer_has_header_principle_body_source_and_feedback():
    blocks = reply_blocks(answer())
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                                    "text": "Posting about politics"}}
    assert blocks[1]["elements"][0]["text"] == "Principle 6"
    assert sections(blocks) == ["Be impartial."]
    assert "Source: Civil Service Code" in all_text(blocks)
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == ["guidance_helpful", "guidance_not_helpful"]
    assert json.loads(actions["elements"][0]["value"]) == {"entry": "politics",
                                                           "question": "can I post?"}


def test_an_answer_names_its_principle_unless_it_is_the_principle_itself():
    blocks = reply_blocks(answer(principle_title="Adhere to the <Civil Service> Code"))
    assert blocks[1]["elements"][0]["text"] == "Principle 6: Adhere to the &lt;Civil Service&gt; Code"
    blocks = reply_blocks(answer(title="Consult and engage", principle=2,
                                 principle_title="Consult and engage"))
    assert blocks[1]["elements"][0]["text"] == "Principle 2"


def test_user_and_knowledge_text_is_escaped_everywhere():
    hostile = "<!channel> <https://evil.example|gov.uk> & @here"
    message = reply_message(answer(title=hostile, body=hostile, source=hostile, tip=hostile))
    rendered = all_text(message["blocks"][1:]) + message["text"]
    assert "<!channel>" not in rendered and "<https://" not in rendered and "@here" not in rendered
    assert "&lt;!channel&gt;" in message["text"]
    assert message["blocks"][0]["text"]["type"] == "plain_text"  # headers are never parsed


def test_a_long_answer_is_split_into_sections_not_rejected():
    paragraphs = [f"Paragraph {i}. " + "word " * 120 for i in range(40)]
    body = "\n\n".join(paragraphs)
    texts = sections(reply_blocks(answer(body=body)))
    assert len(texts) > 1
    assert all(len(text) <= MAX_SECTION_CHARS for text in texts)
    assert " ".join(" ".join(texts).split()) == " ".join(body.split())


def test_splitting_never_cuts_an_escape_in_half():
    text = escape("&" * 5000)
    chunks = split_text(text, limit=3000)
    assert all(len(chunk) <= 3000 for chunk in chunks)
    assert all(chunk.startswith("&amp;") and chunk.endswith("&amp;") for chunk in chunks)
    assert "".join(chunks) == text


def test_an_unbroken_run_is_cut_at_the_limit():
    chunks = split_text("x" * 7000, limit=3000)
    assert [len(chunk) for chunk in chunks] == [3000, 3000, 1000]


def test_a_huge_answer_keeps_within_fifty_blocks_and_keeps_its_buttons():
    blocks = reply_blocks(answer(body="word " * 200_000), shareable=True)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert "too long to show in full" in all_text(blocks)


def test_button_labels_and_values_respect_slack_limits():
    long_title = "A very long knowledge base title " * 5
    reply = Reply(kind=ReplyKind.SUGGESTIONS, title="Did you mean…", body="Did you mean?",
                  suggestions=tuple(
                      Suggestion(entry=f"e{i}", principle=i, title=long_title, score=70)
                      for i in range(1, 4)))
    (actions,) = [b for b in reply_blocks(reply) if b["type"] == "actions"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert all(len(label) <= MAX_BUTTON_LABEL for label in labels)
    assert [e["value"] for e in actions["elements"]] == ["e1", "e2", "e3"]
    assert len({e["action_id"] for e in actions["elements"]}) == 3
    feedback = reply_blocks(answer(question="ü\"" * 3000))
    value = [b for b in feedback if b["type"] == "actions"][0]["elements"][0]["value"]
    assert len(value) <= MAX_BUTTON_VALUE
    assert json.loads(value)["entry"] == "politics"


def test_share_in_channel_is_offered_only_for_private_answers():
    def action_ids(reply, shareable):
        return [e["action_id"] for b in reply_blocks(reply, shareable=shareable)
                if b["type"] == "actions" for e in b["elements"]]

    assert "guidance_share" in action_ids(answer(), True)
    assert "guidance_share" not in action_ids(answer(), False)
    notice = Reply(kind=ReplyKind.NOTICE, title="Help", body="Ask me.")
    assert action_ids(notice, True) == []


def test_the_fallback_text_is_always_present_and_bounded():
    message = reply_message(answer(body="t" * 50_000))
    assert 0 < len(message["text"]) <= 3000
    refusal = Reply(kind=ReplyKind.REFUSAL, title="Admins only", body="Sorry, admins only.")
    assert sections(reply_blocks(refusal)) == ["Sorry, admins only."]


def rich_lines(blocks: list[dict]) -> list[str]:
    """The lines of the `rich_text` blocks, bold runs marked `*...*` for reading here only."""
    text = "".join(
        f"*{run['text']}*" if run.get("style", {}).get("bold") else run["text"]
        for block in blocks if block["type"] == "rich_text"
        for section in block["elements"] for run in section["elements"])
    return text.split("\n")


def test_lists_of_principles_are_numbered(core):
    lines = rich_lines(reply_blocks(core.principles()))
    assert lines[0].startswith("1. *Go where citizens already are*: ")
    assert lines[5].startswith("6. *Adhere to the Civil Service Code*: ")


def test_points_are_rich_text_shown_as_written_and_split_within_slack_limits():
    points = tuple(Point(title=f"<@U{i}> *bold*", text="[x](https://evil.example) " * 40)
                   for i in range(200))
    blocks = reply_blocks(Reply(kind=ReplyKind.NOTICE, title="Audit log", body="Latest:",
                                points=points))
    rich = [b for b in blocks if b["type"] == "rich_text"]
    assert len(rich) > 1 and len(blocks) <= MAX_BLOCKS
    for block in rich:
        runs = block["elements"][0]["elements"]
        assert sum(len(run["text"]) for run in runs) <= MAX_SECTION_CHARS + len(runs)
    assert rich_lines(rich)[0] == f"• *<@U0> *bold**: {points[0].text}"


def test_the_home_view_shows_today_and_all_six_principles(core):
    day = date(2026, 11, 23)
    view = home_view(principles=core.principles(), today=core.daily(day=day), day=day)
    assert view["type"] == "home"
    text = all_text(view["blocks"])
    assert core.daily(day=day).title in text
    assert "Monday 23 November 2026" in text
    for number in range(1, 7):
        assert f"*{number}. {core.knowledge.principle(number).title}*" in text
    assert len(view["blocks"]) <= 100


def test_a_topic_outside_the_guidance_shows_no_principle_and_no_buttons(tmp_path):
    core = new_core(knowledge=load_knowledge(path=write_knowledge(tmp_path / "outside", outside=1)))
    reply = core.answer(question="how do i reset my chirper password")
    blocks = reply_blocks(reply, shareable=True)
    text = all_text(blocks)
    assert "Principle" not in text and not any(b["type"] == "actions" for b in blocks)
    assert blocks[0]["text"]["text"] == reply.title
    assert core.knowledge.entry("outside-0").answer in text and "line manager" in text
