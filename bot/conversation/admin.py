"""Admin commands in chat: `reload`, `status`, `audit`, `unanswered` and `stats`.

The core checks who may run them and audits every use (`Core._run_admin`). Each says what may
follow its name (`Arguments`): anything else makes the message a question, not the command.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.conversation.core import Arguments, Core
from bot.insights import records as insights
from bot.knowledge.reload import Comparison, Moved, Reloader, ReloadResult
from bot.messages import Listing, Message, Point, Reply, ReplyKind
from bot.storage.errors import StoreError
from bot.storage.questions import QuestionRecord
from bot.storage.releases import Release
from bot.text import normalise

if TYPE_CHECKING:
    from bot.knowledge.instances import KnowledgeSync

MAX_LISTED = 10
DEFAULT_DAYS = 7
MAX_DAYS = 366
DEFAULT_AUDIT = 20
MAX_AUDIT = 200
MAX_UNANSWERED_READ = 50_000  # the latest unanswered questions `unanswered` reads and groups
SILENT_AFTER = timedelta(minutes=1)
FORGET_INSTANCES_AFTER = timedelta(hours=1)


CHANGES = "changes"


def _a_number(arguments: str) -> bool:
    """A number, even one `_number` refuses ("stats 400", "audit -1"): plainly the command, which
    then says what it takes. A word ("stats about our followers", "audit abc") is a question."""
    return not arguments or arguments.lstrip("+-").isdigit()


def _number(arguments: str, *, default: int, most: int) -> int | None:
    """`stats 30` style arguments: a whole number from 1 to `most`, else None."""
    word = arguments.strip()
    if not word:
        return default
    if not (word.isascii() and word.isdigit()) or len(word) > 4:
        return None
    value = int(word)
    return value if 1 <= value <= most else None


def _usage(command: str, what: str, most: int) -> Reply:
    return Reply(kind=ReplyKind.NOTICE, title=f"Usage: {command}", body=(
        f"Say '{command}' or '{command} N', where N is {what} (1 to {most})."))


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def describe(result: ReloadResult) -> Reply:
    """The admin's reply: what is served now, what changed, and what to look at."""
    if not result.ok:
        problems = [str(p) for p in result.problems]
        shown = problems[:MAX_LISTED * 3]
        more = len(problems) - len(shown)
        return Reply(kind=ReplyKind.NOTICE, title="Reload refused", body=(
            f"Reload refused: the knowledge base has {len(problems)} problem(s). Still serving "
            f"version {result.version}."), ok=False, listing=Listing.LINES,
            points=tuple(Point(title=p) for p in shown + ([f"…and {more} more"] if more else [])))
    changes = result.changes
    lines = [f"Reloaded: now serving version {result.version} (was {result.previous}), "
             f"{result.entries} entries, {result.questions} questions.",
             f"Added {len(changes.added)}, removed {len(changes.removed)}, "
             f"changed {len(changes.changed)}." if result.version != result.previous else
             "The content is the same as the version already served."]
    points = []
    for label, ids in (("Added", changes.added), ("Removed", changes.removed),
                       ("Changed", changes.changed)):
        if ids:
            points.append(Point(title=label, text=", ".join(ids[:MAX_LISTED * 2])))
    if result.moved:
        more = len(result.moved) - MAX_LISTED
        points.append(Point(
            title=f"{len(result.moved)} question(s) now get a different answer",
            text="\n".join([_moved_line(m) for m in result.moved[:MAX_LISTED]]
                           + ([f"…and {more} more: say 'reload {CHANGES}' for all of them."]
                              if more > 0 else []))))
    elif result.moved is not None and result.version != result.previous:
        lines.append("None of the knowledge base's questions gets a different answer.")
    if result.conflicts:
        near = result.conflicts[:MAX_LISTED]
        points.append(Point(title=f"{len(result.conflicts)} near-duplicate question(s)",
                            text="\n".join(f"{c.first}: '{c.question}' ~ {c.second}: "
                                           f"'{c.other_question}'" for c in near)))
    return Reply(kind=ReplyKind.NOTICE, title="Knowledge base reloaded", body="\n".join(lines),
                 points=tuple(points), listing=Listing.LINES)


