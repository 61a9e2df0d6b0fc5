"""Daily principle reminders: the admin commands, when each channel is due, and posting each slot once.

A slot is one subscription on one local date. Runners (the in-process scheduler of each web
instance, `guidance-bot reminders run-due`) all do the same idempotent pass; the store's atomic
claim decides which of them posts a slot, so extra runners add resilience, never duplicates.
Platform posting sits behind `Sender`, one per platform, written by each adapter.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import time as monotonic_time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol, TypedDict
from zoneinfo import ZoneInfo

import holidays

from bot.background import running
from bot.conversation.core import Arguments
from bot.messages import Message, Point, Reply, ReplyKind
from bot.observe import ReminderOutcome
from bot.storage.subscriptions import Slot, SlotStatus, Subscription, Subscriptions

log = logging.getLogger("guidance_bot.reminders")

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[Any]]

DEFAULT_AT = time(9, 0)
DEFAULT_CUTOFF = time(12, 0)
USAGE = ("Say 'subscribe' for the principle of the day at 09:00 on weekdays, or add a time and "
         "options: 'subscribe 08:45 daily', 'subscribe 09:00 weekdays skip-holidays'.")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


# Parsing the admin command


@dataclass(frozen=True, kw_only=True)
class SubscribeRequest:
    at: time = DEFAULT_AT
    every_day: bool = False
    skip_holidays: bool = False


class SubscribeError(ValueError):
    pass


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip().lower())
    if not match:
        raise SubscribeError(f"'{text}' is not a time: use 24-hour HH:MM, like 09:30.")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise SubscribeError(f"'{text}' is not a time: the hour must be 1 to 12 with am/pm.")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if match.group(2) is None and not half:
        raise SubscribeError(f"'{text}' is not a time: use 24-hour HH:MM, like 09:30.")
    if hour > 23 or minute > 59:
        raise SubscribeError(f"'{text}' is not a time of day: use 00:00 to 23:59.")
    return time(hour, minute)


_DAYS = frozenset({"daily", "weekdays", "every-day", "everyday"})
_SKIP = frozenset({"skip-holidays", "skip-bank-holidays", "no-holidays"})


def _words(arguments: str) -> list[str]:
    return arguments.lower().replace(",", " ").split()


def subscribe_arguments(arguments: str) -> bool:
    """Whether `arguments` are meant for `subscribe`: its option words and times only, right or
    wrong ("25:00" is a time said wrongly, which `parse_subscribe` explains), so "subscribe to
    the civil service blog?" stays a question."""
    return all(word in _DAYS or word in _SKIP or word[0].isdigit() for word in _words(arguments))


def parse_subscribe(arguments: str) -> SubscribeRequest:
    """`[HH:MM] [daily|weekdays] [skip-holidays]`, in any order, each at most once."""
    at: time | None = None
    every_day: bool | None = None
    skip = False
    for word in _words(arguments):
        if word in _DAYS:
            if every_day is not None:
                raise SubscribeError("Say 'daily' or 'weekdays', not both.")
            every_day = word != "weekdays"
        elif word in _SKIP:
            skip = True
        elif at is None and word[0].isdigit():
            at = parse_time(word)
        else:
            raise SubscribeError(f"I don't understand '{word}'. {USAGE}")
    return SubscribeRequest(at=at or DEFAULT_AT, every_day=bool(every_day), skip_holidays=skip)


# When a subscription is due


