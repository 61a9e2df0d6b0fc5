"""How fast `POST /api/messages` answers: activities through the real CloudAdapter to a local fake
connector, sequentially and 20 at a time. Run: .venv/bin/python bench/teams_messages.py [N]"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from adapters.services import build  # noqa: E402
from adapters.teams import setup_teams  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.sqlstore import SQLStore  # noqa: E402
from tests.adapters.teams_support import FakeConnector, golden  # noqa: E402
from tests.kbfactory import write_knowledge  # noqa: E402


async def main(count: int) -> None:
    connector = FakeConnector()
    connector_server = TestServer(connector.app())
    await connector_server.start_server()
    with tempfile.TemporaryDirectory() as tmp:
        # A SQLite file, as a single instance keeps its state: each activity's claim is a write.
        store = SQLStore.from_url(url=None, data_dir=Path(tmp))
        await store.upgrade()
        try:
            settings = Settings(knowledge_path=write_knowledge(Path(tmp) / "kb"))
            core = build(settings=settings, store=store, serving=False).core
            app = web.Application()
            app.cleanup_ctx.extend(setup_teams(app, core=core, settings=settings, store=store))
            await measure(count, app=app, connector_url=str(connector_server.make_url("/")))
        finally:
            await connector_server.close()
            await store.close()


async def measure(count: int, *, app: web.Application, connector_url: str) -> None:
    client = TestClient(TestServer(app))
    await client.start_server()
    questions = ["principles", "principle 3", "can we post a tweet about politics", "help"]

    async def one(i: int) -> float:
        start = time.perf_counter()
        response = await client.post("/api/messages", json=golden(
            "personal_message", service_url=connector_url, id=f"bench-{i}", text=questions[i % 4]))
        assert response.status == 201
        return time.perf_counter() - start

    try:
        for i in range(20):
            await one(-i - 1)
        sequential = [await one(i) for i in range(count)]
        start = time.perf_counter()
        batches = []
        for b in range(0, count, 20):
            batches += await asyncio.gather(*(one(count + b + j) for j in range(20)))
        wall = time.perf_counter() - start
        for name, timings in (("sequential", sequential), ("20 concurrent", batches)):
            timings = sorted(timings)
            print(f"{name:>14}: n={len(timings)} median {statistics.median(timings) * 1000:.1f} ms, "
                  f"p95 {timings[int(len(timings) * 0.95) - 1] * 1000:.1f} ms")
        print(f"{'throughput':>14}: {len(batches) / wall:.0f} activities/s with 20 in flight")
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
