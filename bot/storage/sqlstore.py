"""The shared store on SQL: one SQLite file for one instance, PostgreSQL for many.

Every decision that must be made once across instances (an event answered, a reminder slot
claimed) is a single statement whose atomicity the database guarantees: an INSERT on a unique
key, or an UPDATE whose WHERE clause only one writer can satisfy. Nothing here reads, decides in
Python, then writes, so there is no window for a second instance to slip into.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import aiosqlite
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.insights.records import QuestionRecord
from bot.storage.retention import Cutoffs
from bot.storage.store import (
    AuditEntry,
    DatabaseUnreachable,
    Feedback,
    InstanceBeat,
    Release,
    Slot,
    SlotStatus,
    StoreError,
    StoreFull,
    StoreRejected,
    StoreUnavailable,
    Subscription,
)

log = logging.getLogger(__name__)
DEFAULT_SQLITE_NAME = "guidance-bot.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(*, url: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL for DATABASE_URL as hosting platforms write it; None means a local file."""
    if not url:
        return f"sqlite+aiosqlite:///{(data_dir / DEFAULT_SQLITE_NAME).resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            parsed = sa.make_url("postgresql+asyncpg://" + url[len(prefix):])
            if "sslmode" in parsed.query and "ssl" not in parsed.query:
                # libpq's spelling, as Azure and Heroku write it; asyncpg takes the same values as `ssl`
                parsed = parsed.update_query_dict({"ssl": parsed.query["sslmode"]})
            return parsed.difference_update_query(["sslmode"]).render_as_string(hide_password=False)
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://"):]
    return url