@dataclass(frozen=True, kw_only=True)
class Calendar:
    """Local dates and instants in the reminder time zone, and the public holidays."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    cutoff: time = DEFAULT_CUTOFF
    grace: timedelta = timedelta(hours=1)
    holidays: Any = field(default_factory=lambda: holidays.country_holidays("GB", subdiv="ENG"))

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.timezone).date()

    def posts_on(self, subscription: Subscription, day: date) -> bool:
        if not subscription.every_day and day.weekday() >= 5:
            return False
        return not (subscription.skip_holidays and day in self.holidays)

    def due_at(self, subscription: Subscription, day: date) -> datetime:
        """The UTC instant of the local time on `day`. A time skipped by the spring clock change
        means the same wall time before the change (01:30 is 02:30 BST); a repeated one, the
        first of the two."""
        return datetime.combine(day, subscription.at, tzinfo=self.timezone).astimezone(UTC)

    def deadline(self, subscription: Subscription, day: date) -> datetime:
        """After this a slot not yet posted is missed (or failed, if it was tried)."""
        cutoff = datetime.combine(day, self.cutoff, tzinfo=self.timezone).astimezone(UTC)
        midnight = datetime.combine(day + timedelta(days=1), time(0),
                                    tzinfo=self.timezone).astimezone(UTC)
        return min(max(cutoff, self.due_at(subscription, day) + self.grace), midnight)

    def next_day(self, subscription: Subscription, *, after: datetime) -> date:
        """The local date of the next post after `after` (within the next few weeks)."""
        day = self.local_day(after)
        for _ in range(60):
            if self.posts_on(subscription, day) and self.due_at(subscription, day) > after:
                return day
            day += timedelta(days=1)
        return day


# Posting: the boundary with the adapters


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # rate limited or a transient error: try again later
    FAILED = "failed"  # will not work without someone acting (not in channel, no permission)


@dataclass(frozen=True, kw_only=True)
class Delivery:
    outcome: Outcome
    retry_after: float | None = None  # seconds, from the platform's Retry-After when it sent one
    detail: str = ""  # shown in `subscriptions`: say what to do, e.g. "invite the bot"

    @classmethod
    def delivered(cls) -> Delivery:
        return cls(outcome=Outcome.DELIVERED)

    @classmethod
    def retry(cls, *, after: float | None = None, detail: str = "") -> Delivery:
        return cls(outcome=Outcome.RETRY, retry_after=after, detail=detail)

    @classmethod
    def failed(cls, *, detail: str) -> Delivery:
        return cls(outcome=Outcome.FAILED, detail=detail)


class Sender(Protocol):
    """Posts one reminder into one channel of one platform; implemented by each adapter.

    It renders the Reply its own way (Block Kit, an Adaptive Card) and never raises for an
    expected platform answer: a 429 is `Delivery.retry(after=...)` (Teams: also 412, 502 and
    504), "not in channel" or "forbidden" is `Delivery.failed(detail=...)` with what to do about
    it. An exception counts as a transient failure. The runner paces, retries and records.
    """

    async def send(self, *, subscription: Subscription, reply: Reply) -> Delivery: ...


class ReachabilityCheck(Protocol):
    """Optional on a `Sender`: whether the bot can post in a channel at all, asked when someone
    subscribes it. A problem (with what to do) or None, when fine or when it cannot tell."""

    async def check(self, *, channel_id: str) -> str | None: ...


class Pacer:
    """Spaces posts to one channel (Slack allows about one a second) and honours Retry-After."""

    def __init__(self, *, interval: float = 1.0, monotonic: Callable[[], float] | None = None,
                 sleep: Sleep | None = None) -> None:
        self.interval = interval
        self.monotonic = monotonic or monotonic_time.monotonic
        self.sleep = sleep or asyncio.sleep
        self._next: dict[str, float] = {}

    async def wait(self, key: str) -> None:
        while True:
            now = self.monotonic()
            ready = self._next.get(key, now)
            if ready <= now:
                self._next[key] = now + self.interval
                return
            await self.sleep(ready - now)

    def pause(self, key: str, seconds: float) -> None:
        self._next[key] = max(self._next.get(key, 0.0), self.monotonic() + seconds)


@dataclass(frozen=True, kw_only=True)
class Policy:
    # Longer than the worst send with its in-pass retries (4 x 30 s timeouts + 3 x 30 s waits):
    # a lease that ran out mid-send would let another runner post the slot again.
    lease: timedelta = timedelta(minutes=10)
    send_timeout: float = 30.0
    concurrency: int = 16
    in_pass_retries: int = 3  # short Retry-Afters are waited out while holding the claim
    in_pass_wait: float = 30.0
    backoff: timedelta = timedelta(seconds=60)
    max_backoff: timedelta = timedelta(minutes=15)
    pacing: Mapping[str, float] = field(default_factory=lambda: {"slack": 1.0, "teams": 1.0})


@dataclass(kw_only=True)
class PassReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    closed: int = 0  # past the cut-off: recorded missed, or failed if it had been tried
    busy: int = 0  # claimed or finished by another runner
    due: int = 0

    def to_json(self) -> dict[str, int]:
        return dict(vars(self))


PostOutcome = Literal["delivered", "retrying", "failed", "busy"]  # a PassReport counter


class _SlotKey(TypedDict):
    """The store's key of one reminder slot, as keyword arguments."""

    platform: str
    channel_id: str
    day: date


