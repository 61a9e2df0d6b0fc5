"""The two values that cross the line between the core and the adapters.

An adapter turns a platform event into a `Message`, hands it to `Core.handle`, and renders the
`Reply` it gets back. A reply says *what* to say; each adapter decides *how* (Block Kit, an
Adaptive Card, HTML), so nothing here knows about a platform's markup. The one rendering kept here
is `plain_text`, the reply as text without markup, because every adapter needs it: the CLI and the
web chat show it, and Slack and Teams notify with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ReplyKind(StrEnum):
    ANSWER = "answer"  # a knowledge-base entry answers the question
    SUGGESTIONS = "suggestions"  # unsure: "did you mean" one of `suggestions`
    NOT_FOUND = "not_found"  # outside the guidance: an honest "I don't know"
    NOTICE = "notice"  # help, the list of principles, a welcome, admin results
    REFUSAL = "refusal"  # the user may not do that (admin commands)


@dataclass(frozen=True, kw_only=True)
class Message:
    """What a person said, wherever they said it."""

    platform: str  # "slack", "teams", "web", "cli"
    user_id: str
    text: str
    channel_id: str | None = None
    is_direct: bool = True  # a DM, a personal chat, the web chat or the CLI
    user_name: str | None = None
    authenticated_admin: bool = False  # web chat only: the admin token was presented
    anonymous: bool = False  # the sender named their own user id (the Teams Emulator): never admin
    # Slack: the workspace (and Enterprise Grid org) the user acts from, as the signed request
    # says, and whether it is the one the bot is installed in.
    workspaces: tuple[str, ...] = ()
    home_workspace: bool = True


@dataclass(frozen=True, kw_only=True)
class Suggestion:
    entry: str
    principle: int
    title: str
    score: float


@dataclass(frozen=True, kw_only=True)
class Point:
    """One item of a list inside a reply: a principle, a subscription, an audit line."""

    title: str
    text: str = ""
    principle: int | None = None


class Listing(StrEnum):
    """How the plain text writes a point that is not a principle. A principle is "3. Title"
    whatever the listing, as Slack and Teams number them too."""

    BULLETS = "bullets"  # "• title: text"
    COUNTS = "counts"  # "• title (text)": the text counts something about the title
    LINES = "lines"  # "title: text", or the title alone: results an admin reads line by line

    def line(self, point: Point) -> str:
        if point.principle is not None:
            return f"{point.principle}. {point.title}"
        if self is Listing.BULLETS:
            return f"• {point.title}: {point.text}"
        if self is Listing.COUNTS:
            return f"• {point.title} ({point.text})"
        return f"{point.title}: {point.text}" if point.text else point.title

    def lines(self, points: Iterable[Point]) -> str:
        return "\n".join(self.line(point) for point in points)


class Layout(StrEnum):
    """Where the plain text lists a reply's points and suggestions. Slack and Teams place them
    their own way, always after the body."""

    UNDER_BODY = "under_body"  # on the lines under the body's first paragraph, which leads in
    AFTER_BODY = "after_body"  # a paragraph of their own after the body, opened by `lead`
    BEFORE_BODY = "before_body"  # a paragraph of their own before the body, opened by `lead`


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What to say back, as data; `text` is all of it as plain text (`plain_text`).

    The fields after `ok` shape only the plain text: Slack and Teams lay the same data out their
    own way, with room for more than lines and paragraphs.
    """

    kind: ReplyKind
    title: str | None = None
    body: str | None = None  # the answer or notice itself, without title or source
    principle: int | None = None
    principle_title: str | None = None  # an answer's principle's title, which it names
    entry: str | None = None
    score: float = 0.0
    source: str | None = None
    tip: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    points: tuple[Point, ...] = ()
    feedback: bool = False  # worth asking "was this helpful?"
    question: str | None = None  # the question as matched, for feedback and logging
    ok: bool = True  # False when an admin command ran but its action failed (a refused reload)
    day: date | None = None  # a reminder asked for on a day that has none: the day it is for
    layout: Layout = Layout.UNDER_BODY
    lead: str | None = None  # the line that opens a paragraph of points ("You can also say:")
    listing: Listing = Listing.BULLETS
    closing: str | None = None  # the last paragraph: Slack's and Teams' reminders end their own way
    # The plain text written out, for the one reply no layout says (`status` puts its last reload
    # between lines of its body); None for every other reply, whose text `plain_text` composes.
    written: str | None = None

    @property
    def answered(self) -> bool:
        return self.kind is ReplyKind.ANSWER

    @property
    def text(self) -> str:
        return plain_text(self)

    def to_json(self) -> dict:
        """The public JSON shape of `ask --json` and `POST /api/chat`."""
        return {
            "answered": self.answered,
            "kind": str(self.kind),
            "principle": self.principle,
            "entry": self.entry,
            "title": self.title,
            "text": self.text,
            "score": round(self.score, 1),
            "source": self.source,
            "suggestions": [
                {"entry": s.entry, "principle": s.principle, "title": s.title,
                 "score": round(s.score, 1)}
                for s in self.suggestions
            ],
        }


_UNSURE = "If not, I may not cover it."


def plain_text(reply: Reply) -> str:
    """The whole reply without markup: what the CLI prints, the web chat and `ask --json` show,
    and Slack and Teams notify with, so all of them say the same.

    Paragraphs, blank-line apart: a reply about one entry opens with its title; then the body
    with its points and suggestions (`layout`); the tip; the source of an answer (a notice, the
    principle of the day, leaves it to the platforms with room for it); `closing`. A reply with
    nothing else to say says its title, so a notification is never empty.
    """
    if reply.written is not None:
        return reply.written
    listed = [reply.listing.line(point) for point in reply.points] + [
        f"{number}. {s.title} (principle {s.principle})"
        for number, s in enumerate(reply.suggestions, 1)]
    body = reply.body.split("\n\n", 1) if reply.body else []
    apart: list[str] = []
    if listed and reply.layout is Layout.UNDER_BODY:
        body[:1] = ["\n".join(body[:1] + listed)]
    elif listed:
        apart = ["\n".join(([reply.lead] if reply.lead else []) + listed)]
    before, after = (apart, []) if reply.layout is Layout.BEFORE_BODY else ([], apart)
    source = f"Source: {reply.source}" if reply.source and reply.kind is not ReplyKind.NOTICE else ""
    parts = [_heading(reply), *before, *body, *after, _tip(reply), source, reply.closing or ""]
    return "\n\n".join(part for part in parts if part) or reply.title or ""


def _heading(reply: Reply) -> str:
    if reply.entry is None or not reply.title:
        return ""
    if reply.kind is ReplyKind.ANSWER and reply.principle is not None:
        named = f": {reply.principle_title}" if reply.principle_title else ""
        return f"{reply.title} (Principle {reply.principle}{named})"
    return f"{reply.title} (on {reply.day:%A})" if reply.day else reply.title


def _tip(reply: Reply) -> str:
    """Where else to ask, in a reply that cannot answer; otherwise a tip."""
    if not reply.tip:
        return ""
    if reply.kind is ReplyKind.NOT_FOUND:
        return reply.tip
    if reply.kind is ReplyKind.SUGGESTIONS:
        return f"{_UNSURE} {reply.tip}"
    return f"Tip: {reply.tip}"
