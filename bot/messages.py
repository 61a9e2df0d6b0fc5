"""The two values that cross the line between the core and the adapters.

An adapter turns a platform event into a `Message`, hands it to `Core.handle`, and renders the
`Reply` it gets back. A reply says *what* to say; each adapter decides *how* (Block Kit, an
Adaptive Card, HTML), so nothing here knows about a platform's markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What to say back. `text` is always the complete plain-text reply (fallbacks, CLI, logs)."""

    kind: ReplyKind
    text: str
    title: str | None = None
    body: str | None = None  # the answer or notice itself, without title or source
    principle: int | None = None
    entry: str | None = None
    score: float = 0.0
    source: str | None = None
    tip: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    points: tuple[Point, ...] = ()
    feedback: bool = False  # worth asking "was this helpful?"
    question: str | None = None  # the question as matched, for feedback and logging
    ok: bool = True  # False when an admin command ran but its action failed (a refused reload)

    @property
    def answered(self) -> bool:
        return self.kind is ReplyKind.ANSWER

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


def bullets(points: Iterable[Point], *, form: str = "{title}: {text}") -> str:
    """Points as the plain-text list of a reply's `text` (the CLI, the web chat, every platform's
    fallback): one "• " line each, `form` filled with the point's title and text."""
    return "\n".join("• " + form.format(title=p.title, text=p.text) for p in points)