def new_owner() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Progress(Protocol):
    """Told once the pass knows what is due (`done` 0), then after each post it makes, so a long
    fan-out can report how far it has got; `report` is the pass's running count."""

    def __call__(self, *, done: int, report: PassReport) -> None: ...


class ReminderRunner:
    def __init__(self, *, store: Subscriptions, senders: Mapping[str, Sender],
                 compose: Callable[..., Reply], calendar: Calendar, clock: Clock,
                 policy: Policy | None = None, owner: str | None = None,
                 sleep: Sleep | None = None, monotonic: Callable[[], float] | None = None,
                 notify: Callable[[ReminderOutcome], None] | None = None) -> None:
        self.store = store
        self.notify = notify or (lambda _event: None)
        self.senders = dict(senders)
        self.compose = compose
        self.calendar = calendar
        self.clock = clock
        self.policy = policy or Policy()
        self.owner = owner or new_owner()
        self.sleep = sleep or asyncio.sleep
        self._pacers = {platform: Pacer(interval=interval, monotonic=monotonic, sleep=self.sleep)
                        for platform, interval in self.policy.pacing.items()}
        self._default_pacer = Pacer(interval=0.0, monotonic=monotonic, sleep=self.sleep)

    async def run_due(self, *, now: datetime | None = None,
                      progress: Progress | None = None) -> PassReport:
        """One pass: post every slot due now that no runner has, and close those past cut-off."""
        now = now or self.clock()
        report = PassReport()
        day = self.calendar.local_day(now)
        # A snapshot to skip the slots already done or held; the claim itself decides.
        known = await self.store.day_slots(day=day)
        work: list[Subscription] = []
        for subscription in await self.store.subscriptions():
            if subscription.platform not in self.senders:
                continue  # another instance, with that platform configured, posts these
            if not self.calendar.posts_on(subscription, day):
                continue
            due = self.calendar.due_at(subscription, day)
            if now < due or (subscription.created_at and subscription.created_at > due):
                continue
            slot = known.get((subscription.platform, subscription.channel_id))
            if slot is not None and slot.final:
                continue
            if now >= self.calendar.deadline(subscription, day):
                await self.store.close_slot(platform=subscription.platform,
                                            channel_id=subscription.channel_id, day=day, now=now)
                report.closed += 1
                self.notify(ReminderOutcome(outcome="missed" if slot is None else "failed",
                                            platform=subscription.platform))
                continue
            if slot is not None and not slot.claimable(now=now):
                report.busy += 1
                continue
            work.append(subscription)
        report.due = len(work)
        limit = asyncio.Semaphore(max(1, self.policy.concurrency))
        done = 0
        if progress is not None:
            progress(done=done, report=report)
        if not work:
            return report
        reply = self.compose(day=day)

        async def one(subscription: Subscription) -> None:
            nonlocal done
            async with limit:
                outcome = await self._post(subscription, day, reply, limit)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if outcome == "delivered" or outcome == "failed":
                self.notify(ReminderOutcome(outcome=outcome, platform=subscription.platform))
            done += 1
            if progress is not None:
                progress(done=done, report=report)

        await asyncio.gather(*(one(subscription) for subscription in work))
        return report

    async def _post(self, subscription: Subscription, day: date, reply: Reply,
                    limit: asyncio.Semaphore) -> PostOutcome:
        key = _SlotKey(platform=subscription.platform, channel_id=subscription.channel_id, day=day)
        now = self.clock()
        attempts = await self.store.claim_slot(**key, owner=self.owner, now=now,
                                               lease_until=now + self.policy.lease)
        if attempts is None:
            return "busy"
        sender = self.senders[subscription.platform]
        pacer = self._pacers.get(subscription.platform, self._default_pacer)
        channel = f"{subscription.platform}:{subscription.channel_id}"
        delivery = Delivery.retry(detail="not tried")
        for tries in range(self.policy.in_pass_retries + 1):
            if tries:
                # Waiting out a Retry-After must not hold up the other channels' posts.
                limit.release()
                try:
                    await pacer.wait(channel)
                finally:
                    await limit.acquire()
            else:
                await pacer.wait(channel)
            try:
                delivery = await asyncio.wait_for(
                    sender.send(subscription=subscription, reply=reply),
                    timeout=self.policy.send_timeout)
            except Exception as error:  # noqa: BLE001 - any sender failure is one failed attempt
                log.warning("reminder to %s failed: %r", channel, error)
                delivery = Delivery.retry(detail=f"error: {type(error).__name__}")
            if delivery.outcome is not Outcome.RETRY:
                break
            wait = delivery.retry_after or 0.0
            pacer.pause(channel, wait)
            if tries == self.policy.in_pass_retries or wait > self.policy.in_pass_wait:
                break
        now = self.clock()
        if delivery.outcome is Outcome.DELIVERED:
            if not await self.store.finish_slot(**key, owner=self.owner,
                                                status=SlotStatus.DELIVERED, now=now):
                log.error("reminder to %s for %s was posted after its lease ran out; another "
                          "runner may have posted it too (raise Policy.lease)", channel, day)
            return "delivered"
        if delivery.outcome is Outcome.FAILED:
            await self.store.finish_slot(**key, owner=self.owner, status=SlotStatus.FAILED,
                                         now=now, detail=delivery.detail)
            log.warning("reminder to %s failed for good: %s", channel, delivery.detail)
            return "failed"
        backoff = min(self.policy.backoff * 2 ** (attempts - 1), self.policy.max_backoff)
        next_attempt = now + max(backoff, timedelta(seconds=delivery.retry_after or 0))
        if next_attempt >= self.calendar.deadline(subscription, day):
            await self.store.finish_slot(**key, owner=self.owner, status=SlotStatus.FAILED,
                                         now=now, detail=f"gave up at the cut-off: {delivery.detail}")
            return "failed"
        await self.store.finish_slot(**key, owner=self.owner, status=SlotStatus.RETRY, now=now,
                                     detail=delivery.detail, next_attempt_at=next_attempt)
        return "retrying"


