"""Subscriptions and delivery slots on SQL: a slot changes hands only by an INSERT on its key or
an UPDATE whose WHERE clause only one runner can satisfy."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from bot.storage.sql.base import SQLBase, UTCDateTime, bounded, metadata
from bot.storage.subscriptions import Slot, SlotStatus, Subscription

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


class SQLSubscriptions(SQLBase):
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
