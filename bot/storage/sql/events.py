"""Event dedup on SQL: one INSERT ... ON CONFLICT DO NOTHING claims a batch of event ids."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime

import aiosqlite
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.sql.base import (
    DEFAULT_TIMEOUT,
    SQLBase,
    UTCDateTime,
    bounded,
    connect_sqlite,
    metadata,
)

CLAIMS_PER_STATEMENT = 100

processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
    sa.Index("processed_events_seen_at", "seen_at"),
)


@functools.cache
def _claim_sql(count: int) -> str:
    """An insert of `count` keys that returns those that were new, in SQL that SQLite (3.35 and
    later) and PostgreSQL both speak, with named parameters that both drivers take."""
    values = ", ".join(f"(:key{i}, :seen_at)" for i in range(count))
    return (f'INSERT INTO processed_events ("key", seen_at) VALUES {values} '
            'ON CONFLICT DO NOTHING RETURNING "key"')


@functools.cache
def _claim_statement(count: int) -> sa.TextualSelect:
    """As text, compiled once per size: SQLAlchemy never caches its dialects' upserts, and
    compiling one took longer than running it."""
    return sa.text(_claim_sql(count)).bindparams(
        sa.bindparam("seen_at", type_=UTCDateTime())).columns(key=sa.String)


class SQLEventLog(SQLBase):
    def __init__(self, *, engine: AsyncEngine, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(engine=engine, timeout=timeout)
        self._claims: list[tuple[str, asyncio.Future[bool]]] = []
        self._claimer: asyncio.Task[None] | None = None
        self._claims_db: aiosqlite.Connection | None = None
        self._seen_at_format = UTCDateTime().bind_processor(engine.dialect) or (lambda at: at)

    @bounded()
    async def first_delivery(self, *, key: str) -> bool:
        """Claims wait to be written together: under load one transaction records the keys of
        every request waiting, where one each would queue them all behind SQLite's one writer
        (every Slack event makes two claims before it is acknowledged)."""
        claim: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._claims.append((key[:255], claim))
        if self._claimer is None or self._claimer.done():
            self._claimer = asyncio.create_task(self._write_claims(), name="guidance-bot claims")
        return await claim

    async def _write_claims(self) -> None:
        batch: list[tuple[str, asyncio.Future[bool]]] = []
        try:
            while self._claims:
                batch, self._claims = self._claims, []
                try:
                    new = await self._insert_new_keys(keys={key for key, _ in batch})
                except Exception as error:
                    for _, claim in batch:
                        if not claim.done():
                            claim.set_exception(error)
                    continue
                for key, claim in batch:
                    if not claim.done():
                        claim.set_result(key in new)
                    new.discard(key)  # the same key twice in one batch: only the first is new
        finally:
            for _, claim in (*batch, *self._claims):  # cancelled: nobody waits forever
                if not claim.done():
                    claim.cancel()

    async def _insert_new_keys(self, *, keys: set[str]) -> set[str]:
        rows = list(keys)
        chunks = [{f"key{i}": key for i, key in enumerate(rows[start:start + CLAIMS_PER_STATEMENT])}
                  for start in range(0, len(rows), CLAIMS_PER_STATEMENT)]
        now = datetime.now(UTC)
        async with self._write_lock:
            if self._dialect == "sqlite":
                return await self._insert_new_keys_on_sqlite(chunks=chunks, now=now)
            new: set[str] = set()
            async with self.engine.begin() as connection:
                for chunk in chunks:
                    result = await connection.execute(_claim_statement(len(chunk)),
                                                      chunk | {"seen_at": now})
                    new.update(result.scalars())
        return new

    async def _insert_new_keys_on_sqlite(self, *, chunks: list[dict[str, str]],
                                         now: datetime) -> set[str]:
        """Straight to the driver, on a connection kept for claims: two trips to its thread
        where SQLAlchemy makes six, which under load were most of an acknowledgement's time."""
        if self._closed:
            raise RuntimeError("the store is closed")  # a new connection now would outlive it
        if self._claims_db is None:
            self._claims_db = await connect_sqlite(path=self._sqlite_file())
        seen_at = self._seen_at_format(now)
        new: set[str] = set()
        try:
            for chunk in chunks:
                rows = await self._claims_db.execute_fetchall(_claim_sql(len(chunk)),
                                                              chunk | {"seen_at": seen_at})
                new.update(row[0] for row in rows)
            await self._claims_db.commit()
        except BaseException:
            await asyncio.shield(self._claims_db.rollback())
            raise
        return new

    @bounded()
    async def forget_events(self, *, before: datetime) -> int:
        result = await self._execute(sa.delete(processed_events).where(
            processed_events.c.seen_at < before))
        return result.rowcount