def describe(url: str | sa.URL) -> str:
    """Where a database URL points, for logs: scheme, host, port and database name, or the
    SQLite file; never the user name, password or query options (which may hold secrets)."""
    url = sa.make_url(url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return f"SQLite file {url.database}" if url.database not in (None, "", ":memory:") else (
            "SQLite in memory")
    host, port, name = url.host or url.query.get("host") or "localhost", url.port or 5432, url.database
    if isinstance(host, tuple):  # ?host= given more than once
        host = ",".join(host)
    if host.startswith("/"):
        return f"{backend} on the socket in {host} (port {port}), database {name or '(default)'}"
    host = f"[{host}]" if ":" in host else host
    return f"{backend}://{host}:{port}/{name or ''}"


def describe_database(*, url: str | None, data_dir: Path) -> str:
    """`describe` for DATABASE_URL as configured (unset: the SQLite file in DATA_DIR)."""
    return describe(database_url(url=url, data_dir=data_dir))


def _reason(error: BaseException, *, url: sa.URL) -> str:
    """The driver's own words for a failed connection, on one line, without the password."""
    cause = getattr(error, "orig", None) or error
    text = " ".join(str(cause).split())
    if url.password and len(str(url.password)) >= 4:  # drivers do not echo it; just in case
        text = text.replace(str(url.password), "***")
    if not text and isinstance(cause, TimeoutError):
        text = "no answer in time"
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


class UTCDateTime(sa.TypeDecorator):
    """Aware UTC datetimes in and out, whatever the database keeps (SQLite keeps naive text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()

processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
    sa.Index("processed_events_seen_at", "seen_at"),
)
feedback_votes = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("entry", sa.String(255)),
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.Column("question", sa.Text),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("feedback_at", "at"),
)
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("user_id", sa.String(255), nullable=False),
    sa.Column("channel_id", sa.String(255)),
    sa.Column("command", sa.String(64), nullable=False),
    sa.Column("arguments", sa.Text, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
)
question_log = sa.Table(
    "question_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("asker", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("entry", sa.String(255)),
    sa.Column("principle", sa.Integer),
    sa.Column("score", sa.Float, nullable=False),
    sa.Index("question_log_at", "at"),
)
knowledge_releases = sa.Table(
    "knowledge_releases", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("by", sa.String(255), nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
)
instances = sa.Table(
    "instances", metadata,
    sa.Column("instance", sa.String(128), primary_key=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
)
conversations = sa.Table(
    "conversations", metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("reference", sa.JSON, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
subscriptions = sa.Table(
    "subscriptions", metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("channel_id", sa.String(255), primary_key=True),
    sa.Column("at", sa.String(5), nullable=False),  # "HH:MM", local to REMINDER_TIMEZONE
    sa.Column("every_day", sa.Boolean, nullable=False),
    sa.Column("skip_holidays", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.String(255)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
reminder_slots = sa.Table(
    "reminder_slots", metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("channel_id", sa.String(255), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("owner", sa.String(64)),
    sa.Column("lease_until", UTCDateTime()),
    sa.Column("next_attempt_at", UTCDateTime()),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("reminder_slots_day", "day", "status"),
)


# WAL lets readers run beside the one writer; other processes wait for locks, not fail.
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=30000", "PRAGMA synchronous=NORMAL")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def create_engine(*, url: str, **options: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseUnreachable(where=describe(url), reason=_reason(
                    error, url=sa.make_url(url))) from error
        options.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **options)
        sa.event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        return engine
    options.setdefault("pool_pre_ping", True)
    # A stalled server ends a statement after two minutes, freeing its connection, whatever the
    # caller (who gave up long before, see `bounded`) was doing; connecting gives up after ten.
    options["connect_args"] = {"timeout": 10, "command_timeout": SLOW_TIMEOUT,
                               **options.get("connect_args", {})}
    options.setdefault("pool_timeout", 10)
    return create_async_engine(url, **options)


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


def refused_values(error: BaseException) -> bool:
    """Whether the database refused the values themselves (SQLSTATE classes 22 and 23: a NUL,
    a string too long, a duplicate), or Python could not bind them: trying the same values again
    can never work, unlike a database that is down, full or slow."""
    if isinstance(error, UnicodeError | ValueError | TypeError):
        return True
    if isinstance(error, sa.exc.DataError | sa.exc.IntegrityError):
        return True
    if isinstance(error, sa.exc.DBAPIError):
        state = getattr(error.orig, "sqlstate", None)
        return isinstance(state, str) and state[:2] in ("22", "23")
    if isinstance(error, sa.exc.StatementError):  # a value that failed to bind, in Python
        return refused_values(error.orig) if error.orig is not None else False
    return False


def store_error(error: BaseException) -> StoreError:
    """What the callers act on: refused values, a full disk, or a store to try again later."""
    if isinstance(error, StoreError):
        return error
    if refused_values(error):
        return StoreRejected(f"the database refused the values: {type(error).__name__}")
    orig = getattr(error, "orig", None)
    if getattr(orig, "sqlstate", None) == "53100" or "database or disk is full" in str(error):
        return StoreFull(f"the database has no room to write: {type(error).__name__}")
    if isinstance(error, TimeoutError):
        return StoreUnavailable("the database did not answer in time")
    return StoreUnavailable(f"the database did not do it: {type(error).__name__}")


DEFAULT_TIMEOUT = 5.0  # seconds any one call may take, waiting for a connection included
SLOW_TIMEOUT = 120.0  # retention's deletes on a large table


def bounded(seconds: float | None = None):
    """Every public call of the store ends within its time (`SQLStore.timeout` unless given),
    and fails only with a `StoreError`, so a request never waits on a stalled database for
    longer than that, and its caller can tell a refused value from a database that is down."""

    def wrap(method):
        @functools.wraps(method)
        async def run(self: SQLStore, *args: Any, **kwargs: Any) -> Any:
            try:
                async with asyncio.timeout(seconds or self.timeout):
                    return await method(self, *args, **kwargs)
            except StoreError:
                raise
            except Exception as error:  # TimeoutError included; CancelledError passes through
                raise store_error(error) from error

        return run

    return wrap


CLAIMS_PER_STATEMENT = 100
PROBE_KEY = "readyz:probe"  # the row /readyz writes, among the event ids, forgotten with them
MIN_FREE_BYTES = 1024 * 1024  # less room than this to grow, and the store is full


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


class SQLStore:
    def __init__(self, *, engine: AsyncEngine, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.engine = engine
        self.timeout = timeout
        self._dialect = engine.dialect.name
        # SQLite has one writer at a time; queueing here is far quicker than its busy-wait backoff.
        self._write_lock = asyncio.Lock() if self._dialect == "sqlite" else contextlib.nullcontext()
        self._claims: list[tuple[str, asyncio.Future[bool]]] = []
        self._claimer: asyncio.Task[None] | None = None
        self._claims_db: aiosqlite.Connection | None = None
        self._writes: set[asyncio.Future] = set()
        self._closed = False
        self._seen_at_format = UTCDateTime().bind_processor(engine.dialect) or (lambda at: at)

    @classmethod
    def from_url(cls, *, url: str | None, data_dir: Path = Path("data"),
                 timeout: float = DEFAULT_TIMEOUT, **options: Any) -> SQLStore:
        return cls(engine=create_engine(url=database_url(url=url, data_dir=data_dir), **options),
                   timeout=timeout)

    async def upgrade(self) -> None:
        await upgrade(engine=self.engine)

    def _insert(self, table: sa.Table):
        dialect = postgresql if self._dialect == "postgresql" else sqlite
        return dialect.insert(table)

    async def _execute(self, statement: sa.Executable, rows: list[dict] | None = None
                       ) -> sa.CursorResult:
        """A write runs to its end even when its caller is cancelled, as background work is at
        shutdown: SQLAlchemy drops a connection cancelled mid-write with its transaction still
        open, and on SQLite every later write then waits out the busy timeout for the lock."""
        write = asyncio.ensure_future(self._write(statement, rows))
        self._writes.add(write)
        write.add_done_callback(self._write_done)
        return await asyncio.shield(write)

    async def _write(self, statement: sa.Executable, rows: list[dict] | None) -> sa.CursorResult:
        async with self._write_lock, self.engine.begin() as connection:
            return await connection.execute(statement, rows)

    def _write_done(self, write: asyncio.Future) -> None:
        self._writes.discard(write)
        if not write.cancelled() and write.exception() is not None:
            log.debug("store write failed: %r", write.exception())  # its caller, if still there, has it

    # Events and feedback

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
            self._claims_db = await aiosqlite.connect(self._sqlite_file(), timeout=30)
            for pragma in SQLITE_PRAGMAS:
                await self._claims_db.execute(pragma)
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

    @bounded()
    async def record_feedback(self, *, feedback: Feedback) -> None:
        await self._execute(sa.insert(feedback_votes).values(
            platform=feedback.platform, entry=feedback.entry, helpful=feedback.helpful,
            question=feedback.question, at=feedback.at or datetime.now(UTC)))

    @bounded()
    async def feedback_count(self) -> int:
        async with self.engine.connect() as connection:
            return (await connection.execute(
                sa.select(sa.func.count()).select_from(feedback_votes))).scalar_one()

    # Conversation references

    @bounded()
    async def save_conversation(
        self, *, platform: str, conversation_id: str, reference: dict[str, Any]
    ) -> None:
        values = {"platform": platform, "conversation_id": conversation_id,
                  "reference": dict(reference), "updated_at": datetime.now(UTC)}
        statement = self._insert(conversations).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "conversation_id"],
            set_={"reference": statement.excluded.reference,
                  "updated_at": statement.excluded.updated_at})
        await self._execute(statement)

    @bounded()
    async def conversation(self, *, platform: str, conversation_id: str) -> dict[str, Any] | None:
        async with self.engine.connect() as connection:
            row = (await connection.execute(sa.select(conversations.c.reference).where(
                conversations.c.platform == platform,
                conversations.c.conversation_id == conversation_id))).first()
        return dict(row.reference) if row else None

    # Subscriptions

    @bounded()
    async def save_subscription(self, *, subscription: Subscription) -> None:
        values = {"platform": subscription.platform, "channel_id": subscription.channel_id,
                  "at": subscription.at.strftime("%H:%M"), "every_day": subscription.every_day,
                  "skip_holidays": subscription.skip_holidays,
                  "created_by": subscription.created_by,
                  "created_at": subscription.created_at or datetime.now(UTC)}
        statement = self._insert(subscriptions).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "channel_id"],
            set_={name: statement.excluded[name] for name in values
                  if name not in ("platform", "channel_id")})
        await self._execute(statement)

    @bounded()
    async def delete_subscription(self, *, platform: str, channel_id: str) -> bool:
        result = await self._execute(sa.delete(subscriptions).where(
            subscriptions.c.platform == platform, subscriptions.c.channel_id == channel_id))
        return result.rowcount == 1

    @bounded()
    async def subscriptions(self) -> list[Subscription]:
        async with self.engine.connect() as connection:
            rows = (await connection.execute(sa.select(subscriptions).order_by(
                subscriptions.c.platform, subscriptions.c.channel_id))).all()
        return [Subscription(platform=row.platform, channel_id=row.channel_id,
                             at=time.fromisoformat(row.at), every_day=row.every_day,
                             skip_holidays=row.skip_holidays, created_by=row.created_by,
                             created_at=row.created_at) for row in rows]

    # Reminder slots

    def _slot(self, platform: str, channel_id: str, day: date) -> list[sa.ColumnElement[bool]]:
        return [reminder_slots.c.platform == platform, reminder_slots.c.channel_id == channel_id,
                reminder_slots.c.day == day]

    @bounded()
    async def claim_slot(self, *, platform: str, channel_id: str, day: date, owner: str,
                         now: datetime, lease_until: datetime) -> int | None:
        inserted = await self._execute(self._insert(reminder_slots).values(
            platform=platform, channel_id=channel_id, day=day, status=SlotStatus.CLAIMED.value,
            owner=owner, lease_until=lease_until, attempts=1, detail="",
            updated_at=now).on_conflict_do_nothing())
        if inserted.rowcount == 1:
            return 1
        c = reminder_slots.c
        taken = await self._execute(
            sa.update(reminder_slots).where(
                *self._slot(platform, channel_id, day),
                sa.or_(sa.and_(c.status == SlotStatus.CLAIMED.value, c.lease_until < now),
                       sa.and_(c.status == SlotStatus.RETRY.value, c.next_attempt_at <= now)))
            .values(status=SlotStatus.CLAIMED.value, owner=owner, lease_until=lease_until,
                    next_attempt_at=None, attempts=c.attempts + 1, updated_at=now)
            .returning(c.attempts))
        attempts = taken.scalar_one_or_none()
        return attempts

    @bounded()
    async def finish_slot(self, *, platform: str, channel_id: str, day: date, owner: str,
                          status: SlotStatus, now: datetime, detail: str = "",
                          next_attempt_at: datetime | None = None) -> bool:
        c = reminder_slots.c
        result = await self._execute(
            sa.update(reminder_slots).where(
                *self._slot(platform, channel_id, day), c.owner == owner,
                c.status == SlotStatus.CLAIMED.value)
            .values(status=status.value, owner=None, lease_until=None,
                    next_attempt_at=next_attempt_at, detail=detail[:1000], updated_at=now))
        return result.rowcount == 1

    @bounded()
    async def close_slot(self, *, platform: str, channel_id: str, day: date, now: datetime) -> None:
        c = reminder_slots.c
        await self._execute(self._insert(reminder_slots).values(
            platform=platform, channel_id=channel_id, day=day, status=SlotStatus.MISSED.value,
            attempts=0, detail="not running in time", updated_at=now).on_conflict_do_nothing())
        await self._execute(
            sa.update(reminder_slots).where(
                *self._slot(platform, channel_id, day),
                sa.or_(c.status == SlotStatus.RETRY.value,
                       sa.and_(c.status == SlotStatus.CLAIMED.value, c.lease_until < now)))
            .values(status=SlotStatus.FAILED.value, owner=None, lease_until=None,
                    next_attempt_at=None, updated_at=now,
                    detail=sa.case((c.detail == "", "interrupted"), else_=c.detail)))

    @bounded()
    async def last_slots(self) -> dict[tuple[str, str], Slot]:
        c = reminder_slots.c
        latest = (sa.select(c.platform, c.channel_id, sa.func.max(c.day).label("day"))
                  .group_by(c.platform, c.channel_id).subquery())
        query = sa.select(reminder_slots).join(latest, sa.and_(
            c.platform == latest.c.platform, c.channel_id == latest.c.channel_id,
            c.day == latest.c.day))
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {(row.platform, row.channel_id): Slot(
            platform=row.platform, channel_id=row.channel_id, day=row.day,
            status=SlotStatus(row.status), attempts=row.attempts, detail=row.detail,
            updated_at=row.updated_at) for row in rows}

    @bounded()
    async def slots(self, *, day: date | None = None) -> list[Slot]:
        """Every slot (of one day), for the runners' tests, the benchmark and operators."""
        c = reminder_slots.c
        query = sa.select(reminder_slots).order_by(c.day, c.platform, c.channel_id)
        if day is not None:
            query = query.where(c.day == day)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [Slot(platform=row.platform, channel_id=row.channel_id, day=row.day,
                     status=SlotStatus(row.status), attempts=row.attempts, detail=row.detail,
                     updated_at=row.updated_at,
                     ready_at=row.lease_until if row.status == SlotStatus.CLAIMED.value else (
                         row.next_attempt_at if row.status == SlotStatus.RETRY.value else None))
                for row in rows]

    @bounded()
    async def day_slots(self, *, day: date) -> dict[tuple[str, str], Slot]:
        return {(slot.platform, slot.channel_id): slot for slot in await self.slots(day=day)}

    # Audit, question log, releases and instances

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

    def _sqlite_file(self) -> str:
        """The SQLite database's file, which the claims connection and the room check open."""
        database = self.engine.url.database
        if database is None:
            raise RuntimeError(f"{self.engine.url} names no SQLite database file")
        return database

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

    @bounded()
    async def record_audit(self, *, entry: AuditEntry) -> None:
        await self._execute(sa.insert(audit_log).values(
            at=entry.at, platform=entry.platform[:32], user_id=entry.user_id[:255],
            channel_id=entry.channel_id[:255] if entry.channel_id else None,
            command=entry.command[:64], arguments=entry.arguments[:2000], outcome=entry.outcome))

    @bounded()
    async def audit(self, *, limit: int) -> list[AuditEntry]:
        async with self.engine.connect() as connection:
            rows = (await connection.execute(sa.select(audit_log).order_by(
                audit_log.c.id.desc()).limit(limit))).all()
        return [AuditEntry(at=row.at, platform=row.platform, user_id=row.user_id,
                           channel_id=row.channel_id, command=row.command,
                           arguments=row.arguments, outcome=row.outcome) for row in rows]

    @bounded()
    async def record_questions(self, *, records: list[QuestionRecord]) -> None:
        if records:
            await self._execute(sa.insert(question_log), [
                {"at": r.at, "platform": r.platform[:32], "asker": r.asker[:64], "text": r.text,
                 "outcome": r.outcome, "entry": r.entry, "principle": r.principle,
                 "score": r.score} for r in records])

    @bounded()
    async def questions(self, *, since: datetime, unanswered_only: bool = False,
                        limit: int | None = None) -> list[QuestionRecord]:
        """Streamed a thousand rows at a time: turning tens of thousands of rows into records
        in one go held the event loop for over a second."""
        c = question_log.c
        query = sa.select(question_log).where(c.at >= since)
        if unanswered_only:
            query = query.where(c.outcome != "answer", c.text != "")
        query = query.order_by(c.id.desc() if limit else c.id)
        if limit:
            query = query.limit(limit)
        records: list[QuestionRecord] = []
        async with self.engine.connect() as connection:
            result = await connection.stream(query)
            async for rows in result.partitions(1000):
                records.extend(QuestionRecord(
                    platform=row.platform, asker=row.asker, text=row.text, outcome=row.outcome,
                    entry=row.entry, principle=row.principle, score=row.score, at=row.at)
                    for row in rows)
        return records[::-1] if limit else records

    @bounded()
    async def forget_questions(self, *, before: datetime) -> int:
        result = await self._execute(sa.update(question_log).where(
            question_log.c.at < before, question_log.c.text != "").values(text=""))
        return result.rowcount

    @bounded()
    async def feedback_since(self, *, since: datetime) -> list[Feedback]:
        async with self.engine.connect() as connection:
            rows = (await connection.execute(sa.select(feedback_votes).where(
                feedback_votes.c.at >= since))).all()
        return [Feedback(platform=row.platform, entry=row.entry, helpful=row.helpful,
                         question=row.question, at=row.at) for row in rows]

    @bounded()
    async def record_release(self, *, release: Release) -> None:
        await self._execute(sa.insert(knowledge_releases).values(
            version=release.version, by=release.by[:255], platform=release.platform[:32],
            at=release.at, ok=release.ok))

    @bounded()
    async def last_release(self, *, ok_only: bool = False) -> Release | None:
        query = sa.select(knowledge_releases).order_by(knowledge_releases.c.id.desc()).limit(1)
        if ok_only:
            query = query.where(knowledge_releases.c.ok.is_(True))
        async with self.engine.connect() as connection:
            row = (await connection.execute(query)).first()
        return Release(version=row.version, by=row.by, platform=row.platform, at=row.at,
                       ok=row.ok) if row else None

    @bounded()
    async def heartbeat(self, *, beat: InstanceBeat) -> None:
        values = {"instance": beat.instance[:128], "version": beat.version,
                  "seen_at": beat.seen_at, "note": beat.note[:1000]}
        statement = self._insert(instances).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["instance"],
            set_={name: statement.excluded[name] for name in ("version", "seen_at", "note")})
        await self._execute(statement)

    @bounded()
    async def instances(self, *, since: datetime) -> list[InstanceBeat]:
        async with self.engine.connect() as connection:
            rows = (await connection.execute(sa.select(instances).where(
                instances.c.seen_at >= since).order_by(instances.c.instance))).all()
        return [InstanceBeat(instance=row.instance, version=row.version, seen_at=row.seen_at,
                             note=row.note) for row in rows]

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
