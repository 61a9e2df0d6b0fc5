"""Wiring only: settings, knowledge, core, store and adapters in one aiohttp application."""

from __future__ import annotations

import logging
import os
import sys

from aiohttp import web
from threadpoolctl import threadpool_limits

from adapters.fetch import url_fetcher
from adapters.observability import setup_observability
from adapters.senders import reminder_service
from adapters.slack import setup_slack
from adapters.startup import startup_lines, unreachable_line
from adapters.teams import setup_teams
from adapters.web.chat import WebChat
from bot import version
from bot.conversation.admin import AdminCommands
from bot.conversation.core import Core
from bot.conversation.ratelimit import RateLimiter
from bot.knowledge.instances import setup_admin
from bot.knowledge.loader import KnowledgeError
from bot.knowledge.reload import Reloader
from bot.logs import configure as configure_logging
from bot.runtime import build_core
from bot.settings import Settings, SettingsError
from bot.storage.retention import retention_context
from bot.storage.sqlstore import SQLStore
from bot.storage.sqlstore import lifecycle as store_lifecycle
from bot.storage.store import DatabaseUnreachable

log = logging.getLogger("guidance_bot")
SHUTDOWN_TIMEOUT = 10.0  # seconds for requests in flight to finish after SIGTERM

CORE = web.AppKey("core", Core)
SETTINGS = web.AppKey("settings", Settings)
ADMIN = web.AppKey("admin", AdminCommands)


async def healthz(request: web.Request) -> web.Response:
    core: Core = request.app[CORE]
    return web.json_response({"status": "ok", "knowledge_version": core.knowledge.version})


async def _fetch_knowledge_url(app: web.Application) -> None:
    """With KNOWLEDGE_URL, serve the fetched knowledge base; the local one covers a failed fetch."""
    result = await app[ADMIN].reloader.reload()
    for problem in result.problems:
        log.error("knowledge base at KNOWLEDGE_URL refused, serving KNOWLEDGE_PATH: %s", problem)


def create_app(*, settings: Settings, core: Core | None = None,
               teams_options: dict | None = None) -> web.Application:
    """The whole bot as one application. Tests pass their own core (and with it its store), and
    `teams_options` to check Bot Framework tokens without reaching Microsoft."""
    app = web.Application(client_max_size=1024 * 1024)
    if core is None:
        store = SQLStore.from_url(url=settings.database_url, data_dir=settings.data_dir)
        app.cleanup_ctx.append(store_lifecycle(store=store))
        core = build_core(settings=settings, store=store)
    app[SETTINGS] = settings
    app[CORE] = core
    setup_observability(app, core=core)
    reloader = Reloader(core=core, path=settings.knowledge_path, url=settings.knowledge_url,
                        fetch=url_fetcher() if settings.knowledge_url else None)
    sync = setup_admin(app, core=core, settings=settings, reloader=reloader)
    app[ADMIN] = AdminCommands(core=core, reloader=reloader, sync=sync,
                               question_log_days=settings.question_log_days)
    app[ADMIN].register()
    if settings.knowledge_url:
        app.on_startup.append(_fetch_knowledge_url)
    app.cleanup_ctx.append(reminder_service(settings=settings, core=core))
    app.cleanup_ctx.append(retention_context(store=core.store, clock=core.clock,
                                             policy=settings.retention))
    app.router.add_get("/healthz", healthz)
    app.router.add_routes(WebChat(core=core, admin_token=settings.admin_token,
                                  limiter=RateLimiter(per_minute=settings.web_rate_limit)).routes())
    setup_slack(app, core=core, settings=settings, store=core.store)
    setup_teams(app, core=core, settings=settings, store=core.store, **(teams_options or {}))
    return app


def main() -> int:
    configure_logging(fmt=os.environ.get("LOG_FORMAT", "plain").strip().lower())
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        for problem in error.problems:
            log.error("configuration: %s", problem)
        return 2
    # One BLAS thread per matching thread (`bot.matching.queue`): under load, threads that each ask
    # BLAS for every core only take turns (docs/matching.md, Speed).
    threadpool_limits(limits=1, user_api="blas")
    try:
        app = create_app(settings=settings)
        web.run_app(app, host=settings.host, port=settings.port, access_log=None,
                    print=_report_start(app=app, settings=settings),
                    shutdown_timeout=SHUTDOWN_TIMEOUT)
    except KnowledgeError as error:
        for knowledge_problem in error.problems:
            log.error("knowledge base: %s", knowledge_problem)
        return 1
    except DatabaseUnreachable as error:
        log.error("%s", unreachable_line(error=error, settings=settings))
        return 1
    return 0


def _report_start(*, app: web.Application, settings: Settings):
    """For `run_app`'s `print`, called once the server listens, with the version being served
    (a KNOWLEDGE_URL fetch or a converged reload has happened by then)."""

    def report(_banner: str) -> None:
        for line in startup_lines(settings=settings, knowledge=app[CORE].knowledge,
                                  version=version()):
            log.info("%s", line)

    return report


if __name__ == "__main__":
    sys.exit(main())
