"""Real databases in the states a red-team pass put them in: a SQLite file on a full disk, a
PostgreSQL that refuses writes, a PostgreSQL stalled by another session's lock."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.storage.sql import base
from bot.storage.sql.base import create_engine
from bot.storage.sqlstore import SQLStore, database_url
from tests.bot.conftest import NO_PG, PG_URL, pg_schema, pg_store

PREFIXES = ("0", "9", "a", "readyz:", "slack:event:", "slack:signature:v0=", "teams:", "z", "~")


FILLERS = {
    "processed_events": "INSERT INTO processed_events (key, seen_at) VALUES (:text, :at)",
    "feedback": "INSERT INTO feedback (platform, entry, helpful, question, at) "
                "VALUES ('web', :text, 1, :text, :at)",
}


async def fill(store: SQLStore) -> int:
    """Insert rows, dated now, until the database is full: into the event ids (every event's
    first write) and the votes, long ones first, then shorter, sorting everywhere a key can (a
    page of the key index left with room would take the next claim); how many fitted."""
    count = 0
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    for statement in FILLERS.values():
        for size in (400, 100, 20, 1):
            for prefix in PREFIXES:
                while True:
                    try:
                        async with store.engine.begin() as connection:
                            await connection.execute(sa.text(statement), {
                                "text": prefix + uuid.uuid4().hex[: max(1, size // 4)] * 4,
                                "at": now})
                    except sa.exc.OperationalError as error:
                        assert "full" in str(error), error
                        break
                    count += 1
    return count


@asynccontextmanager
async def full_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SQLStore]:
    """A migrated SQLite store that cannot grow: every connection it opens from now on has
    `max_page_count` at the file's size (the disk-full case), and the pages it has are full."""
    store = SQLStore.from_url(url=f"sqlite:///{tmp_path / 'full.sqlite3'}")
    await store.upgrade()
    monkeypatch.setattr(base, "SQLITE_PRAGMAS",
                        (*base.SQLITE_PRAGMAS, "PRAGMA max_page_count = 1"))  # = its size now
    await store.engine.dispose()  # connections opened before would not have it
    await fill(store)
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def read_only_postgresql() -> AsyncIterator[SQLStore]:
    """A migrated PostgreSQL schema whose sessions may read but not write (as on a replica after
    a failover, or a database whose disk filled up)."""
    if not PG_URL:
        pytest.skip(NO_PG)
    async with pg_schema() as schema:
        await pg_store(schema).upgrade()
        store = SQLStore.from_url(url=PG_URL, connect_args={"server_settings": {
            "search_path": schema, "default_transaction_read_only": "on"}})
        try:
            yield store
        finally:
            await store.close()


@asynccontextmanager
async def locked(store: SQLStore, table: str = "processed_events") -> AsyncIterator[asyncio.Event]:
    """Another session holds `table` locked until the returned event is set (or the block ends):
    every statement on it waits, as on a stalled server."""
    url = database_url(url=PG_URL, data_dir=Path("."))
    search_path = await _search_path(store)
    engine = create_engine(url=url, connect_args={"server_settings": {"search_path": search_path}})
    release = asyncio.Event()
    holding = asyncio.Event()

    async def hold() -> None:
        async with engine.begin() as connection:
            await connection.execute(sa.text(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE'))
            holding.set()
            await release.wait()

    task = asyncio.create_task(hold())
    try:
        await holding.wait()
        yield release
    finally:
        release.set()
        await task
        await engine.dispose()


async def _search_path(store: SQLStore) -> str:
    async with store.engine.connect() as connection:
        return (await connection.execute(sa.text("SHOW search_path"))).scalar_one()
