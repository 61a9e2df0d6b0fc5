"""The Teams endpoint as `app.py` wires it."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.settings import Settings
from tests.kbfactory import write_knowledge


async def test_app_serves_api_messages(tmp_path):
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"))
    async with TestClient(TestServer(create_app(settings=settings))) as client:
        response = await client.post("/api/messages", data=b"{}",
                                     headers={"Content-Type": "text/plain"})
        assert response.status == 415
        response = await client.post("/api/messages", json={"type": "message"})
        assert response.status == 400


async def test_production_without_app_id_does_not_serve_an_open_endpoint(tmp_path):
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"), environment="production")
    async with TestClient(TestServer(create_app(settings=settings))) as client:
        response = await client.post("/api/messages", json={"type": "message"})
        assert response.status == 404
