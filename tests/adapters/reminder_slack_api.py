"""A local fake of Slack's Web API `chat.postMessage`, strict the way Slack is about reminders.

It enforces about one message a second per channel (429 with Retry-After otherwise), can answer
429 at random, refuses channels the bot is not in, and can hang every request after the Nth post
so a test can kill a runner in the middle of a fan-out.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class FakeSlackWebAPI:
    token: str = "xoxb-test"
    per_channel_interval: float = 1.0
    random_429: float = 0.0
    seed: int = 5
    not_in_channel: set[str] = field(default_factory=set)
    hang_after: int | None = None
    posts: list[tuple[str, str]] = field(default_factory=list)
    rejected_429: int = 0
    requests: int = 0
    url: str = ""

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._last: dict[str, float] = {}
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None

    def counts(self) -> Counter[str]:
        return Counter(channel for channel, _ in self.posts)

    async def post_message(self, request: web.Request) -> web.Response:
        self.requests += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if request.content_type == "application/json":
            data = await request.json()
        else:
            data = dict(await request.post())
        channel = str(data.get("channel", ""))
        if not channel or not (data.get("text") or data.get("blocks")):
            return web.json_response({"ok": False, "error": "no_text"})
        if self.hang_after is not None and len(self.posts) >= self.hang_after:
            await self._release.wait()  # the caller is gone by then: nothing was posted
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        if channel in self.not_in_channel:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        now = time.monotonic()
        too_soon = now - self._last.get(channel, -1e9) < self.per_channel_interval
        if too_soon or self._rng.random() < self.random_429:
            self.rejected_429 += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": "1"})
        self._last[channel] = now
        self.posts.append((channel, str(data.get("text", ""))))
        return web.json_response({"ok": True, "channel": channel, "ts": f"{now:.6f}",
                                  "message": {"text": data.get("text")}},
                                 dumps=json.dumps)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self.post_message)
        self._runner = web.AppRunner(app, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self.url

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
