"""Adaptive Cards from a Reply: plain JSON, so it is tested without any SDK and outlives botbuilder.

Teams renders Adaptive Cards up to version 1.5 and refuses a message over about 28 KB, so long
answers are split across several cards, each well under `MAX_ACTIVITY_BYTES`.
"""

from __future__ import annotations

import json

from adapters.text import split_text
from bot.messages import Reply, ReplyKind

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_ACTIVITY_BYTES = 20_000  # Teams' limit is about 28 KB for the whole activity
MAX_CHUNK_CHARS = 3_000
MAX_SUMMARY_CHARS = 200
MAX_BUTTON_TITLE_CHARS = 60
ANSWER_ACTION = "answer"
FEEDBACK_ACTION = "feedback"
ONLY_YOU = "Only you can see this."
TOO_LONG = "The rest is too long for this card: ask me about it in a private chat."


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary(reply: Reply) -> str:
    """One line for notifications and for clients that cannot show cards."""
    if reply.kind is ReplyKind.ANSWER and reply.title:
        heading = f"{reply.title} (principle {reply.principle})" if reply.principle else reply.title
        return _clip(heading, MAX_SUMMARY_CHARS)
    return _clip(reply.title or reply.text, MAX_SUMMARY_CHARS)


def _text(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _header(reply: Reply) -> list[dict]:
    blocks = []
    if reply.kind is ReplyKind.ANSWER and reply.principle:
        blocks.append(_text(f"Principle {reply.principle}", size="Small", isSubtle=True,
                            spacing="None"))
    if reply.title:
        blocks.append(_text(reply.title, size="Medium", weight="Bolder", style="heading"))
    return blocks


def _run(text: str, **style) -> dict:
    return {"type": "TextRun", "text": text, **style}


def _points(reply: Reply) -> list[dict]:
    """Points may carry other people's text (a question in `unanswered`, an argument in `audit`),
    so they are TextRuns, which Teams never reads as Markdown: a planted `[Re-login](https://...)`
    shows as those characters, not as a link."""
    if not reply.points:
        return []
    items = []
    for point in reply.points:
        inlines = [_run(f"{point.principle}. ")] if point.principle else []
        if point.principle or point.text:
            inlines.append(_run(point.title or " ", weight="Bolder"))
        else:
            inlines.append(_run(point.title or " "))
        if point.text and not point.principle:
            inlines.append(_run(f": {point.text}"))
        items.append({"type": "RichTextBlock", "inlines": inlines, "spacing": "Small"})
    return [{"type": "Container", "items": items}]


def _footer(reply: Reply) -> list[dict]:
    blocks = []
    if reply.tip and reply.kind is not ReplyKind.NOT_FOUND:
        blocks.append(_text(reply.tip if reply.tip.lower().startswith("tip")
                            else f"Tip: {reply.tip}", isSubtle=True))
    elif reply.tip:
        blocks.append(_text(reply.tip))
    if reply.source:
        blocks.append(_text(f"Source: {reply.source}", size="Small", isSubtle=True))
    return blocks


def _actions(reply: Reply) -> list[dict]:
    actions = [
        {"type": "Action.Submit", "title": _clip(f"{s.title} (principle {s.principle})",
                                                 MAX_BUTTON_TITLE_CHARS),
         "data": {"action": ANSWER_ACTION, "entry": s.entry}}
        for s in reply.suggestions
    ]
    if reply.feedback and reply.entry:
        question = _clip(reply.question, 500) if reply.question else None
        for title, helpful in (("Helpful", True), ("Not helpful", False)):
            data = {"action": FEEDBACK_ACTION, "entry": reply.entry, "helpful": helpful}
            if question:
                data["question"] = question
            actions.append({"type": "Action.Submit", "title": title, "data": data})
    return actions


def card(*, body: list[dict], actions: list[dict], fallback: str) -> dict:
    content = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION,
               "fallbackText": fallback, "body": body}
    if actions:
        content["actions"] = actions
    return content


