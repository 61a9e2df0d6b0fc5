"""Wiring only: settings, knowledge, core, store and adapters in one aiohttp application."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from adapters.senders import reminder_service
from adapters.web import WebChat
from bot.core import Core
from bot.knowledge import KnowledgeError
from bot.runtime import build_core
from bot.settings import Settings, SettingsError
from bot.sqlstore import SQLStore
from bot.sqlstore import lifecycle as store_lifecycle

log = logging.getLogger("guidance_bot")


async def healthz(request: web.Request) -> web.Response:
    core: Core = request.app["core"]
    return web.json_response({"status": "ok", "knowledge_version": core.knowledge.version})


def create_app(*, settings: Settings, core: Core | None = None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    if core is None:
        store = SQLStore.from_url(url=settings.database_url, data_dir=settings.data_dir)
        app.cleanup_ctx.append(store_lifecycle(store=store))
        core = build_core(settings=settings, store=store)
    app.cleanup_ctx.append(reminder_service(settings=settings, core=core))
    app["settings"] = settings
    app["core"] = core
    app.router.add_get("/healthz", healthz)
    app.router.add_routes(WebChat(core=core, admin_token=settings.admin_token).routes())
    log.info("web chat: on at / and /api/chat")
    return app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        for problem in error.problems:
            log.error("configuration: %s", problem)
        return 2
    try:
        app = create_app(settings=settings)
    except KnowledgeError as error:
        for problem in error.problems:
            log.error("knowledge base: %s", problem)
        return 1
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
