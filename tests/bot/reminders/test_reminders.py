from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.conversation.access import Admins
from bot.conversation.core import Core
from bot.knowledge.loader import load_knowledge
from bot.messages import Message, ReplyKind
from bot.reminders.service import (
    Calendar,
    Delivery,
    Pacer,
    Policy,
    ReminderCommands,
    ReminderRunner,
    SubscribeError,
    SubscribeRequest,
    describe_slot,
    parse_subscribe,
    run_forever,
)
from bot.storage.subscriptions import Slot, SlotStatus, Subscription
from tests.bot.conftest import sql_stores
from tests.bot.fakes import FakeClock, FakeSleep, RecordingSender
from tests.cores import new_core
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

LONDON = ZoneInfo("Europe/London")
CAL = Calendar(timezone=LONDON)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def sub(channel: str = "C1", *, at: time = time(9), every_day: bool = False,
        skip_holidays: bool = False, platform: str = "slack") -> Subscription:
    return Subscription(platform=platform, channel_id=channel, at=at, every_day=every_day,
                        skip_holidays=skip_holidays, created_at=CREATED)


@pytest.fixture
def core(tmp_path: Path) -> Core:
    knowledge = load_knowledge(path=write_knowledge(tmp_path / "kb"))
    return new_core(knowledge=knowledge, admins=Admins.from_lists(slack={"UADMIN"}),
                    store=MemoryStore(), clock=FakeClock(local(2026, 3, 2, 8, 0)))


def runner_for(*, store, core: Core, sender, clock, policy: Policy | None = None,
               owner: str | None = None, sleep: FakeSleep | None = None) -> ReminderRunner:
    sleep = sleep or FakeSleep()
    return ReminderRunner(store=store, senders={"slack": sender}, compose=core.daily,
                          calendar=CAL, clock=clock, policy=policy, owner=owner,
                          sleep=sleep, monotonic=sleep.monotonic)


# Parsing


@pytest.mark.parametrize(("text", "expected"), [
    ("", SubscribeRequest()),
    ("09:30", SubscribeRequest(at=time(9, 30))),
    ("8:45 daily", SubscribeRequest(at=time(8, 45), every_day=True)),
    ("09:00 weekdays skip-holidays", SubscribeRequest(at=time(9), skip_holidays=True)),
    ("skip-holidays 7.15", SubscribeRequest(at=time(7, 15), skip_holidays=True)),
    ("9am", SubscribeRequest(at=time(9))),
    ("12:30pm daily", SubscribeRequest(at=time(12, 30), every_day=True)),
    ("DAILY", SubscribeRequest(every_day=True)),
])
def test_subscribe_arguments(text: str, expected: SubscribeRequest) -> None:
    assert parse_subscribe(text) == expected


@pytest.mark.parametrize("text", ["25:00", "09:60", "9", "tomorrow", "daily weekdays",
                                  "09:00 10:00", "13pm"])
def test_bad_subscribe_arguments_say_what_is_wrong(text: str) -> None:
    with pytest.raises(SubscribeError):
        parse_subscribe(text)


# Due times


def test_weekday_subscriptions_skip_weekends_and_daily_ones_do_not() -> None:
    saturday = date(2026, 3, 7)
    assert not CAL.posts_on(sub(), saturday)
    assert CAL.posts_on(sub(every_day=True), saturday)
    assert CAL.posts_on(sub(), date(2026, 3, 6))


def test_bank_holidays_in_england_and_wales_are_skipped_on_request() -> None:
    for holiday in (date(2026, 12, 25), date(2026, 8, 31), date(2026, 4, 3), date(2026, 5, 4)):
        assert CAL.posts_on(sub(), holiday)
        assert not CAL.posts_on(sub(skip_holidays=True), holiday)
    # St Andrew's Day is a Scottish bank holiday only.
    assert CAL.posts_on(sub(skip_holidays=True), date(2026, 11, 30))


