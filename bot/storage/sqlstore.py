"""The shared store on SQL: one SQLite file for one instance, PostgreSQL for many.

`SQLStore` is each concern's SQL class (`bot.storage.sql`) over one engine, plus what belongs to
the whole database: migrating it, telling /readyz whether it can write, retention's pass over
every table, and closing it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.errors import DatabaseUnreachable, StoreError, StoreFull
from bot.storage.retention import Cutoffs
from bot.storage.sql.audit import SQLAuditLog, audit_log
from bot.storage.sql.base import (
    DEFAULT_TIMEOUT,
    SLOW_TIMEOUT,
    _reason,
    bounded,
    create_engine,
    database_url,
    describe,
    describe_database,
    metadata,
)
from bot.storage.sql.conversations import SQLConversations, conversations
from bot.storage.sql.events import SQLEventLog, processed_events
from bot.storage.sql.questions import SQLQuestions, feedback_votes, question_log
from bot.storage.sql.releases import SQLReleases, instances, knowledge_releases
from bot.storage.sql.subscriptions import SQLSubscriptions, reminder_slots, subscriptions

# What app wiring, the command line and tests import from here; `metadata` is the whole schema
# only once every concern's module above has added its tables.
__all__ = ["SQLStore", "database_url", "describe", "describe_database", "lifecycle", "metadata",
           "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PROBE_KEY = "readyz:probe"  # the row /readyz writes, among the event ids, forgotten with them
MIN_FREE_BYTES = 1024 * 1024  # less room than this to grow, and the store is full


def _run_migrations(connection: sa.Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(*, engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to date; safe when several instances start at once. A database that
    cannot be reached raises `DatabaseUnreachable`; a failing migration raises as it is."""
    try:
        connection = await engine.connect()
    except Exception as error:  # whatever the driver raises: refused, timed out, auth, no file
        raise DatabaseUnreachable(where=describe(engine.url),
                                  reason=_reason(error, url=engine.url)) from error
    try:
        async with connection.begin():
            if connection.dialect.name == "postgresql":
                # Instances starting together queue here instead of racing to CREATE TABLE.
                await connection.execute(sa.text("SELECT pg_advisory_xact_lock(591005)"))
            await connection.run_sync(_run_migrations, revision)
    finally:
        await connection.close()


class SQLStore(SQLEventLog, SQLConversations, SQLSubscriptions, SQLReleases, SQLAuditLog,
               SQLQuestions):
    """The whole `Store` on one engine: one connection pool and one writer queue for every
    concern, as SQLite allows one writer at a time."""

    @classmethod
    def from_url(cls, *, url: str | None, data_dir: Path = Path("data"),
                 timeout: float = DEFAULT_TIMEOUT, **options: Any) -> SQLStore:
        return cls(engine=create_engine(url=database_url(url=url, data_dir=data_dir), **options),
                   timeout=timeout)

    async def upgrade(self) -> None:
        await upgrade(engine=self.engine)

    @bounded()
    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    async def health(self) -> str:
        """For /readyz: "ok" when the bot can write here, else what stops it: "unreachable",
        "not writable" (a read-only database, a locked file) or "full" (no room left to grow:
        a full disk, or SQLite's `max_page_count`). A write is what every request needs first
        (Slack and Teams claim each event), so a store that answers reads only is not ready."""
        try:
            await self.ping()
        except StoreError:
            return "unreachable"
        try:
            await self._write_probe()
            if self._dialect == "sqlite" and await self._sqlite_room() < MIN_FREE_BYTES:
                return "full"
        except StoreFull:
            return "full"
        except StoreError:
            return "not writable"
        return "ok"

    @bounded()
    async def _write_probe(self) -> None:
        statement = self._insert(processed_events).values(key=PROBE_KEY, seen_at=datetime.now(UTC))
        await self._execute(statement.on_conflict_do_update(
            index_elements=["key"], set_={"seen_at": statement.excluded.seen_at}))

    @bounded()
    async def _sqlite_room(self) -> int:
        """Bytes the database file can still grow by: free disk space, and what SQLite's own
        `max_page_count` allows, free pages inside the file included."""
        def read(sync: sa.Connection) -> list[int]:
            return [int(sync.exec_driver_sql(f"PRAGMA {name}").scalar_one()) for name in
                    ("page_size", "page_count", "max_page_count", "freelist_count")]

        async with self.engine.connect() as connection:
            page_size, pages, most, free = await connection.run_sync(read)
        disk = os.statvfs(Path(self._sqlite_file()).resolve().parent)
        return min(disk.f_bavail * disk.f_frsize, (most - pages + free) * page_size)

    @bounded(SLOW_TIMEOUT)
    async def forget(self, *, cutoffs: Cutoffs) -> dict[str, int]:
        """One statement a kind of record, each its own short transaction, so a pass never holds
        SQLite's one writer for long."""
        releases = knowledge_releases.c
        newest_good = (sa.select(sa.func.max(releases.id)).where(releases.ok.is_(True))
                       .scalar_subquery())
        subscribed = sa.exists().where(
            subscriptions.c.platform == conversations.c.platform,
            subscriptions.c.channel_id == conversations.c.conversation_id)
        statements = {
            "event ids": sa.delete(processed_events).where(
                processed_events.c.seen_at < cutoffs.events),
            "question texts": sa.update(question_log).where(
                question_log.c.at < cutoffs.question_text, question_log.c.text != "")
            .values(text=""),
            "questions": sa.delete(question_log).where(question_log.c.at < cutoffs.statistics),
            "vote questions": sa.update(feedback_votes).where(
                feedback_votes.c.at < cutoffs.question_text,
                feedback_votes.c.question.is_not(None)).values(question=None),
            "votes": sa.delete(feedback_votes).where(feedback_votes.c.at < cutoffs.statistics),
            "audit entries": sa.delete(audit_log).where(audit_log.c.at < cutoffs.audit),
            # The latest good release stays: it is what every instance converges on.
            "releases": sa.delete(knowledge_releases).where(
                releases.at < cutoffs.audit, releases.id != sa.func.coalesce(newest_good, -1)),
            "release names": sa.update(knowledge_releases).where(
                releases.at < cutoffs.audit, releases.by != "").values(by=""),
            "subscribers": sa.update(subscriptions).where(
                subscriptions.c.created_at < cutoffs.audit,
                subscriptions.c.created_by.is_not(None)).values(created_by=None),
            "conversations": sa.delete(conversations).where(
                conversations.c.updated_at < cutoffs.conversations, ~subscribed),
            "instances": sa.delete(instances).where(instances.c.seen_at < cutoffs.instances),
            "reminder slots": sa.delete(reminder_slots).where(reminder_slots.c.day < cutoffs.slots),
        }
        return {what: (await self._execute(statement)).rowcount
                for what, statement in statements.items()}

    async def close(self) -> None:
        if pending := {*self._writes, *filter(None, [self._claimer])}:
            await asyncio.wait(pending)
        self._closed = True
        if self._claims_db is not None:
            await self._claims_db.close()
            self._claims_db = None
        await asyncio.shield(self.engine.dispose())


def lifecycle(*, store: SQLStore) -> Any:
    """For `app.cleanup_ctx`: migrate before serving, release connections after."""

    async def context(_app: Any) -> Any:
        try:
            await store.upgrade()
        except BaseException:
            await store.close()  # the application stops here: leave no connection behind
            raise
        yield
        await store.close()

    return context
