"""The web application: what `adapters.services.build` makes, served over HTTP.

`application` mounts every adapter and is the one place that registers start-up and clean-up
hooks; `main` is the process (`make run`, the Procfile, `guidance-bot serve`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.services import Services, build
from bot import version
from bot.background import Context
from bot.conversation.admin import AdminCommands
from bot.conversation.core import Clock, Core
from bot.knowledge.instances import sync_context
from bot.knowledge.loader import KnowledgeError
from bot.knowledge.reload import Reloader
from bot.logs import configure as configure_logging
from bot.settings import Settings, SettingsError
from bot.storage.errors import DatabaseUnreachable
from bot.storage.store import Store

if TYPE_CHECKING:
    from bot.matching.encoder import Encoder

log = logging.getLogger("guidance_bot")
SHUTDOWN_TIMEOUT = 10.0  # seconds for requests in flight to finish after SIGTERM

CORE = web.AppKey("core", Core)
SETTINGS = web.AppKey("settings", Settings)
ADMIN = web.AppKey("admin", AdminCommands)


async def healthz(request: web.Request) -> web.Response:
    core: Core = request.app[CORE]
    return web.json_response({"status": "ok", "knowledge_version": core.knowledge.version})


def _fetch_knowledge_url(reloader: Reloader) -> Context:
    """With KNOWLEDGE_URL, serve the fetched knowledge base; the local one covers a failed fetch."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        result = await reloader.reload()
        for problem in result.problems:
            log.error("knowledge base at KNOWLEDGE_URL refused, serving KNOWLEDGE_PATH: %s", problem)
        yield

    return context


def application(*, services: Services, teams_options: dict | None = None) -> web.Application:
    """The whole bot as one application. Clean-up contexts run in order at start and in reverse
    at stop: the store opens first and closes last, after everything that writes to it."""
    from adapters.observability import setup_observability, stop_accepting
    from adapters.senders import reminder_service
    from adapters.slack import setup_slack
    from adapters.teams import setup_teams
    from adapters.web.chat import WebChat
    from bot.conversation.ratelimit import RateLimiter
    from bot.insights.questionlog import question_log_context
    from bot.storage.retention import retention_context

    settings, core, store = services.settings, services.core, services.store
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[CORE] = core
    app[ADMIN] = services.admin
    contexts: list[Context] = []
    if services.own_store:
        from bot.storage.sqlstore import SQLStore, lifecycle

        assert isinstance(store, SQLStore)
        contexts.append(lifecycle(store=store))
    if services.metrics is not None:
        setup_observability(app, core=core, metrics=services.metrics)
        app.on_shutdown.append(stop_accepting)
    if services.question_log is not None:
        contexts.append(question_log_context(question_log=services.question_log))
    contexts.append(sync_context(sync=services.sync, interval=settings.knowledge_poll_seconds))
    if settings.knowledge_url:
        contexts.append(_fetch_knowledge_url(services.reloader))
    contexts.append(reminder_service(settings=settings, runner=services.reminders, store=store))
    contexts.append(retention_context(store=store, clock=core.clock, policy=settings.retention))
    app.router.add_get("/healthz", healthz)
    app.router.add_routes(WebChat(core=core, admin_token=settings.admin_token,
                                  limiter=RateLimiter(per_minute=settings.web_rate_limit)).routes())
    contexts += setup_slack(app, core=core, settings=settings, store=store)
    contexts += setup_teams(app, core=core, settings=settings, store=store, **(teams_options or {}))
    app.cleanup_ctx.extend(contexts)
    return app


def create_app(*, settings: Settings, store: Store | None = None, clock: Clock | None = None,
               encoder: Encoder | None = None, teams_options: dict | None = None
               ) -> web.Application:
    """`build` and `application` in one step. Tests pass their own store, clock or encoder, and
    `teams_options` to check Bot Framework tokens without reaching Microsoft."""
    return application(services=build(settings=settings, store=store, clock=clock,
                                      encoder=encoder), teams_options=teams_options)


def main() -> int:
    configure_logging(fmt=os.environ.get("LOG_FORMAT", "plain").strip().lower())
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        for problem in error.problems:
            log.error("configuration: %s", problem)
        return 2
    from threadpoolctl import threadpool_limits

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
        from adapters.startup import unreachable_line

        log.error("%s", unreachable_line(error=error, settings=settings))
        return 1
    return 0


def _report_start(*, app: web.Application, settings: Settings):
    """For `run_app`'s `print`, called once the server listens, with the version being served
    (a KNOWLEDGE_URL fetch or a converged reload has happened by then)."""

    def report(_banner: str) -> None:
        from adapters.startup import startup_lines

        for line in startup_lines(settings=settings, knowledge=app[CORE].knowledge,
                                  version=version()):
            log.info("%s", line)

    return report


if __name__ == "__main__":
    sys.exit(main())
