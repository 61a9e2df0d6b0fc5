"""Fan-out benchmark: N subscriptions posted through slack_sdk to a local fake Slack Web API.

The fake enforces one message a second per channel and answers 429 (Retry-After: 1) at random.
Several runners share one database, as several web instances would. Prints wall time,
duplicates and missed slots; both must be zero.

    .venv/bin/python bench/reminders_fanout.py [--subscriptions 10000] [--runners 2]
        [--concurrency 32] [--random-429 0.05] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import sqlalchemy as sa
from slack_sdk.web.async_client import AsyncWebClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.services import build  # noqa: E402
from adapters.slack.sender import SlackWebSender  # noqa: E402
from bot.reminders.service import Calendar, Policy, ReminderRunner  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.sql.subscriptions import subscriptions  # noqa: E402
from bot.storage.sqlstore import SQLStore  # noqa: E402
from bot.storage.subscriptions import SlotStatus  # noqa: E402
from tests.adapters.reminder_slack_api import FakeSlackWebAPI  # noqa: E402
from tests.kbfactory import write_knowledge  # noqa: E402

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 3, 2)  # a Monday


async def main(args: argparse.Namespace) -> dict:
    work = Path(tempfile.mkdtemp(prefix="fanout-"))
    url = args.database or f"sqlite:///{work / 'bench.sqlite3'}"
    api = FakeSlackWebAPI(per_channel_interval=1.0, random_429=args.random_429)
    await api.start()
    stores = [SQLStore.from_url(url=url) for _ in range(args.runners)]
    await stores[0].upgrade()
    async with stores[0].engine.begin() as connection:
        await connection.execute(sa.delete(subscriptions))
        await connection.execute(sa.insert(subscriptions), [
            {"platform": "slack", "channel_id": f"C{i:06}", "at": "09:00", "every_day": False,
             "skip_holidays": False, "created_by": "bench",
             "created_at": datetime(2026, 1, 1, tzinfo=UTC)} for i in range(args.subscriptions)])
    core = build(settings=Settings(knowledge_path=write_knowledge(work / "kb")),
                             store=stores[0], serving=False).core
    start_at = datetime.combine(DAY, clock_time(9, 0), tzinfo=LONDON)
    started = time.monotonic()

    def clock() -> datetime:
        return start_at + timedelta(seconds=time.monotonic() - started)

    passes = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        sender = SlackWebSender(client=AsyncWebClient(
            token=api.token, base_url=api.url, session=session, retry_handlers=[]))
        runners = [ReminderRunner(store=store, senders={"slack": sender}, compose=core.daily,
                                  calendar=Calendar(timezone=LONDON), clock=clock,
                                  policy=Policy(concurrency=args.concurrency,
                                                backoff=timedelta(seconds=1)),
                                  owner=f"runner-{n}") for n, store in enumerate(stores)]
        while True:
            passes += 1
            await asyncio.gather(*(runner.run_due() for runner in runners))
            slots = await stores[0].slots(day=DAY)
            pending = [s for s in slots if s.status is not SlotStatus.DELIVERED]
            if len(slots) == args.subscriptions and not pending:
                break
            if passes > 50:
                break
            await asyncio.sleep(1.0)
    wall = time.monotonic() - started
    counts = api.counts()
    result = {
        "subscriptions": args.subscriptions, "runners": args.runners,
        "concurrency_per_runner": args.concurrency, "random_429": args.random_429,
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "wall_seconds": round(wall, 1), "posts_per_second": round(len(api.posts) / wall, 1),
        "passes": passes, "posts": len(api.posts), "answered_429": api.rejected_429,
        "duplicates": sum(1 for n in counts.values() if n > 1),
        "missed": args.subscriptions - len(counts),
        "slots_not_delivered": sum(1 for s in await stores[0].slots(day=DAY)
                                   if s.status is not SlotStatus.DELIVERED),
    }
    for store in stores:
        await store.close()
    await api.stop()
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--runners", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--random-429", type=float, default=0.05)
    parser.add_argument("--database", help="a DATABASE_URL (default: a new SQLite file)")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
