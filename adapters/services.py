"""The composition root: the one place that makes the bot's parts and passes them to each other.

`build` makes what a process works with, from settings: the store, the clock, the encoder, the
core, and the commands and background work that register on it. The web application
(`app.application`) mounts the result and runs its background work; the command line uses it
alone; tests pass their own store, clock or encoder. It imports no web server, platform SDK or
database library itself, so `guidance-bot ask` starts without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.conversation.admin import AdminCommands
from bot.conversation.core import Clock, Core
from bot.knowledge.instances import KnowledgeSync, default_instance_id
from bot.knowledge.loader import load_knowledge
from bot.knowledge.reload import Reloader
from bot.matching.queue import MatchQueue
from bot.reminders import service as reminders
from bot.settings import Settings
from bot.storage.store import Store, on_first_use

if TYPE_CHECKING:
    from adapters.observability import Metrics
    from bot.insights.questionlog import QuestionLog
    from bot.matching.encoder import Encoder


@dataclass(frozen=True, kw_only=True)
class Services:
    """What one process works with, made once by `build`."""

    settings: Settings
    store: Store
    own_store: bool  # made by `build` from DATABASE_URL, so migrated and closed with the app
    core: Core
    reloader: Reloader
    sync: KnowledgeSync
    admin: AdminCommands
    reminders: reminders.ReminderRunner
    question_log: QuestionLog | None
    metrics: Metrics | None


def _now() -> datetime:
    return datetime.now(UTC)


def build(*, settings: Settings, store: Store | None = None, clock: Clock | None = None,
          encoder: Encoder | None = None, serving: bool = True) -> Services:
    """`serving` is False for the command line, which logs no questions, exports no metrics, and
    opens the database only if a command writes to it. Raises KnowledgeError when the configured
    knowledge base is broken."""
    clock = clock or _now
    own_store = store is None
    if store is None:
        def open_store() -> Store:
            from bot.storage.sqlstore import SQLStore

            return SQLStore.from_url(url=settings.database_url, data_dir=settings.data_dir)

        # The command line's questions never touch the database: opened if something writes.
        store = open_store() if serving else on_first_use(open_store)
    if encoder is None:
        from bot.matching.encoder import load_encoder

        encoder = load_encoder()
    question_log = metrics = None
    if serving:
        from adapters.observability import Metrics
        from bot.insights.questionlog import QuestionLog, log_key

        question_log = QuestionLog(store=store, key=log_key(configured=settings.question_log_key),
                                   clock=clock)
        metrics = Metrics()
    core = Core(knowledge=load_knowledge(path=settings.knowledge_path), admins=settings.admins,
                store=store, clock=clock, timezone=settings.reminder_timezone,
                thresholds=settings.thresholds, encoder=encoder, matching=MatchQueue(),
                question_log=question_log, observers=(metrics,) if metrics else ())
    fetch = None
    if settings.knowledge_url:
        from adapters.fetch import url_fetcher

        fetch = url_fetcher()
    reloader = Reloader(core=core, path=settings.knowledge_path, url=settings.knowledge_url,
                        fetch=fetch)
    sync = KnowledgeSync(core=core, reloader=reloader, store=store,
                         instance=settings.instance_id or default_instance_id())
    admin = AdminCommands(core=core, reloader=reloader, sync=sync,
                          question_log_days=settings.question_log_days)
    admin.register()
    runner = reminders.setup(settings=settings, core=core, senders={})
    return Services(settings=settings, store=store, own_store=own_store, core=core,
                    reloader=reloader, sync=sync, admin=admin, reminders=runner,
                    question_log=question_log, metrics=metrics)
