"""A core for tests that need no application (`adapters.services.build` makes the real one)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.conversation.core import Core
from bot.knowledge.loader import KnowledgeBase
from bot.matching.encoder import load_encoder
from bot.matching.queue import MatchQueue
from tests.memory_store import MemoryStore


def _now() -> datetime:
    return datetime.now(UTC)


def new_core(*, knowledge: KnowledgeBase, cls: type[Core] = Core, **options: Any) -> Core:
    """`Core` (or the subclass `cls`) with a fake store, the real clock, the shared encoder and a
    fresh match queue, unless the test passes its own (None counts as not passed)."""
    defaults = {"store": MemoryStore, "clock": lambda: _now, "encoder": load_encoder,
                "matching": MatchQueue}
    for name, make in defaults.items():
        if options.get(name) is None:
            options[name] = make()
    return cls(knowledge=knowledge, **options)
