"""Several instances, one knowledge-base version: each polls the store for the latest release.

A reload on any instance records its version; every other instance sees it within one poll,
reloads from its own source, and swaps it in only when that source yields the same version.
Otherwise it keeps serving what it has and says why in its heartbeat, which `status` shows.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.background import running
from bot.conversation.core import Core
from bot.knowledge.reload import Reloader
from bot.storage.releases import InstanceBeat, Release, Releases

log = logging.getLogger(__name__)
RETRY_MISMATCH = timedelta(minutes=1)


def default_instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:4]}"


class KnowledgeSync:
    def __init__(self, *, core: Core, reloader: Reloader, store: Releases, instance: str,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.core = core
        self.reloader = reloader
        self.store = store
        self.instance = instance
        self.clock = clock or core.clock
        self.note = ""
        self._tried: tuple[Release, datetime] | None = None

    async def tick(self) -> None:
        """Converge on the latest successful release, then say what this instance serves."""
        release = await self.store.last_release(ok_only=True)
        served = self.core.knowledge.version
        if release is not None and release.version != served:
            await self._converge(release=release)
        elif release is not None:
            self.note = ""
        await self.beat()

    async def _converge(self, *, release: Release) -> None:
        """Retried a minute apart for the same release; a new release, even of the same version
        (an admin's reload after fixing this instance's files), is tried at once."""
        now = self.clock()
        if self._tried and self._tried[0] == release and now - self._tried[1] < RETRY_MISMATCH:
            return
        self._tried = (release, now)
        target = release.version
        result = await self.reloader.reload(expect=target)
        if result.ok:
            self.note = ""
            log.info("knowledge base: converged on version %s", target)
        else:
            self.note = (f"cannot converge on {target}: "
                         + "; ".join(str(p) for p in result.problems[:3]))
            log.warning("knowledge base: %s", self.note)

    async def beat(self) -> None:
        await self.store.heartbeat(beat=InstanceBeat(
            instance=self.instance, version=self.core.knowledge.version, seen_at=self.clock(),
            note=self.note))

    async def run(self, *, interval: float) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("knowledge base: poll failed")
            await asyncio.sleep(interval)


def sync_context(*, sync: KnowledgeSync, interval: float) -> Callable[[Any], AsyncIterator[None]]:
    """For `app.cleanup_ctx`: poll in the background while the app serves."""

    async def context(_app: Any) -> AsyncIterator[None]:
        async with running(sync.run(interval=interval), name="guidance-bot knowledge sync"):
            yield

    return context
