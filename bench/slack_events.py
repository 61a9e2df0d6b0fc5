"""How fast Slack gets its acknowledgement, and its answer, through the real `/slack/events` route.

Runs the whole application on 127.0.0.1 against the test suite's fake Slack. Usage:
    .venv/bin/python bench/slack_events.py [--events 300] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app as application  # noqa: E402
from bot.conversation.access import Admins  # noqa: E402
from tests.adapters.slack.fake_slack import FakeSlack  # noqa: E402
from tests.adapters.slack.harness import payload, settings_for, signed_headers  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(*, events: int, concurrency: int) -> dict:
    fake = FakeSlack()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        # The events' claims go to a SQLite file, as a single instance keeps its state.
        settings = settings_for(Path(tmp), fake, admins=Admins(), data_dir=Path(tmp) / "data")
        web_app = application.create_app(settings=settings)
        core = web_app[application.CORE]
        client = TestClient(TestServer(web_app, host="127.0.0.1", port=0))
        await client.start_server()
        questions = [e.questions[0] for e in core.knowledge.entries]
        acks: list[float] = []
        limit = asyncio.Semaphore(concurrency)

        async def one(number: int) -> None:
            body = payload("message_im")
            body["event_id"] = f"EvBench{number}"
            body["event"]["text"] = questions[number % len(questions)]
            raw = json.dumps(body).encode()
            async with limit:
                start = time.perf_counter()
                response = await client.post("/slack/events", data=raw, headers={
                    "Content-Type": "application/json", **signed_headers(raw)})
                acks.append(time.perf_counter() - start)
                assert response.status == 200, response.status

        start = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(events)))
        await fake.wait_for("chat.postMessage", count=events, timeout=120)
        total = time.perf_counter() - start
        await client.close()
    await fake.close()
    return {"events": events, "concurrency": concurrency,
            "ack_ms_p50": round(statistics.median(acks) * 1000, 2),
            "ack_ms_p95": round(percentile(acks, 0.95) * 1000, 2),
            "ack_ms_max": round(max(acks) * 1000, 2),
            "all_answered_s": round(total, 2), "answers_per_s": round(events / total, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    options = parser.parse_args()
    print(json.dumps(asyncio.run(run(events=options.events, concurrency=options.concurrency))))


if __name__ == "__main__":
    main()
