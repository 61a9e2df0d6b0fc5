"""The whole store: every concern's protocol in one, for the few places that need the database
as a whole (the composition root, and the core, whose admin commands read most concerns).

A consumer that needs one concern takes that concern's protocol instead (`bot.storage.events`,
`conversations`, `subscriptions`, `releases`, `audit`, `questions`), so what it may touch is in
its signature. `bot.storage.sqlstore.SQLStore` implements them all, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from bot.storage.audit import AuditLog
from bot.storage.conversations import Conversations
from bot.storage.events import EventLog
from bot.storage.questions import Questions
from bot.storage.releases import Releases
from bot.storage.subscriptions import Subscriptions

if TYPE_CHECKING:
    from bot.storage.retention import Cutoffs


class Forgetful(Protocol):
    async def forget(self, *, cutoffs: Cutoffs) -> dict[str, int]:
        """Apply the retention policy (`bot.storage.retention`): delete or blank what is older than each
        cut-off; how many records of each kind changed."""


class Store(EventLog, Conversations, Subscriptions, Releases, AuditLog, Questions, Forgetful,
            Protocol):
    async def close(self) -> None:
        """Release connections."""


class _OnFirstUse:
    """Stands in for a store, and opens it when anything first reaches for it."""

    def __init__(self, open_store: Callable[[], Store]) -> None:
        self._open = open_store
        self._store: Store | None = None

    def __getattr__(self, name: str) -> Any:
        if self._store is None:
            self._store = self._open()
        return getattr(self._store, name)


def on_first_use(open_store: Callable[[], Store]) -> Store:
    """A store made by `open_store` only once something uses it: the command line answers
    questions without loading the database's libraries, and opens it for what writes."""
    return cast(Store, _OnFirstUse(open_store))