# Running passes


async def run_forever(*, runner: ReminderRunner, interval: float = 30.0) -> None:
    """Pass after pass until cancelled; a failing pass is logged and the next one tries again."""
    while True:
        try:
            report = await runner.run_due()
            if report.due:
                log.info("reminders: %s", report.to_json())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reminders: pass failed")
        await runner.sleep(interval)


def scheduler_context(*, runner: ReminderRunner, interval: float = 30.0
                      ) -> Callable[[Any], AsyncIterator[None]]:
    """For `app.cleanup_ctx`: passes run in a background task, so posting never blocks answers.
    Stopping mid-post is safe: the claimed slots expire and the next pass finishes them."""

    async def context(_app: Any) -> AsyncIterator[None]:
        async with running(run_forever(runner=runner, interval=interval),
                           name="guidance-bot reminders"):
            yield

    return context


# The admin commands


# A sender's detail says what to do itself ("not_in_channel: ... invite it to the channel"). These
# are only for a detail that is a bare error code, as a slot recorded without one may hold.
_HINTS = {"not_in_channel": "invite the bot to the channel",
          "channel_not_found": "the channel is gone or private; invite the bot",
          "is_archived": "the channel is archived", "missing_scope": "the app lacks a permission"}


def describe(subscription: Subscription) -> str:
    days = "every day" if subscription.every_day else "weekdays"
    holidays_note = ", not on bank holidays" if subscription.skip_holidays else ""
    return f"{subscription.at:%H:%M} {days}{holidays_note}"


def describe_slot(slot: Slot | None) -> str:
    if slot is None:
        return "not posted yet"
    text = f"last: {slot.status} on {slot.day:%a %d %b %Y}"
    if slot.status in (SlotStatus.FAILED, SlotStatus.RETRY) and slot.detail:
        hint = _HINTS.get(slot.detail.strip(), "")
        text += f" ({slot.detail}{'; ' + hint if hint else ''})"
    return text


