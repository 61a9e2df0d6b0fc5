"""`unanswered` on thousands of questions: grouping time, and /healthz while it runs.

    .venv/bin/python bench/unanswered.py [--sizes 2400 10000 20000]

Grouping: the current near-linear grouping against the old one (each question compared with
every group so far, kept here as `exhaustive`) on the same questions: topics in several wordings
among one-off questions (`tests/bot/unanswered_questions.py`). Then the whole application on a
SQLite file with that many unanswered questions logged: an admin runs `unanswered` in the web
chat while a client asks `/healthz` back to back; the slowest /healthz is what the loop stalled.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from app import create_app  # noqa: E402
from bot.insights import records as insights  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.sqlstore import SQLStore  # noqa: E402
from bot.text import normalise  # noqa: E402
from tests.bot.unanswered_questions import sample  # noqa: E402
from tests.kbfactory import write_knowledge  # noqa: E402

TOKEN = "bench-token"


def exhaustive(records, *, limit: int) -> list[tuple[str, int]]:
    """The grouping before issue 15: every question against every group so far."""
    groups: list[tuple[str, str, list]] = []
    for record in records:
        if record.outcome == "answer":
            continue
        folded = normalise(record.text)
        for group_folded, _, members in groups:
            if fuzz.token_set_ratio(folded, group_folded) >= insights.SIMILAR:
                members.append(record)
                break
        else:
            groups.append((folded, record.text, [record]))
    ranked = sorted(groups, key=lambda g: -len(g[2]))[:limit]
    return [(example, len(members)) for _, example, members in ranked]


def questions(size: int):
    """About `size` unanswered questions (as many answered ones again, which are skipped)."""
    topics = 20
    asked_in_topics = sum(3 * (topics - t) + 20 for t in range(topics))
    return sample(topics=topics, noise=max(0, size - asked_in_topics))


def grouping(size: int, *, old: bool) -> None:
    data = questions(size)
    unanswered = sum(r.outcome != "answer" for r in data.records)
    started = time.perf_counter()
    groups = insights.unanswered(data.records, limit=20)
    new_seconds = time.perf_counter() - started
    right = [(g.example, g.count) for g in groups] == data.expected[:20]
    line = f"{unanswered:>6} unanswered: grouped in {new_seconds:6.2f} s (top 20 right: {right})"
    if old:
        started = time.perf_counter()
        exhaustive(data.records, limit=20)
        line += f"; exhaustive {time.perf_counter() - started:6.2f} s"
    print(line, flush=True)


async def stall(size: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        store = SQLStore.from_url(url=f"sqlite:///{root / 'bot.sqlite3'}")
        await store.upgrade()
        data = questions(size)
        await store.record_questions(records=data.records)
        path = write_knowledge(root / "kb")
        app = create_app(settings=Settings(knowledge_path=path, admin_token=TOKEN,
                                           reminders_enabled=False, web_rate_limit=0),
                         store=store, clock=lambda: data.records[-1].at)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            command = asyncio.create_task(client.post(
                "/api/chat", json={"text": "unanswered 30"},
                headers={"Authorization": f"Bearer {TOKEN}"}))
            started = time.perf_counter()
            slowest, polls = 0.0, 0
            while not command.done():
                before = time.perf_counter()
                await (await client.get("/healthz")).read()
                slowest = max(slowest, time.perf_counter() - before)
                polls += 1
            await (await command).read()
            total = time.perf_counter() - started
        await store.close()
    print(f"{size:>6} logged: `unanswered` took {total:6.2f} s; {polls} /healthz answered "
          f"meanwhile, the slowest in {slowest * 1000:.0f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_400, 10_000, 20_000])
    parser.add_argument("--old-up-to", type=int, default=2_400,
                        help="also time the exhaustive grouping up to this size")
    args = parser.parse_args()
    for size in args.sizes:
        grouping(size, old=size <= args.old_up_to)
    for size in args.sizes:
        asyncio.run(stall(size))


if __name__ == "__main__":
    main()
