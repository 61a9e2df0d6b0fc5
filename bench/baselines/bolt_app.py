"""The minimal slack-bolt app: acknowledges each mention and posts a fixed reply, on aiohttp.

    SLACK_BOT_TOKEN=... SLACK_SIGNING_SECRET=... SLACK_API_URL=http://127.0.0.1:PORT/api/ \
        .venv/bin/python bench/baselines/bolt_app.py PORT

The yardstick for the bot's signed Slack acknowledgements in bench/speed.py: the same bolt
request checks and acknowledgement, and nothing of the bot's own work.
"""

from __future__ import annotations

import os
import sys

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

REPLY = "Thanks for asking: see the Civil Service Code and your department's social media policy."

bolt = AsyncApp(client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"],
                                      base_url=os.environ["SLACK_API_URL"]),
                signing_secret=os.environ["SLACK_SIGNING_SECRET"])


@bolt.event("app_mention")
async def mention(event: dict, say) -> None:
    await say(text=REPLY, thread_ts=event.get("ts"))


async def events(request: web.Request) -> web.Response:
    return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