class ReminderCommands:
    """`subscribe`, `unsubscribe` and `subscriptions`, registered on the core as admin commands."""

    def __init__(self, *, store: Subscriptions, calendar: Calendar, clock: Clock,
                 senders: Mapping[str, Sender] | None = None) -> None:
        self.store = store
        self.calendar = calendar
        self.clock = clock
        self.senders = senders if senders is not None else {}

    def register(self, *, core: Any) -> None:
        core.register_admin(name="subscribe", summary="daily principle reminders in this channel",
                            run=self.subscribe, arguments=Arguments(
                                usage="[HH:MM] [daily|weekdays] [skip-holidays]",
                                accepts=subscribe_arguments))
        core.register_admin(name="unsubscribe", summary="stop this channel's reminders",
                            run=self.unsubscribe)
        core.register_admin(name="subscriptions", summary="list every channel's reminders",
                            run=self.list)

    @staticmethod
    def _channel_problem(message: Message) -> Reply | None:
        if message.channel_id and not message.is_direct and message.platform in ("slack", "teams"):
            return None
        return Reply(kind=ReplyKind.NOTICE, title="Say it in a channel", body=(
            "Reminders are posted to Slack or Teams channels: say this in the channel that "
            "should get them (and make sure the bot is a member of it)."))

    async def subscribe(self, message: Message, arguments: str) -> Reply:
        problem = self._channel_problem(message)
        if problem:
            return problem
        try:
            request = parse_subscribe(arguments)
        except SubscribeError as error:
            return Reply(kind=ReplyKind.NOTICE, title="Not subscribed", body=str(error))
        now = self.clock()
        subscription = Subscription(
            platform=message.platform, channel_id=message.channel_id or "", at=request.at,
            every_day=request.every_day, skip_holidays=request.skip_holidays,
            created_by=message.user_id, created_at=now)
        await self.store.save_subscription(subscription=subscription)
        first = self.calendar.next_day(subscription, after=now)
        text = (f"Subscribed: this channel gets the principle of the day at "
                f"{describe(subscription)} ({self.calendar.timezone.key}). "
                f"First one: {first:%A %d %B}. Say 'unsubscribe' to stop.")
        unreachable = await self._reachability(subscription)
        if unreachable:
            text += (f"\n\nBut I cannot post in this channel yet ({unreachable}), so its reminders "
                     "will fail until that is fixed. 'subscriptions' shows how each one went.")
            return Reply(kind=ReplyKind.NOTICE, title="Subscribed, but I cannot post here",
                         body=text)
        return Reply(kind=ReplyKind.NOTICE, title="Subscribed", body=text)

    async def _reachability(self, subscription: Subscription) -> str | None:
        check = getattr(self.senders.get(subscription.platform), "check", None)
        if check is None:
            return None
        try:
            return await asyncio.wait_for(check(channel_id=subscription.channel_id), timeout=5.0)
        except Exception as error:  # noqa: BLE001 - a check that fails tells nothing; the post will
            log.info("reminders: could not check %s:%s: %r", subscription.platform,
                     subscription.channel_id, error)
            return None

    async def unsubscribe(self, message: Message, arguments: str) -> Reply:
        problem = self._channel_problem(message)
        if problem:
            return problem
        removed = await self.store.delete_subscription(platform=message.platform,
                                                       channel_id=message.channel_id or "")
        text = ("Unsubscribed: this channel gets no more reminders." if removed else
                "This channel has no reminders to stop.")
        return Reply(kind=ReplyKind.NOTICE, title="Unsubscribed" if removed else "Not subscribed",
                     body=text)

    async def list(self, message: Message, arguments: str) -> Reply:
        subscriptions = await self.store.subscriptions()
        if not subscriptions:
            text = "No channel has reminders. Say 'subscribe' in a channel to start them."
            return Reply(kind=ReplyKind.NOTICE, title="Subscriptions", body=text)
        slots = await self.store.last_slots()
        points = tuple(Point(
            title=f"{s.platform} {s.channel_id}",
            text=f"{describe(s)}; {describe_slot(slots.get((s.platform, s.channel_id)))}")
            for s in subscriptions)
        body = f"{len(points)} channel(s) get reminders ({self.calendar.timezone.key}):"
        return Reply(kind=ReplyKind.NOTICE, title="Subscriptions", body=body, points=points)


def calendar_from(*, settings: Any) -> Calendar:
    return Calendar(timezone=ZoneInfo(settings.reminder_timezone),
                    cutoff=time.fromisoformat(settings.reminder_cutoff))


def setup(*, settings: Any, core: Any, senders: Mapping[str, Sender],
          policy: Policy | None = None) -> ReminderRunner:
    """Register the admin commands on `core` and return the runner that posts for it."""
    calendar = calendar_from(settings=settings)
    runner = ReminderRunner(store=core.store, senders=senders, compose=core.daily,
                            calendar=calendar, clock=core.clock, policy=policy, notify=core.notify)
    # The runner's own mapping: the senders opened when the application starts are seen here too.
    ReminderCommands(store=core.store, calendar=calendar, clock=core.clock,
                     senders=runner.senders).register(core=core)
    return runner
