"""Event dedup: platforms retry a delivery they think was lost, and each event is answered once."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class EventLog(Protocol):
    async def first_delivery(self, *, key: str) -> bool:
        """Claim an incoming event id; True only for the first caller, so retries answer once."""

    async def forget_events(self, *, before: datetime) -> int:
        """Drop event ids first seen before `before`: platforms stop retrying within minutes."""


async def first_delivery_or_new(store: EventLog, *, key: str, timeout: float) -> bool:
    """Whether `key` is new, asking `store` for at most `timeout` seconds. A store that cannot say
    in time (down, full, stalled) counts it as new: an event answered twice, should the platform
    retry, beats every event left unanswered while the database is away."""
    import asyncio  # here, not above: `guidance-bot ask` imports this module and never needs it
    import logging

    try:
        return await asyncio.wait_for(store.first_delivery(key=key), timeout)
    except Exception as error:  # noqa: BLE001 - whatever failed, the answer goes ahead
        logging.getLogger(__name__).warning(
            "store: could not check a %s delivery (%s); handling it as new",
            key.partition(":")[0], type(error).__name__)
        return True
