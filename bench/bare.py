"""The yardstick: a bare aiohttp server that reads the body and returns a fixed JSON reply.

    python bench/bare.py PORT
"""

from __future__ import annotations

import sys

from aiohttp import web

REPLY = {"answered": True, "kind": "answer", "principle": 1, "entry": "principle-1",
         "title": "Go where citizens already are", "text": "A fixed reply of a realistic size. " * 20,
         "score": 100.0, "source": "bench", "suggestions": []}


async def chat(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response(REPLY)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
