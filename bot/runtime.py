"""Building a core from settings: shared by the web application and the command line."""

from __future__ import annotations

from bot.conversation.core import Clock, Core
from bot.knowledge.loader import load_knowledge
from bot.settings import Settings
from bot.storage.store import Store


def build_core(*, settings: Settings, store: Store | None = None, clock: Clock | None = None) -> Core:
    """Raises KnowledgeError when the configured knowledge base is broken."""
    knowledge = load_knowledge(path=settings.knowledge_path)
    return Core(knowledge=knowledge, admins=settings.admins, store=store, clock=clock,
                timezone=settings.reminder_timezone, thresholds=settings.thresholds)
