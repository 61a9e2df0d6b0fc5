"""A stand-in Slack Web API for load runs, as its own process, so the bot's answers stay local.

    python bench/fake_slack_api.py PORT

Answers `auth.test` and the posting methods the way Slack does and only counts calls (the test
suite's `FakeSlack` records every call, which would grow without bound under load).
`GET /stats` returns the counts.
"""

from __future__ import annotations

import sys
from collections import Counter

from aiohttp import web

CALLS = web.AppKey("calls", Counter)


async def api(request: web.Request) -> web.Response:
    method = request.match_info["method"]
    await request.read()
    request.app[CALLS][method] += 1
    if method == "auth.test":
        return web.json_response({"ok": True, "url": "https://example.slack.com/", "team": "Bench",
                                  "user": "guidance_bot", "team_id": "T0001", "user_id": "UBOT",
                                  "bot_id": "BBOT"})
    if method in ("chat.postMessage", "chat.postEphemeral"):
        return web.json_response({"ok": True, "channel": "C0CHANNEL", "ts": "1700000000.000100"})
    return web.json_response({"ok": True})


async def stats(request: web.Request) -> web.Response:
    return web.json_response(dict(request.app[CALLS]))


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application()
    app[CALLS] = Counter()
    app.router.add_post("/api/{method}", api)
    app.router.add_get("/stats", stats)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
