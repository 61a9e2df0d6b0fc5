"""Work that runs beside the bot for as long as the application does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any

# A clean-up context as aiohttp's `cleanup_ctx` takes it: what is before its `yield` runs at
# start, what is after at stop. Only the composition root (`app.py`) registers them.
Context = Callable[[Any], AsyncIterator[None]]


@asynccontextmanager
async def running(work: Coroutine[Any, Any, Any], *, name: str) -> AsyncIterator[None]:
    """`work` as a task for the length of the block, cancelled and awaited when it ends, so
    nothing outlives the application that started it."""
    task = asyncio.create_task(work, name=name)
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
