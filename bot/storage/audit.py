"""The audit log: every admin command, refusals included, for whoever must answer for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class AuditOutcome(StrEnum):
    OK = "ok"  # it ran and did what it says
    FAILED = "failed"  # it ran, and its action did not happen (a refused reload)
    REFUSED = "refused"  # the sender is not an admin
    ERROR = "error"  # it raised: the store failed, or a bug


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One admin command: who ran it, where, when, what, and how it ended."""

    at: datetime
    platform: str
    user_id: str
    channel_id: str | None
    command: str
    arguments: str
    outcome: AuditOutcome


class AuditLog(Protocol):
    async def record_audit(self, *, entry: AuditEntry) -> None:
        """Keep one admin command, refusals included."""

    async def audit(self, *, limit: int) -> list[AuditEntry]:
        """The latest admin commands, newest first."""
