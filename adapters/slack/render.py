"""Block Kit from a `Reply`: pure functions, so every Slack limit is checked without a network.

Everything that came from a user or the knowledge base is escaped for mrkdwn before it is placed,
so a question can never ping `<!channel>` or smuggle in a disguised link. A reply's points may
carry other people's text (a question in `unanswered`, an argument in `audit`), so they go into
`rich_text`, which Slack shows as written: no formatting, links or mentions are parsed from it.
"""

from __future__ import annotations

import json
import re
from datetime import date

from adapters.text import split_text
from bot.messages import Point, Reply, ReplyKind

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_HEADER_CHARS = 150
MAX_FALLBACK_CHARS = 3000

SUGGEST_ACTION = "guidance_suggest"
HELPFUL_ACTION = "guidance_helpful"
NOT_HELPFUL_ACTION = "guidance_not_helpful"
SHARE_ACTION = "guidance_share"
REMINDER_MORE_ACTION = "guidance_reminder_more"
ASK_PROMPT = "Got a question about it? Mention me here, send me a direct message, or use `/guidance`."

_BROADCAST = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """Slack's three control characters, plus bare broadcast words that some clients still parse."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + _WORD_JOINER + m.group(1), text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(text: str) -> list[dict]:
    return [_section(chunk) for chunk in split_text(escape(text), limit=MAX_SECTION_CHARS)
            if chunk]  # Slack refuses an empty section: blank text is no section at all


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION_CHARS)}]}


def _button(*, label: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": {"type": "plain_text", "text": clip(label, MAX_BUTTON_LABEL),
                                         "emoji": True},
              "action_id": action_id, "value": value[:MAX_BUTTON_VALUE]}
    if style:
        button["style"] = style
    return button


def _point_runs(point: Point) -> list[dict]:
    lead = f"{point.principle}. " if point.principle is not None else "• "
    runs: list[dict] = [{"type": "text", "text": lead},
                        {"type": "text", "text": point.title or " ", "style": {"bold": True}}]
    if point.text:
        runs.append({"type": "text", "text": f": {point.text}"})
    return runs


def _point_blocks(points: tuple[Point, ...]) -> list[dict]:
    """Points as `rich_text`, one line each, in blocks of at most `MAX_SECTION_CHARS`."""
    blocks: list[list[dict]] = []
    runs: list[dict] = []
    size = 0
    for point in points:
        line = _point_runs(point)
        for run in line:
            run["text"] = clip(run["text"], MAX_SECTION_CHARS // 2)
        length = sum(len(run["text"]) for run in line)
        if runs and size + length > MAX_SECTION_CHARS:
            blocks.append(runs)
            runs, size = [], 0
        if runs:
            runs.append({"type": "text", "text": "\n"})
        runs.extend(line)
        size += length + 1
    if runs:
        blocks.append(runs)
    return [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": chunk}]}
            for chunk in blocks]


def feedback_value(*, entry: str | None, question: str | None) -> str:
    """What a feedback button carries back: the entry, and as much of the question as fits."""
    return json.dumps({"entry": entry, "question": question[:900] if question else None},
                      ensure_ascii=False)


def reply_blocks(reply: Reply, *, shareable: bool = False) -> list[dict]:
    """The Block Kit blocks of a reply; `shareable` adds "Share in channel" to private answers."""
    blocks: list[dict] = []
    if reply.title:
        blocks.append({"type": "header", "text": {"type": "plain_text", "emoji": True,
                                                  "text": clip(reply.title, MAX_HEADER_CHARS)}})
    if reply.kind is ReplyKind.ANSWER and reply.principle is not None:
        named = (f": {escape(reply.principle_title)}"
                 if reply.principle_title and reply.principle_title != reply.title else "")
        blocks.append(_context(f"Principle {reply.principle}{named}"))
    blocks.extend(_sections(reply.body or ""))
    blocks.extend(_point_blocks(reply.points))
    if reply.tip:
        blocks.append(_context(escape(reply.tip)))
    if reply.source:
        blocks.append(_context(f"Source: {escape(reply.source)}"))
    tail: list[dict] = []
    if reply.suggestions:
        tail.append({"type": "actions", "block_id": "suggestions", "elements": [
            _button(label=f"{s.title} (principle {s.principle})", action_id=f"{SUGGEST_ACTION}_{i}",
                    value=s.entry)
            for i, s in enumerate(reply.suggestions[:5])]})
    buttons = []
    if reply.feedback:
        value = feedback_value(entry=reply.entry, question=reply.question)
        buttons += [_button(label="Helpful", action_id=HELPFUL_ACTION, value=value),
                    _button(label="Not helpful", action_id=NOT_HELPFUL_ACTION, value=value)]
    if shareable and reply.kind is ReplyKind.ANSWER and reply.entry:
        buttons.append(_button(label="Share in channel", action_id=SHARE_ACTION, value=reply.entry,
                               style="primary"))
    if buttons:
        tail.append({"type": "actions", "block_id": "feedback", "elements": buttons})
    room = MAX_BLOCKS - len(tail)
    if len(blocks) > room:
        blocks = blocks[: room - 1] + [_context("_The answer is too long to show in full here._")]
    return blocks + tail


def reply_message(reply: Reply, *, shareable: bool = False) -> dict:
    """Keyword arguments for chat.postMessage and friends: blocks plus the notification `text`."""
    return {"text": clip(escape(reply.text), MAX_FALLBACK_CHARS),
            "blocks": reply_blocks(reply, shareable=shareable)}


def reminder_message(reply: Reply) -> dict:
    """The daily reminder a channel subscribed to: the principle, its one-paragraph reminder, the
    day's tip, and a way to ask. The button answers privately, so one click never posts to all."""
    blocks: list[dict] = []
    if reply.title:
        blocks.append({"type": "header", "text": {"type": "plain_text", "emoji": True,
                                                  "text": clip(reply.title, MAX_HEADER_CHARS)}})
    if reply.body:
        blocks.extend(_sections(reply.body))
    if reply.tip:
        tip = reply.tip if reply.tip.lower().startswith("tip") else f"Tip: {reply.tip}"
        blocks.append(_context(f":bulb: {escape(tip)}"))
    if reply.source:
        blocks.append(_context(f"Source: {escape(reply.source)}"))
    blocks = blocks[: MAX_BLOCKS - 2]
    blocks.append(_section(ASK_PROMPT))
    if reply.entry:
        blocks.append({"type": "actions", "block_id": "reminder", "elements": [
            _button(label="Tell me more", action_id=REMINDER_MORE_ACTION, value=reply.entry,
                    style="primary")]})
    return {"text": clip(escape(reply.text), MAX_FALLBACK_CHARS), "blocks": blocks,
            "unfurl_links": False, "unfurl_media": False}


def home_view(*, principles: Reply, today: Reply, day: date) -> dict:
    """The App Home tab: today's principle first, then all six."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Guidance Bot", "emoji": True}},
        _section("Ask me about the civil service guidance on social media: mention me in a "
                 "channel, send me a direct message, or use `/guidance`."),
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                    "text": clip(today.title or "Principle of the day", MAX_HEADER_CHARS)}},
        _context(f"{day:%A %-d %B %Y}"),
    ]
    if today.body:
        blocks.extend(_sections(today.body))
    if today.tip:
        blocks.append(_context(escape(today.tip)))
    blocks += [{"type": "divider"},
               {"type": "header", "text": {"type": "plain_text", "text": "The six principles",
                                           "emoji": True}}]
    for point in principles.points:
        text = f"*{point.principle}. {escape(point.title)}*"
        if point.text:
            text += f"\n{escape(point.text)}"
        blocks.append(_section(clip(text, MAX_SECTION_CHARS)))
    return {"type": "home", "blocks": blocks[:100]}
