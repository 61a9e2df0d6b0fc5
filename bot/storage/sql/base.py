"""What every SQL concern shares: the engine, the schema's metadata and types, the time limit on
each call, one writer at a time on SQLite, and the mapping of driver errors to `StoreError`s.

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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage.errors import (
    DatabaseUnreachable,
    StoreError,
    StoreFull,
    StoreRejected,
    StoreUnavailable,
)

log = logging.getLogger(__name__)
DEFAULT_SQLITE_NAME = "guidance-bot.sqlite3"


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


# Each concern's module adds its tables here; `bot.storage.sqlstore` imports them all, and the
# migrations must build exactly this schema.
metadata = sa.MetaData()

# WAL lets readers run beside the one writer; other processes wait for locks, not fail.
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=30000", "PRAGMA synchronous=NORMAL")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


async def connect_sqlite(*, path: str) -> aiosqlite.Connection:
    """A driver connection of its own, set up as the engine's are."""
    connection = await aiosqlite.connect(path, timeout=30)
    for pragma in SQLITE_PRAGMAS:
        await connection.execute(pragma)
    return connection


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
    """Every public call of the store ends within its time (`SQLBase.timeout` unless given),
    and fails only with a `StoreError`, so a request never waits on a stalled database for
    longer than that, and its caller can tell a refused value from a database that is down."""

    def wrap(method):
        @functools.wraps(method)
        async def run(self: SQLBase, *args: Any, **kwargs: Any) -> Any:
            try:
                async with asyncio.timeout(seconds or self.timeout):
                    return await method(self, *args, **kwargs)
            except StoreError:
                raise
            except Exception as error:  # TimeoutError included; CancelledError passes through
                raise store_error(error) from error

        return run

    return wrap


class SQLBase:
    """One engine and its writes, under every concern's statements."""

    def __init__(self, *, engine: AsyncEngine, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.engine = engine
        self.timeout = timeout
        self._dialect = engine.dialect.name
        # SQLite has one writer at a time; queueing here is far quicker than its busy-wait backoff.
        self._write_lock = asyncio.Lock() if self._dialect == "sqlite" else contextlib.nullcontext()
        self._writes: set[asyncio.Future] = set()
        self._closed = False

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

    def _sqlite_file(self) -> str:
        """The SQLite database's file, which the claims connection and the room check open."""
        database = self.engine.url.database
        if database is None:
            raise RuntimeError(f"{self.engine.url} names no SQLite database file")
        return database
