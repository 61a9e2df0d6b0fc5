"""The minimal semantic FAQ server a user would write: aiohttp plus `semantic_faq.SemanticFAQ`.

    .venv-baseline/bin/python bench/baselines/faq_server.py PORT [KNOWLEDGE_DIR]

`POST /api/chat` with `{"text": "..."}` answers as the bot's web chat does; each question is
encoded in the handler, on the event loop, as the plain way to write it does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))

from semantic_faq import ROOT, SemanticFAQ  # noqa: E402

FAQ = web.AppKey("faq", SemanticFAQ)


async def chat(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response(request.app[FAQ].answer(str(body.get("text", ""))[:2000]))


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(*, knowledge: Path) -> web.Application:
    app = web.Application()
    app[FAQ] = SemanticFAQ(knowledge=knowledge)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    knowledge = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "knowledge"
    web.run_app(create_app(knowledge=knowledge), host="127.0.0.1", port=int(sys.argv[1]),
                print=None, access_log=None)
