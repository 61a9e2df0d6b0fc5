"""Knowledge releases and instances on SQL: every reload attempt, and one heartbeat row per
instance, replaced on each beat."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.storage.releases import InstanceBeat, Release
from bot.storage.sql.base import SQLBase, UTCDateTime, bounded, metadata

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


class SQLReleases(SQLBase):
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