def _message(content: dict, line: str) -> dict:
    """The card and nothing else to show: `text` beside a card can show in Teams as a second
    message, so the one line goes in `summary`, which the Bot Framework activity schema keeps
    for clients that cannot show cards."""
    return {"type": "message", "summary": line,
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": content}]}


def render(reply: Reply) -> list[dict]:
    """The message activities (as Bot Framework JSON) that say `reply` in Teams, in order."""
    chunks = split_text(reply.body, limit=MAX_CHUNK_CHARS) if reply.body else []
    head, points, foot, actions = _header(reply), _points(reply), _footer(reply), _actions(reply)
    line = summary(reply)
    if len(chunks) <= 1:
        body = head + [_text(chunk) for chunk in chunks] + points + foot
        return [_message(card(body=body, actions=actions, fallback=_clip(reply.text, 2000)), line)]
    messages = []
    for index, chunk in enumerate(chunks, 1):
        part = f"{line} ({index} of {len(chunks)})"
        first, last = index == 1, index == len(chunks)
        body = (head if first else []) + [_text(chunk)] + (points + foot if last else [])
        messages.append(_message(card(body=body, actions=actions if last else [],
                                      fallback=_clip(chunk, 2000)), part))
    return messages


ASK_PROMPT = "Got a question about it? @mention me here, or chat with me privately."


def _execute(title: str, data: dict) -> dict:
    """A Universal Actions button: Teams sends it to the bot as an `adaptiveCard/action` invoke
    and shows the card the bot answers with to the person who clicked, and to nobody else."""
    return {"type": "Action.Execute", "title": title, "verb": data["action"], "data": data}


def reminder(reply: Reply) -> list[dict]:
    """A channel's daily reminder: the principle, its reminder and tip, then how to ask, with a
    "Tell me more" button that shows the principle in full to whoever clicks it, and only to them.
    The button sits in an ActionSet and is dropped where Action.Execute is unknown (Teams clients
    from before Universal Actions), as Microsoft advises; an Action.Submit in its place would
    answer in the thread, for everyone."""
    body = _header(reply) + ([_text(reply.body)] if reply.body else []) + _footer(reply)
    body.append(_text(ASK_PROMPT, spacing="Medium"))
    if reply.entry:
        button = {**_execute("Tell me more", {"action": ANSWER_ACTION, "entry": reply.entry}),
                  "fallback": "drop"}
        body.append({"type": "ActionSet", "actions": [button]})
    return [_message(card(body=body, actions=[], fallback=_clip(reply.text, 2000)),
                     summary(reply))]


def private_answer(reply: Reply, *, note: str | None = None) -> dict:
    """The card an `adaptiveCard/action` invoke answers with: `reply` whole in one card (as much
    as fits), said to be for the clicker alone, with `note` (the thanks for a vote) at the end.
    Its feedback buttons are Universal Actions too, so a vote stays as private as the answer."""
    head, tail = _header(reply), _points(reply) + _footer(reply)
    if note:
        tail.append(_text(note, weight="Bolder"))
    tail.append(_text(ONLY_YOU, size="Small", isSubtle=True))
    actions = []
    if reply.feedback and reply.entry:
        for title, helpful in (("Helpful", True), ("Not helpful", False)):
            actions.append(_execute(title, {"action": FEEDBACK_ACTION, "entry": reply.entry,
                                            "helpful": helpful}))
    chunks = split_text(reply.body, limit=MAX_CHUNK_CHARS) if reply.body else []
    kept = len(chunks)
    while True:
        shown = [_text(chunk) for chunk in chunks[:kept]]
        if kept < len(chunks):
            shown.append(_text(TOO_LONG, isSubtle=True))
        content = card(body=head + shown + tail, actions=actions, fallback=_clip(reply.text, 2000))
        if kept <= 1 or encoded_size(content) < MAX_ACTIVITY_BYTES:
            return content
        kept -= 1


def encoded_size(activity: dict) -> int:
    return len(json.dumps(activity, ensure_ascii=False).encode("utf-8"))