def test_due_times_follow_the_clock_changes() -> None:
    daily = sub(every_day=True)
    # Spring forward on Sunday 29 March 2026: 09:00 is 08:00 UTC from that day on.
    assert CAL.due_at(daily, date(2026, 3, 28)) == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert CAL.due_at(daily, date(2026, 3, 29)) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    # Fall back on Sunday 25 October 2026.
    assert CAL.due_at(daily, date(2026, 10, 24)) == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    assert CAL.due_at(daily, date(2026, 10, 25)) == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    # 01:30 does not exist on the spring day and happens twice on the autumn day: one post each.
    night = sub(at=time(1, 30), every_day=True)
    assert CAL.due_at(night, date(2026, 3, 29)) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert CAL.due_at(night, date(2026, 10, 25)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_the_deadline_is_the_cut_off_or_an_hour_after_a_later_time() -> None:
    day = date(2026, 3, 2)
    assert CAL.deadline(sub(), day) == local(2026, 3, 2, 12, 0)
    assert CAL.deadline(sub(at=time(15)), day) == local(2026, 3, 2, 16, 0)
    assert CAL.deadline(sub(at=time(23, 30)), day) == local(2026, 3, 3, 0, 0)


# Runs


async def test_a_slot_is_posted_at_its_time_and_only_once(core: Core) -> None:
    store, sender = MemoryStore(), RecordingSender()
    await store.save_subscription(subscription=sub("C1"))
    await store.save_subscription(subscription=sub("C2", at=time(9, 30)))
    clock = FakeClock(local(2026, 3, 2, 8, 59))
    runner = runner_for(store=store, core=core, sender=sender, clock=clock)
    assert (await runner.run_due()).due == 0
    clock.now = local(2026, 3, 2, 9, 0)
    report = await runner.run_due()
    assert (report.due, report.delivered) == (1, 1)
    assert sender.posted == [("C1", core.daily(day=date(2026, 3, 2)).title)]
    clock.now = local(2026, 3, 2, 9, 45)
    report = await runner.run_due()
    assert (report.due, report.delivered) == (1, 1)  # C1 is done: not even tried again
    assert [channel for channel, _ in sender.posted] == ["C1", "C2"]
    assert sender.attempts == ["C1", "C2"]


async def test_nothing_is_posted_on_a_weekend_or_a_skipped_holiday(core: Core) -> None:
    store, sender = MemoryStore(), RecordingSender()
    await store.save_subscription(subscription=sub("C1", skip_holidays=True))
    await store.save_subscription(subscription=sub("C2"))
    clock = FakeClock(local(2026, 3, 7, 10, 0))  # Saturday
    runner = runner_for(store=store, core=core, sender=sender, clock=clock)
    assert (await runner.run_due()).due == 0
    clock.now = local(2026, 12, 25, 10, 0)  # Christmas Day, a Friday
    await runner.run_due()
    assert sender.posted == [("C2", core.daily(day=date(2026, 12, 25)).title)]


async def test_posts_at_local_time_on_the_day_the_clocks_go_forward(core: Core) -> None:
    store, sender = MemoryStore(), RecordingSender()
    await store.save_subscription(subscription=sub("C1", every_day=True))
    clock = FakeClock(datetime(2026, 3, 29, 7, 59, tzinfo=UTC))  # 08:59 BST
    runner = runner_for(store=store, core=core, sender=sender, clock=clock)
    await runner.run_due()
    assert sender.posted == []
    clock.now = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST
    await runner.run_due()
    clock.now = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)  # 09:00 in GMT terms: no second post
    await runner.run_due()
    assert [channel for channel, _ in sender.posted] == ["C1"]


