"""Fetching a knowledge base from `KNOWLEDGE_URL`: bounded in time and size, errors as problems."""

from __future__ import annotations

import aiohttp

from bot.knowledge import MAX_FILE_BYTES, KnowledgeError, Problem


def url_fetcher(*, timeout: float = 10.0, limit: int = MAX_FILE_BYTES):
    async def fetch(url: str) -> bytes:
        def refuse(message: str) -> KnowledgeError:
            return KnowledgeError([Problem(file=url, line=0, message=message)])

        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
                async with session.get(url) as response:
                    if response.status != 200:
                        raise refuse(f"fetching the knowledge base failed: HTTP {response.status}")
                    data = await response.content.read(limit + 1)
        except (aiohttp.ClientError, TimeoutError) as error:
            reason = f"{error.__class__.__name__} {error}".strip()
            raise refuse(f"cannot fetch the knowledge base: {reason}") from None
        if len(data) > limit:
            raise refuse(f"file is larger than the limit of {limit} bytes")
        return data

    return fetch
