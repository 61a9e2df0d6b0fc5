"""The Teams endpoint as `app.py` wires it."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.settings import Settings, SettingsError
from tests.kbfactory import write_knowledge


async def test_app_serves_api_messages(tmp_path):
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"), data_dir=tmp_path / "data")
    async with TestClient(TestServer(create_app(settings=settings))) as client:
        response = await client.post("/api/messages", data=b"{}",
                                     headers={"Content-Type": "text/plain"})
        assert response.status == 415
        response = await client.post("/api/messages", json={"type": "message"})
        assert response.status == 400


async def test_production_without_app_id_does_not_serve_an_open_endpoint(tmp_path):
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"), environment="production",
                        data_dir=tmp_path / "data")
    async with TestClient(TestServer(create_app(settings=settings))) as client:
        response = await client.post("/api/messages", json={"type": "message"})
        assert response.status == 404


@pytest.mark.parametrize("app_type", ["SingleTenant", "UserAssignedMSI"])
def test_settings_require_a_tenant_where_botbuilder_does(tmp_path, app_type):
    environ = {"KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb")),
               "MicrosoftAppId": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
               "MicrosoftAppPassword": "secret", "MicrosoftAppType": app_type}
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(environ)
    assert caught.value.problems == (
        f"MicrosoftAppTenantId: required when MicrosoftAppType is {app_type}",)
    settings = Settings.from_env({**environ, "MicrosoftAppTenantId": "t-1",
                                  "DATA_DIR": str(tmp_path / "data")})
    app = create_app(settings=settings)
    assert any(route.resource.canonical == "/api/messages" for route in app.router.routes())
