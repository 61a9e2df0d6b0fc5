"""Reloading the knowledge base while the bot keeps answering.

The new version is read, validated and indexed completely off to the side; only then does one
assignment swap it in (`Core.swap`), so a question is answered wholly from the old version or
wholly from the new one. A broken knowledge base never gets that far: the old one keeps serving
and the admin gets every problem as `file:line: message`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from bot.conversation.core import Core, Snapshot
from bot.knowledge.loader import KnowledgeBase, KnowledgeError, Problem, load_knowledge, parse_knowledge
from bot.observe import Reloaded
from bot.text import normalise

Fetch = Callable[[str], Awaitable[bytes]]  # raises KnowledgeError for an unreachable URL
NEAR_DUPLICATE = 92
MAX_CONFLICT_VARIANTS = 4000  # pairwise comparison beyond this costs seconds; skipped then


@dataclass(frozen=True, kw_only=True)
class Moved:
    """One of the knowledge base's own questions that the new version answers from another entry
    than the version it replaced did (None: no answer)."""

    question: str
    owner: str  # the entry that carries it: in the new version, or in the old when it was removed
    removed: bool  # the new version no longer has this question
    before: str | None
    after: str | None


@dataclass(frozen=True, kw_only=True)
class Conflict:
    """Two entries that carry nearly the same question: the matcher cannot tell them apart."""

    first: str
    second: str
    question: str
    other_question: str


@dataclass(frozen=True, kw_only=True)
class Changes:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ReloadResult:
    ok: bool
    version: str  # what is served after the reload
    previous: str
    problems: tuple[Problem, ...] = ()
    changes: Changes = Changes()
    entries: int = 0
    questions: int = 0
    moved: tuple[Moved, ...] | None = None  # None: not compared (converging on another's release)
    conflicts: tuple[Conflict, ...] = ()


def diff(old: KnowledgeBase, new: KnowledgeBase) -> Changes:
    before = {e.id: e for e in old.entries}
    after = {e.id: e for e in new.entries}

    def content(entry):
        return (entry.kind, entry.principle, entry.title, entry.answer, entry.source,
                entry.questions, entry.keywords, entry.reminder, entry.tips)

    return Changes(
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        changed=tuple(i for i in after if i in before and content(after[i]) != content(before[i])),
    )


def moved(old: Snapshot, new: Snapshot) -> tuple[Moved, ...]:
    """Each question of the new version, and each the new version dropped, matched by both
    versions without the exact-match shortcut, so what an edit changes in what wording alone finds
    shows; the questions whose entry differs. Only `match.entry` is read: whichever matcher is
    behind a snapshot, the comparison is of what the bot would answer with."""
    owners: dict[str, tuple[str, bool]] = {}
    for entry in new.knowledge.entries:
        for question in entry.questions:
            owners.setdefault(question, (entry.id, False))
    for entry in old.knowledge.entries:
        for question in entry.questions:
            owners.setdefault(question, (entry.id, True))
    found = []
    for question, (owner, removed) in owners.items():
        before = old.matcher.match(text=question, exact=False).entry
        after = new.matcher.match(text=question, exact=False).entry
        before_id, after_id = (before.id if before else None), (after.id if after else None)
        if before_id != after_id:
            found.append(Moved(question=question, owner=owner, removed=removed, before=before_id,
                               after=after_id))
    return tuple(found)


class Comparison:
    """What one reload moved, worked out once, in a worker thread (with a sentence encoder it
    takes seconds). An instance converging on another's release keeps both versions and works it
    out only if an admin asks that instance (`reload changes`)."""

    def __init__(self, *, old: Snapshot, new: Snapshot) -> None:
        self.previous = old.knowledge.version
        self.version = new.knowledge.version
        self._snapshots: tuple[Snapshot, Snapshot] | None = (old, new)
        self._moved: tuple[Moved, ...] | None = None
        self._lock = asyncio.Lock()

    async def moved(self) -> tuple[Moved, ...]:
        async with self._lock:
            if self._moved is None:
                if self._snapshots is None:  # dropped only once compared, so never
                    raise RuntimeError("the versions to compare are no longer kept")
                self._moved = await asyncio.to_thread(moved, *self._snapshots)
            self._snapshots = None  # the old version is not kept once it has been compared
            return self._moved


def conflicts(knowledge: KnowledgeBase) -> tuple[Conflict, ...]:
    """Near-identical variants under different entries (identical ones are refused outright)."""
    variants = [(normalise(q), q, e.id) for e in knowledge.entries for q in e.questions]
    if len(variants) > MAX_CONFLICT_VARIANTS:
        return ()
    found = []
    for i, (folded, question, owner) in enumerate(variants):
        for other_folded, other_question, other_owner in variants[i + 1:]:
            if other_owner != owner and fuzz.ratio(folded, other_folded) >= NEAR_DUPLICATE and (
                _numbers(folded) == _numbers(other_folded)
            ):
                found.append(Conflict(first=owner, second=other_owner, question=question,
                                      other_question=other_question))
    return tuple(found)


def _numbers(text: str) -> list[str]:
    """"principle 1" and "principle 2" differ by one character and mean different things."""
    return [word for word in text.split() if word.isdigit()]


class Reloader:
    """Reads the configured source (a path, or a URL when set), checks it, swaps it in."""

    def __init__(self, *, core: Core, path: Path, url: str | None = None,
                 fetch: Fetch | None = None) -> None:
        if url and fetch is None:
            raise ValueError("a knowledge URL needs a fetch function")
        self.core = core
        self.path = path
        self.url = url
        self.fetch = fetch
        self.last: Comparison | None = None  # the latest reload that changed the version
        self._lock = asyncio.Lock()

    async def read(self) -> KnowledgeBase:
        if self.url:
            if self.fetch is None:  # __init__ refuses this already
                raise ValueError("a knowledge URL needs a fetch function")
            data = await self.fetch(self.url)
            name = self.url.rsplit("/", 1)[-1] or "knowledge.yaml"
            return parse_knowledge(sources=[(name, data)])
        return await asyncio.to_thread(load_knowledge, path=self.path)

    async def reload(self, *, expect: str | None = None) -> ReloadResult:
        """With `expect`, swap in only that version (another instance's release)."""
        result = await self._reload(expect=expect)
        self.core.notify(Reloaded(ok=result.ok, version=result.version))
        return result

    async def _reload(self, *, expect: str | None) -> ReloadResult:
        async with self._lock:
            previous = self.core.snapshot
            try:
                knowledge = await self.read()
            except KnowledgeError as error:
                return ReloadResult(ok=False, version=previous.knowledge.version,
                                    previous=previous.knowledge.version, problems=error.problems)
            if expect is not None and knowledge.version != expect:
                source = self.url or str(self.path)
                return ReloadResult(ok=False, version=previous.knowledge.version,
                                    previous=previous.knowledge.version, problems=(Problem(
                                        file=source, line=0,
                                        message=f"yields version {knowledge.version}, not {expect}"),))
            snapshot = await asyncio.to_thread(self.core.build_snapshot, knowledge=knowledge)
            self.core.swap(snapshot=snapshot)
            same = knowledge.version == previous.knowledge.version
            comparison: Comparison | None = None
            if not same:  # a reload of the same files keeps what the last change moved listable
                comparison = self.last = Comparison(old=previous, new=snapshot)
            found_moved: tuple[Moved, ...] | None = None
            found_conflicts: tuple[Conflict, ...] = ()
            if expect is None:  # converging on another instance's release: it reported these
                found_moved = () if comparison is None else await comparison.moved()
                found_conflicts = await asyncio.to_thread(conflicts, knowledge)
            return ReloadResult(
                ok=True, version=knowledge.version, previous=previous.knowledge.version,
                changes=diff(previous.knowledge, knowledge), entries=len(knowledge.entries),
                questions=sum(len(e.questions) for e in knowledge.entries),
                moved=found_moved, conflicts=found_conflicts,
            )
