"""The audit log on SQL: one row per admin command, cut to the columns' sizes."""

from __future__ import annotations

import sqlalchemy as sa

from bot.storage.audit import AuditEntry, AuditOutcome
from bot.storage.sql.base import SQLBase, UTCDateTime, bounded, metadata

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


class SQLAuditLog(SQLBase):
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
                           arguments=row.arguments, outcome=AuditOutcome(row.outcome)) for row in rows]
