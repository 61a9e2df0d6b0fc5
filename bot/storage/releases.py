"""Knowledge releases and instances: which knowledge-base version every instance should serve,
and which one each serves now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, kw_only=True)
class Release:
    """A reload attempt: what every instance should converge on when it succeeded."""

    version: str
    by: str
    platform: str
    at: datetime
    ok: bool


@dataclass(frozen=True, kw_only=True)
class InstanceBeat:
    """What one running instance serves, as of its last heartbeat."""

    instance: str
    version: str
    seen_at: datetime
    note: str = ""


class Releases(Protocol):
    async def record_release(self, *, release: Release) -> None:
        """Keep a reload attempt; a successful one is what every instance converges on."""

    async def last_release(self, *, ok_only: bool = False) -> Release | None:
        """The latest reload attempt (or the latest successful one)."""

    async def heartbeat(self, *, beat: InstanceBeat) -> None:
        """Say what this instance serves now."""

    async def instances(self, *, since: datetime) -> list[InstanceBeat]:
        """Instances heard from since `since`, by id."""