async def test_posts_once_at_a_repeated_hour_when_the_clocks_go_back(core: Core) -> None:
    store, sender = MemoryStore(), RecordingSender()
    await store.save_subscription(subscription=sub("C1", at=time(1, 30), every_day=True))
    clock = FakeClock(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # the first 01:30 (BST)
    runner = runner_for(store=store, core=core, sender=sender, clock=clock)
    await runner.run_due()
    clock.now = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the second 01:30 (GMT)
    await runner.run_due()
    assert [channel for channel, _ in sender.posted] == ["C1"]


async def test_catch_up_before_the_cut_off_and_missed_after_it(core: Core) -> None:
    store, sender = MemoryStore(), RecordingSender()
    await store.save_subscription(subscription=sub("C1"))
    clock = FakeClock(local(2026, 3, 2, 11, 59))
    runner = runner_for(store=store, core=core, sender=sender, clock=clock)
    await runner.run_due()
    assert [channel for channel, _ in sender.posted] == ["C1"]
    clock.now = local(2026, 3, 3, 12, 0)
    report = await runner.run_due()
    assert (report.due, report.closed) == (0, 1)
    assert [channel for channel, _ in sender.posted] == ["C1"]
    slot = (await store.last_slots())[("slack", "C1")]
    assert (slot.day, slot.status) == (date(2026, 3, 3), SlotStatus.MISSED)


async def test_a_channel_subscribed_after_its_time_starts_the_next_day(core: Core) -> None:
    store, sender = MemoryStore(), RecordingSender()
    late = Subscription(platform="slack", channel_id="C1", at=time(9),
                        created_at=local(2026, 3, 2, 10, 0))
    await store.save_subscription(subscription=late)
    clock = FakeClock(local(2026, 3, 2, 10, 1))
    runner = runner_for(store=store, core=core, sender=sender, clock=clock)
    await runner.run_due()
    clock.now = local(2026, 3, 3, 9, 0)
    await runner.run_due()
    assert sender.posted == [("C1", core.daily(day=date(2026, 3, 3)).title)]


async def test_short_retry_afters_are_waited_out_with_the_channel_paced(core: Core) -> None:
    store = MemoryStore()
    sender = RecordingSender(script={"C1": [Delivery.retry(after=3.0, detail="ratelimited"),
                                            Delivery.retry(after=2.0, detail="ratelimited")]})
    await store.save_subscription(subscription=sub("C1"))
    sleep = FakeSleep()
    runner = runner_for(store=store, core=core, sender=sender, sleep=sleep,
                        clock=FakeClock(local(2026, 3, 2, 9, 0)))
    report = await runner.run_due()
    assert report.delivered == 1
    assert sender.attempts == ["C1", "C1", "C1"]
    assert sleep.calls == [3.0, 2.0]


async def test_the_pacer_spaces_posts_to_one_channel_but_not_to_others() -> None:
    sleep = FakeSleep()
    pacer = Pacer(interval=1.0, monotonic=sleep.monotonic, sleep=sleep)
    for key in ("a", "b", "a", "a"):
        await pacer.wait(key)
    assert sleep.calls == [1.0, 1.0]


async def test_a_long_retry_after_is_retried_by_a_later_pass(core: Core) -> None:
    store = MemoryStore()
    sender = RecordingSender(script={"C1": [Delivery.retry(after=120, detail="ratelimited")]})
    await store.save_subscription(subscription=sub("C1"))
    clock = FakeClock(local(2026, 3, 2, 9, 0))
    runner = runner_for(store=store, core=core, sender=sender, clock=clock)
    assert (await runner.run_due()).retrying == 1
    clock.advance(seconds=119)
    assert (await runner.run_due()).busy == 1
    clock.advance(seconds=1)
    assert (await runner.run_due()).delivered == 1
    assert [channel for channel, _ in sender.posted] == ["C1"]
    slot = (await store.last_slots())[("slack", "C1")]
    assert (slot.status, slot.attempts) == (SlotStatus.DELIVERED, 2)


async def test_sender_errors_back_off_until_the_cut_off_then_fail(core: Core) -> None:
    async def broken(channel: str) -> None:
        raise ConnectionError("down")

    store, sender = MemoryStore(), RecordingSender(before=broken)
    await store.save_subscription(subscription=sub("C1"))
    clock = FakeClock(local(2026, 3, 2, 9, 0))
    runner = runner_for(store=store, core=core, sender=sender, clock=clock,
                        policy=Policy(in_pass_retries=0))
    passes = 0

    async def status() -> SlotStatus | None:
        slot = (await store.last_slots()).get(("slack", "C1"))
        return slot.status if slot else None

    while await status() is not SlotStatus.FAILED:
        await runner.run_due()
        clock.advance(seconds=30)
        passes += 1
        assert passes < 1000
    slot = (await store.last_slots())[("slack", "C1")]
    assert slot.detail.startswith("gave up at the cut-off")
    assert clock.now <= local(2026, 3, 2, 12, 0)
    # Backoff doubles from a minute up to 15 minutes: far fewer attempts than passes.
    assert 5 <= len(sender.attempts) < 20 < passes


async def test_a_permanent_failure_is_recorded_and_listed_with_what_to_do(core: Core) -> None:
    store = MemoryStore()
    sender = RecordingSender(script={"C1": [Delivery.failed(detail="not_in_channel")]})
    await store.save_subscription(subscription=sub("C1"))
    runner = runner_for(store=store, core=core, sender=sender,
                        clock=FakeClock(local(2026, 3, 2, 9, 0)))
    assert (await runner.run_due()).failed == 1
    assert sender.attempts == ["C1"]
    commands = ReminderCommands(store=store, calendar=CAL, clock=core.clock)
    listing = await commands.list(Message(platform="slack", user_id="UADMIN", text=""), "")
    assert "failed on Mon 02 Mar 2026 (not_in_channel; invite the bot to the channel)" in listing.text


def test_a_failure_that_says_what_to_do_gets_no_second_hint() -> None:
    detail = "not_in_channel: the bot is not a member; invite it to the channel"
    slot = Slot(platform="slack", channel_id="C1", day=date(2026, 3, 2),
                status=SlotStatus.FAILED, detail=detail)
    assert describe_slot(slot) == f"last: failed on Mon 02 Mar 2026 ({detail})"


async def test_platforms_without_a_sender_here_are_left_to_other_instances(core: Core) -> None:
    store, sender = MemoryStore(), RecordingSender()
    await store.save_subscription(subscription=sub("19:t", platform="teams"))
    runner = runner_for(store=store, core=core, sender=sender,
                        clock=FakeClock(local(2026, 3, 2, 13, 0)))
    assert (await runner.run_due()).closed == 0
    assert await store.last_slots() == {}


async def test_two_runners_on_one_database_post_each_slot_once(
        core: Core, sql_kind: str, tmp_path: Path) -> None:
    async with sql_stores(sql_kind, tmp_path, count=2) as stores:
        for i in range(40):
            await stores[0].save_subscription(subscription=sub(f"C{i:02}"))
        sender = RecordingSender(before=lambda channel: asyncio.sleep(0))
        clock = FakeClock(local(2026, 3, 2, 9, 5))
        runners = [runner_for(store=store, core=core, sender=sender, clock=clock, owner=f"r{n}")
                   for n, store in enumerate(stores * 2)]
        reports = await asyncio.gather(*(runner.run_due() for runner in runners))
        posted = sorted(channel for channel, _ in sender.posted)
        assert posted == [f"C{i:02}" for i in range(40)]
        assert sum(r.delivered for r in reports) == 40
        assert len(sender.attempts) == 40
        slots = await stores[1].slots(day=date(2026, 3, 2))
        assert {s.status for s in slots} == {SlotStatus.DELIVERED} and len(slots) == 40


# The admin commands through the core


async def test_subscribe_list_and_unsubscribe_through_the_core(core: Core) -> None:
    ReminderCommands(store=core.store, calendar=CAL, clock=core.clock).register(core=core)

    def said(text: str, *, user: str = "UADMIN", channel: str | None = "C1", direct: bool = False):
        return core.handle(Message(platform="slack", user_id=user, text=text, channel_id=channel,
                                   is_direct=direct))

    refused = await said("subscribe", user="USOMEONE")
    assert refused.kind is ReplyKind.REFUSAL
    assert await core.store.subscriptions() == []
    assert "channel" in (await said("subscribe", direct=True, channel="D1")).text
    done = await said("subscribe 09:00 weekdays skip-holidays")
    assert done.kind is ReplyKind.NOTICE
    assert "09:00 weekdays, not on bank holidays (Europe/London)" in done.text
    assert "First one: Monday 02 March" in done.text
    assert "not a time of day" in (await said("subscribe 25:00")).text
    await said("subscribe 08:45 daily", channel="C2")
    listing = await said("subscriptions", channel=None, direct=True)
    assert [p.title for p in listing.points] == ["slack C1", "slack C2"]
    assert listing.points[1].text == "08:45 every day; not posted yet"
    assert (await said("unsubscribe")).title == "Unsubscribed"
    assert (await said("unsubscribe")).title == "Not subscribed"
    assert [s.channel_id for s in await core.store.subscriptions()] == ["C2"]


async def test_the_scheduler_loop_posts(core: Core) -> None:
    store, sender = MemoryStore(), RecordingSender()
    await store.save_subscription(subscription=sub("C1", every_day=True))
    clock = FakeClock(local(2030, 1, 7, 9, 30))

    async def stop(seconds: float) -> None:
        raise asyncio.CancelledError

    runner = ReminderRunner(store=store, senders={"slack": sender}, compose=core.daily,
                            calendar=CAL, clock=clock, sleep=stop)
    with pytest.raises(asyncio.CancelledError):
        await run_forever(runner=runner, interval=30)
    assert [channel for channel, _ in sender.posted] == ["C1"]


async def test_every_final_outcome_is_reported_to_the_observers(core: Core) -> None:
    store = MemoryStore()
    sender = RecordingSender(script={"C2": [Delivery.failed(detail="not_in_channel: invite it")]})
    for channel in ("C1", "C2"):
        await store.save_subscription(subscription=sub(channel))
    clock = FakeClock(local(2026, 3, 2, 9, 0))
    sleep = FakeSleep()
    events: list = []
    runner = ReminderRunner(store=store, senders={"slack": sender}, compose=core.daily,
                            calendar=CAL, clock=clock, sleep=sleep, monotonic=sleep.monotonic,
                            notify=events.append)
    await store.save_subscription(subscription=sub("C3", at=time(13)))
    await runner.run_due()
    clock.now = local(2026, 3, 2, 16, 0)  # C3's 13:00 passed while nothing ran
    await runner.run_due()
    assert sorted((e.outcome, e.platform) for e in events) == [
        ("delivered", "slack"), ("failed", "slack"), ("missed", "slack")]


class CheckingSender(RecordingSender):
    async def check(self, *, channel_id: str) -> str | None:
        if channel_id == "CBROKEN":
            raise RuntimeError("the platform is down")
        return "not_in_channel: invite the bot" if channel_id == "COUT" else None


async def test_subscribe_says_when_the_bot_cannot_post_in_the_channel(core: Core) -> None:
    ReminderCommands(store=core.store, calendar=CAL, clock=core.clock,
                     senders={"slack": CheckingSender()}).register(core=core)

    def said(channel: str):
        return core.handle(Message(platform="slack", user_id="UADMIN", text="subscribe",
                                   channel_id=channel, is_direct=False))

    warned = await said("COUT")
    assert warned.title == "Subscribed, but I cannot post here"
    assert "cannot post in this channel yet (not_in_channel: invite the bot)" in warned.text
    assert (await said("CIN")).title == "Subscribed"
    assert (await said("CBROKEN")).title == "Subscribed"  # a failing check tells nothing
    assert len(await core.store.subscriptions()) == 3