def _moved_line(moved: Moved) -> str:
    whose = f"removed from {moved.owner}" if moved.removed else moved.owner
    return (f"'{moved.question}' ({whose}): {moved.before or 'no answer'} → "
            f"{moved.after or 'no answer'}")


async def describe_changes(comparison: Comparison | None) -> Reply:
    """`reload changes`: every question the latest change of version moved, not just the first."""
    if comparison is None:
        text = ("This instance has not swapped in another knowledge-base version since it "
                "started, so it has nothing to compare. Say 'reload' after editing the knowledge "
                "base.")
        return Reply(kind=ReplyKind.NOTICE, title="Changed answers", body=text)
    moved = await comparison.moved()
    head = (f"From version {comparison.previous} to {comparison.version}, "
            + (f"{len(moved)} of the knowledge base's questions get a different answer:"
               if moved else
               "none of the knowledge base's questions gets a different answer."))
    # In the body, not as points: the platforms split a long body across messages or cards.
    return Reply(kind=ReplyKind.NOTICE, title="Changed answers",
                 body="\n".join([head] + [_moved_line(m) for m in moved]))


class AdminCommands:
    def __init__(self, *, core: Core, reloader: Reloader, sync: KnowledgeSync | None = None,
                 question_log_days: int = 30) -> None:
        self.core = core
        self.reloader = reloader
        self.sync = sync
        self.question_log_days = question_log_days

    def register(self) -> None:
        self.core.register_admin(name="reload", summary="re-read and swap in the knowledge base",
                                 run=self.reload, arguments=Arguments(
                                     usage=f"[{CHANGES}]",
                                     accepts=lambda rest: normalise(rest) in ("", CHANGES)))
        self.core.register_admin(name="status", summary="the version served and the last reload",
                                 run=self.status)
        self.core.register_admin(name="audit", summary="the latest admin commands",
                                 run=self.audit, arguments=Arguments(usage="[N]",
                                                                     accepts=_a_number))
        self.core.register_admin(name="unanswered", summary="frequent questions not answered",
                                 run=self.unanswered, arguments=Arguments(usage="[days]",
                                                                          accepts=_a_number))
        self.core.register_admin(name="stats", summary="questions, answer and helpful rates",
                                 run=self.stats, arguments=Arguments(usage="[days]",
                                                                     accepts=_a_number))

    async def reload(self, message: Message, arguments: str) -> Reply:
        if normalise(arguments) == CHANGES:
            return await describe_changes(self.reloader.last)
        result = await self.reloader.reload()
        reply = describe(result)
        # Recorded so every other instance converges on it and `status` shows it everywhere.
        try:
            await self.core.store.record_release(release=Release(
                version=result.version, by=message.user_name or message.user_id,
                platform=message.platform, at=self.core.clock(), ok=result.ok))
            if self.sync is not None:
                await self.sync.beat()
        except StoreError:  # this instance serves it already; say what did not happen
            note = ("My storage isn't responding, so other instances were not told: say "
                    "'reload' again in a few minutes.")
            # A paragraph of the body after the first: the plain text lists the points above it.
            return replace(reply, body=f"{reply.body}\n\n{note}" if reply.body else note)
        return reply

    async def status(self, message: Message, arguments: str) -> Reply:
        knowledge = self.core.knowledge
        now = self.core.clock()
        lines = [f"Serving knowledge-base version {knowledge.version}, "
                 f"{len(knowledge.entries)} entries."]
        last = await self.core.store.last_release()
        release: list[Point] = []
        if last:
            # Who reloaded is a person's name: a point, which every adapter shows as written.
            outcome = "succeeded" if last.ok else "was refused"
            release.append(Point(title="Last reload", text=(
                f"by {last.by or 'an admin'} ({last.platform}) at {_when(last.at)} {outcome}"
                + (f": version {last.version}." if last.ok else "."))))
        else:
            lines.append("No reload recorded.")
        beats = []
        for beat in await self.core.store.instances(since=now - FORGET_INSTANCES_AFTER):
            state = f"serves {beat.version}"
            if now - beat.seen_at > SILENT_AFTER:
                state += f", silent since {_when(beat.seen_at)}"
            if beat.note:
                state += f" ({beat.note})"
            here = " (this one)" if self.sync and beat.instance == self.sync.instance else ""
            beats.append(Point(title=beat.instance + here, text=state))
        if self.sync is not None and self.sync.note:
            lines.append(f"This instance {self.sync.note}; it keeps serving {knowledge.version}.")
        written = "\n".join(lines[:1] + [f"{p.title} {p.text}" for p in release] + lines[1:] + (
            [f"Instances ({len(beats)}):", Listing.BULLETS.lines(beats)] if beats else []))
        return Reply(kind=ReplyKind.NOTICE, title="Status", body="\n".join(lines),
                     points=tuple(release + beats), written=written)

    async def audit(self, message: Message, arguments: str) -> Reply:
        limit = _number(arguments, default=DEFAULT_AUDIT, most=MAX_AUDIT)
        if limit is None:
            return _usage("audit", "how many of the latest commands to list", MAX_AUDIT)
        entries = await self.core.store.audit(limit=limit)
        points = tuple(Point(
            title=f"{_when(e.at)} {e.command} {e.outcome}",
            text=f"by {e.user_id} on {e.platform}" + (f" in {e.channel_id}" if e.channel_id else "")
            + (f": {e.arguments}" if e.arguments else "")) for e in entries)
        head = f"The latest {len(points)} admin command(s), newest first:" if points else (
            "No admin commands recorded yet.")
        return Reply(kind=ReplyKind.NOTICE, title="Audit log", body=head, points=points)

    async def _records(self, days: int, *, unanswered_only: bool = False,
                       limit: int | None = None) -> list[QuestionRecord]:
        if self.core.question_log is not None:
            await self.core.question_log.flush()
        return await self.core.store.questions(since=self.core.clock() - timedelta(days=days),
                                               unanswered_only=unanswered_only, limit=limit)

    async def unanswered(self, message: Message, arguments: str) -> Reply:
        days = _number(arguments, default=DEFAULT_DAYS, most=self.question_log_days)
        if days is None:
            return _usage("unanswered", "the number of days to look back", self.question_log_days)
        records = await self._records(days, unanswered_only=True, limit=MAX_UNANSWERED_READ)
        # Grouping is CPU work on up to thousands of questions: in a thread, so answers go on.
        groups = await asyncio.to_thread(insights.unanswered, records, limit=MAX_LISTED * 2)
        points = tuple(Point(title=f"{g.count}× “{g.example}”",
                             text=f"{g.askers} asker(s)") for g in groups)
        head = (f"Questions of the last {days} day(s) that got suggestions or nothing, most "
                f"frequent first:" if points else
                f"Every question of the last {days} day(s) was answered (or none was asked).")
        return Reply(kind=ReplyKind.NOTICE, title="Unanswered questions", body=head, points=points,
                     listing=Listing.COUNTS)

    async def stats(self, message: Message, arguments: str) -> Reply:
        days = _number(arguments, default=DEFAULT_DAYS, most=MAX_DAYS)
        if days is None:
            return _usage("stats", "the number of days to look back", MAX_DAYS)
        since = self.core.clock() - timedelta(days=days)
        result = insights.stats(await self._records(days),
                                await self.core.store.feedback_since(since=since))
        lines = [f"Last {days} day(s): {result.questions} question(s) from {result.askers} "
                 f"asker(s).",
                 f"Answered {result.answered} ({result.answer_rate:.0%}), suggested "
                 f"{result.suggested}, not covered {result.not_covered}.",
                 f"Helpful {result.helpful} of {result.helpful + result.not_helpful} vote(s) "
                 f"({result.helpful_rate:.0%})."]
        points = []
        if result.by_platform:
            points.append(Point(title="By platform", text=", ".join(
                f"{name} {count}" for name, count in result.by_platform.items())))
        if result.by_principle:
            points.append(Point(title="By principle", text=", ".join(
                f"{number}: {count}" for number, count in result.by_principle.items())))
        return Reply(kind=ReplyKind.NOTICE, title="Stats", body="\n".join(lines),
                     points=tuple(points), listing=Listing.LINES)
