"""Stores for tests: in memory, a SQLite file, and PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.storage.sql.base import create_engine
from bot.storage.sqlstore import SQLStore, database_url
from tests.memory_store import MemoryStore

PG_URL = os.environ.get("TEST_DATABASE_URL")
NO_PG = "TEST_DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)"


@asynccontextmanager
async def pg_schema() -> AsyncIterator[str]:
    """A fresh, empty schema, dropped afterwards: each test sees its own tables."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url=database_url(url=PG_URL, data_dir=Path(".")))
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        async with engine.begin() as connection:
            await connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        await engine.dispose()


def pg_store(schema: str) -> SQLStore:
    return SQLStore.from_url(url=PG_URL, connect_args={"server_settings": {"search_path": schema}})


@asynccontextmanager
async def sql_stores(kind: str, tmp_path: Path, *, count: int = 1) -> AsyncIterator[list[SQLStore]]:
    """`count` stores (each its own engine, as separate instances would have) on one database."""
    if kind == "postgresql":
        if not PG_URL:
            pytest.skip(NO_PG)
        async with pg_schema() as schema:
            stores = [pg_store(schema) for _ in range(count)]
            try:
                await stores[0].upgrade()
                yield stores
            finally:
                for store in stores:
                    await store.close()
    else:
        url = f"sqlite:///{tmp_path / 'guidance-bot.sqlite3'}"
        stores = [SQLStore.from_url(url=url) for _ in range(count)]
        try:
            await stores[0].upgrade()
            yield stores
        finally:
            for store in stores:
                await store.close()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "memory":
        yield MemoryStore()
        return
    async with sql_stores(request.param, tmp_path) as stores:
        yield stores[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_kind(request: pytest.FixtureRequest) -> str:
    return request.param
