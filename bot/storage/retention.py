"""How long the bot keeps what it stores, applied wherever it runs.

Every table has a stated retention (the README's Privacy section lists them). `apply` turns the
policy into cut-off instants and has the store forget what is older; it runs hourly inside every
web instance, whether or not that instance posts reminders, and once at the end of each
`guidance-bot reminders run-due`, so a deployment with REMINDERS=off and a cron job forgets on
time too. Forgetting is idempotent: several instances doing it at once do no harm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.background import running
from bot.storage.store import Forgetful

log = logging.getLogger("guidance_bot.retention")

EVERY = timedelta(hours=1)


@dataclass(frozen=True, kw_only=True)
class Retention:
    """Days each kind of record is kept; see the README's Privacy section for why each."""

    question_text_days: int = 30  # QUESTION_LOG_DAYS: question text, in the log and in votes
    statistics_days: int = 366  # question outcomes and votes, for `stats` (at most 366 days)
    audit_days: int = 90  # AUDIT_LOG_DAYS: the audit log and who reloaded or subscribed
    event_days: int = 2  # event ids: platforms stop retrying within minutes
    conversation_days: int = 90  # a Teams address no subscription uses
    instance_days: int = 1  # an instance no longer heard from
    slot_days: int = 90  # reminder deliveries, for `subscriptions`


@dataclass(frozen=True, kw_only=True)
class Cutoffs:
    """What is older than these instants is forgotten; the store applies them."""

    events: datetime
    question_text: datetime
    statistics: datetime
    audit: datetime
    conversations: datetime
    instances: datetime
    slots: date

    @classmethod
    def at(cls, now: datetime, *, policy: Retention) -> Cutoffs:
        def ago(days: int) -> datetime:
            return now - timedelta(days=days)

        return cls(events=ago(policy.event_days), question_text=ago(policy.question_text_days),
                   statistics=ago(policy.statistics_days), audit=ago(policy.audit_days),
                   conversations=ago(policy.conversation_days),
                   instances=ago(policy.instance_days), slots=ago(policy.slot_days).date())


async def apply(*, store: Forgetful, now: datetime, policy: Retention) -> dict[str, int]:
    """Forget what the policy no longer keeps; how many records of each kind were changed."""
    forgotten = await store.forget(cutoffs=Cutoffs.at(now, policy=policy))
    if any(forgotten.values()):
        log.info("retention: forgot %s", ", ".join(
            f"{count} {what}" for what, count in forgotten.items() if count))
    return forgotten


async def run_forever(*, store: Forgetful, clock: Callable[[], datetime], policy: Retention,
                      every: timedelta = EVERY) -> None:
    while True:
        try:
            await apply(store=store, now=clock(), policy=policy)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("retention: pass failed; the next one tries again")
        await asyncio.sleep(every.total_seconds())


def retention_context(*, store: Forgetful, clock: Callable[[], datetime], policy: Retention
                      ) -> Callable[[Any], AsyncIterator[None]]:
    """For `app.cleanup_ctx`: a pass at start, then hourly, for as long as the app runs."""

    async def context(_app: Any) -> AsyncIterator[None]:
        async with running(run_forever(store=store, clock=clock, policy=policy),
                           name="guidance-bot retention"):
            yield

    return context
