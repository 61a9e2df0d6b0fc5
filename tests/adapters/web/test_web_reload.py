"""Questions to `/api/chat` while an admin reloads through it: every answer is wholly one version."""

from __future__ import annotations

import asyncio

import yaml
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.settings import Settings
from tests.kbfactory import knowledge_dict, write_knowledge
from tests.memory_store import MemoryStore

TOKEN = "admin-token"


def tagged(tag: str) -> str:
    data = knowledge_dict()
    for entry in data["entries"]:
        entry["title"] = f"{tag} {entry['title']}"
        entry["answer"] = f"{tag} answer"
    return yaml.safe_dump(data)


async def test_questions_during_reloads_get_whole_answers(tmp_path):
    path = write_knowledge(tmp_path / "kb")
    (path / "kb.yaml").write_text(tagged("OLD"), encoding="utf-8")
    settings = Settings(knowledge_path=path, admin_token=TOKEN, reminders_enabled=False,
                        web_rate_limit=0)  # 90 questions from one client on purpose
    question = knowledge_dict()["entries"][6]["questions"][0]
    async with TestClient(TestServer(create_app(settings=settings, store=MemoryStore()))) as client:

        async def ask() -> str:
            response = await client.post("/api/chat", json={"text": question})
            assert response.status == 200
            return (await response.json())["text"]

        async def reload() -> str:
            response = await client.post("/api/chat", json={"text": "reload"},
                                         headers={"Authorization": f"Bearer {TOKEN}"})
            return (await response.json())["text"]

        texts = [await ask()]
        for tag in ("NEW", "OLD", "NEW"):
            (path / "kb.yaml").write_text(tagged(tag), encoding="utf-8")
            reloaded, *answers = await asyncio.gather(reload(), *(ask() for _ in range(30)))
            assert reloaded.startswith("Reloaded:")
            texts += answers
        texts.append(await ask())
    for text in texts:
        assert len({t for t in ("OLD", "NEW") if t in text}) == 1, text
    assert "OLD answer" in texts[0] and "NEW answer" in texts[-1]
    assert {t for text in texts for t in ("OLD", "NEW") if t in text} == {"OLD", "NEW"}


async def test_reload_reports_the_questions_it_moves_and_lists_them_all_on_request(tmp_path):
    path = write_knowledge(tmp_path / "kb")
    settings = Settings(knowledge_path=path, admin_token=TOKEN, reminders_enabled=False)
    admin = {"Authorization": f"Bearer {TOKEN}"}
    async with TestClient(TestServer(create_app(settings=settings, store=MemoryStore()))) as client:

        async def say(text: str, headers: dict) -> dict:
            response = await client.post("/api/chat", json={"text": text}, headers=headers)
            assert response.status == 200
            return await response.json()

        unchanged = (await say("reload", admin))["text"]
        assert "The content is the same" in unchanged and "different answer" not in unchanged
        data = knowledge_dict()
        data["entries"].append({"id": "new-topic", "principle": 2, "title": "Brand new topic",
                                "answer": "New.", "source": "Test",
                                "questions": ["zebra crossing polls"]})
        (path / "kb.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
        zebra = "'zebra crossing polls' (new-topic): no answer → new-topic"
        reloaded = (await say("reload", admin))["text"]
        assert "question(s) now get a different answer: " + zebra in reloaded
        listing = await say("reload changes", admin)
        assert listing["title"] == "Changed answers" and zebra in listing["text"]
        refused = await say("reload changes", {})
        assert refused["kind"] == "refusal" and zebra not in refused["text"]
