"""Admin commands in chat: `reload` and `status`. The core checks who may run them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core import Core
from bot.messages import Message, Point, Reply, ReplyKind
from bot.reload import Reloader, ReloadResult

MAX_LISTED = 10


@dataclass(frozen=True, kw_only=True)
class LastReload:
    by: str
    platform: str
    at: datetime
    ok: bool
    version: str


def describe(result: ReloadResult) -> Reply:
    """The admin's reply: what is served now, what changed, and what to look at."""
    if not result.ok:
        problems = [str(p) for p in result.problems]
        shown = problems[:MAX_LISTED * 3]
        more = len(problems) - len(shown)
        text = "\n".join([f"Reload refused: the knowledge base has {len(problems)} problem(s). "
                          f"Still serving version {result.version}.", *shown]
                         + ([f"…and {more} more"] if more else []))
        return Reply(kind=ReplyKind.NOTICE, title="Reload refused", body=text.split("\n", 1)[0],
                     points=tuple(Point(title=p) for p in shown), text=text)
    changes = result.changes
    lines = [f"Reloaded: now serving version {result.version} (was {result.previous}), "
             f"{result.entries} entries, {result.questions} questions.",
             f"Added {len(changes.added)}, removed {len(changes.removed)}, "
             f"changed {len(changes.changed)}."]
    points = []
    for label, ids in (("Added", changes.added), ("Removed", changes.removed),
                       ("Changed", changes.changed)):
        if ids:
            points.append(Point(title=label, text=", ".join(ids[:MAX_LISTED * 2])))
    if result.regressions:
        shown = result.regressions[:MAX_LISTED]
        points.append(Point(title=f"{len(result.regressions)} question(s) now land elsewhere",
                            text="\n".join(f"'{r.question}' ({r.entry}) → {r.landed_on or 'no answer'}"
                                           for r in shown)))
    if result.conflicts:
        shown = result.conflicts[:MAX_LISTED]
        points.append(Point(title=f"{len(result.conflicts)} near-duplicate question(s)",
                            text="\n".join(f"{c.first}: '{c.question}' ~ {c.second}: "
                                           f"'{c.other_question}'" for c in shown)))
    text = "\n".join(lines + [f"{p.title}: {p.text}" for p in points])
    return Reply(kind=ReplyKind.NOTICE, title="Knowledge base reloaded", body="\n".join(lines),
                 points=tuple(points), text=text)


class AdminCommands:
    def __init__(self, *, core: Core, reloader: Reloader) -> None:
        self.core = core
        self.reloader = reloader
        self.last_reload: LastReload | None = None

    def register(self) -> None:
        self.core.register_admin(name="reload", summary="re-read and swap in the knowledge base",
                                 run=self.reload)
        self.core.register_admin(name="status", summary="the version served and the last reload",
                                 run=self.status)

    async def reload(self, message: Message, arguments: str) -> Reply:
        result = await self.reloader.reload()
        self.last_reload = LastReload(by=message.user_name or message.user_id,
                                      platform=message.platform, at=self.core.clock(),
                                      ok=result.ok, version=result.version)
        return describe(result)

    async def status(self, message: Message, arguments: str) -> Reply:
        knowledge = self.core.knowledge
        lines = [f"Serving knowledge-base version {knowledge.version}, "
                 f"{len(knowledge.entries)} entries."]
        last = self.last_reload
        if last:
            outcome = "succeeded" if last.ok else "was refused"
            lines.append(f"Last reload by {last.by} ({last.platform}) at "
                         f"{last.at:%Y-%m-%d %H:%M} UTC {outcome}.")
        else:
            lines.append("No reload since start.")
        return Reply(kind=ReplyKind.NOTICE, title="Status", body="\n".join(lines),
                     text="\n".join(lines))
