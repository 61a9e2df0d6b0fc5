"""Without Microsoft credentials `/api/messages` is the local Bot Framework Emulator's endpoint:
only this machine may call it, replies go only to this machine, what it has recorded stays put,
and nobody is an admin there, whatever user id an activity claims. With credentials, replies go
to the service URL the token names, and the Azure AD object id of the token's activity is what
`TEAMS_ADMIN_IDS` lists."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import CORE, create_app
from bot.conversation.access import Admins
from bot.messages import Reply, ReplyKind
from bot.reminders.service import Outcome
from bot.settings import Settings, SettingsError
from tests.adapters.bot_framework import EMULATOR_ISSUER, BotFramework, token
from tests.adapters.teams.reminding import post_reminder
from tests.adapters.teams_support import FakeConnector, golden
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

ADMIN_AAD = "00000000-0000-0000-0000-0000000000a1"
ADMIN_COMMANDS = ("reload", "audit", "status", "subscribe 09:00", "unanswered")


async def _app_client(tmp_path, *, host: str = "127.0.0.1", teams_options=None, **settings):
    values = dict(knowledge_path=write_knowledge(tmp_path / "kb"), reminders_enabled=False,
                  admins=Admins.from_lists(teams=[ADMIN_AAD]))
    values.update(settings)
    configured = Settings(**values)
    app = create_app(settings=configured, store=MemoryStore(), teams_options=teams_options)
    client = TestClient(TestServer(app, host=host))
    await client.start_server()
    return client, app[CORE]


@pytest.fixture
async def elsewhere(outside_address):
    """A second fake connector, reached at this machine's non-loopback address."""
    fake = FakeConnector()
    server = TestServer(fake.app(), host="0.0.0.0")
    await server.start_server()
    fake.url = f"http://{outside_address}:{server.port}/"
    yield fake
    await server.close()


def _as_admin(name: str, *, service_url: str, text: str, number: int) -> dict:
    activity = golden(name, service_url=service_url, id=f"emu-{number}", text=text)
    activity["from"]["id"] = ADMIN_AAD
    activity["from"]["aadObjectId"] = ADMIN_AAD
    return activity


async def test_emulator_mode_grants_no_admin_to_an_activity_claiming_an_admin_id(tmp_path,
                                                                                 connector):
    client, core = await _app_client(tmp_path)
    try:
        for number, command in enumerate(ADMIN_COMMANDS):
            for name, text in (("personal_message", command),
                               ("channel_mention", f"<at>Guidance Bot</at> {command}")):
                response = await client.post("/api/messages", json=_as_admin(
                    name, service_url=connector.url, text=text, number=2 * number + len(name)))
                assert response.status == 201
        replies = connector.activities
        assert len(replies) == 2 * len(ADMIN_COMMANDS)
        assert all(reply["summary"] == "Admins only" for reply in replies), replies
        assert {entry.outcome for entry in await core.store.audit(limit=50)} == {"refused"}
        assert await core.store.subscriptions() == []
    finally:
        await client.close()


async def test_with_credentials_the_admin_is_the_azure_ad_object_id_in_the_token(
        tmp_path, connector, bot_framework):
    client, core = await _app_client(tmp_path, teams_options=bot_framework.teams_options(),
                                     **bot_framework.settings())

    async def whoami(message, arguments):
        return Reply(kind=ReplyKind.NOTICE, title=f"admin {message.user_id}", body="ok")

    core.register_admin(name="whoami", summary="test", run=whoami)
    try:
        headers = BotFramework.headers(service_url=connector.url)
        await client.post("/api/messages", headers=headers, json=_as_admin(
            "personal_message", service_url=connector.url, text="whoami", number=1))
        other = golden("channel_mention", service_url=connector.url,
                       text="<at>Guidance Bot</at> whoami")
        await client.post("/api/messages", headers=headers, json=other)
        assert [reply["summary"] for reply in connector.activities] == [f"admin {ADMIN_AAD}",
                                                                      "Admins only"]
    finally:
        await client.close()


def test_settings_refuse_teams_admin_ids_without_credentials(tmp_path):
    environ = {"KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb")),
               "TEAMS_ADMIN_IDS": ADMIN_AAD}
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(environ)
    (problem,) = caught.value.problems
    assert problem.startswith("TEAMS_ADMIN_IDS: needs MicrosoftAppId and MicrosoftAppPassword")
    settings = Settings.from_env({**environ, "MicrosoftAppId": "app", "MicrosoftAppPassword": "x"})
    assert settings.admins.by_platform["teams"] == {ADMIN_AAD}


async def test_emulator_endpoint_refuses_callers_from_another_machine(tmp_path, connector,
                                                                      outside_address):
    client, _ = await _app_client(tmp_path, host="0.0.0.0")
    port = client.server.port
    activity = golden("personal_message", service_url=connector.url)
    try:
        async with aiohttp.ClientSession() as session:
            outside = await session.post(f"http://{outside_address}:{port}/api/messages",
                                         json=activity)
            assert outside.status == 403
            relayed = await session.post(f"http://127.0.0.1:{port}/api/messages", json=activity,
                                         headers={"X-Forwarded-For": "198.51.100.7"})
            assert relayed.status == 403
            assert connector.received == []
            local = await session.post(f"http://127.0.0.1:{port}/api/messages", json=activity)
            assert local.status == 201
            assert len(connector.received) == 1
            assert (await session.get(f"http://{outside_address}:{port}/healthz")).status == 200
    finally:
        await client.close()


async def test_with_credentials_other_machines_may_call_with_a_token(tmp_path, connector,
                                                                     outside_address,
                                                                     bot_framework):
    client, _ = await _app_client(tmp_path, host="0.0.0.0",
                                  teams_options=bot_framework.teams_options(),
                                  **bot_framework.settings())
    url = f"http://{outside_address}:{client.server.port}/api/messages"
    activity = golden("personal_message", service_url=connector.url)
    try:
        async with aiohttp.ClientSession() as session:
            assert (await session.post(url, json=activity)).status == 401
            signed = await session.post(url, json=activity,
                                        headers=BotFramework.headers(service_url=connector.url))
            assert signed.status == 201
        assert len(connector.received) == 1
    finally:
        await client.close()


@pytest.mark.parametrize("where", ["other host", "user and password"])
async def test_emulator_mode_replies_only_to_this_machine(tmp_path, connector, elsewhere, where):
    client, _ = await _app_client(tmp_path)
    target = {"other host": elsewhere.url,
              "user and password": connector.url.replace("http://", "http://me:secret@")}[where]
    try:
        response = await client.post("/api/messages",
                                     json=golden("personal_message", service_url=target))
        assert response.status in (400, 403)
        assert elsewhere.attempts == 0 and connector.attempts == 0
    finally:
        await client.close()


async def test_an_unauthenticated_activity_never_moves_a_recorded_conversation(tmp_path,
                                                                              connector):
    other = FakeConnector()
    other_server = TestServer(other.app(), host="127.0.0.1")
    await other_server.start_server()
    client, core = await _app_client(tmp_path)
    channel = "19:comms-team-channel@thread.tacv2"
    try:
        assert (await client.post("/api/messages", json=golden(
            "channel_mention", service_url=connector.url))).status == 201
        moved = golden("channel_mention", service_url=str(other_server.make_url("/")),
                       id="1700000000777")
        assert (await client.post("/api/messages", json=moved)).status == 201
        for conversation in (channel, moved["conversation"]["id"]):
            saved = await core.store.conversation(platform="teams", conversation_id=conversation)
            assert saved["serviceUrl"] == connector.url
        before = len(connector.received)
        delivery = await post_reminder(client.server.app, store=core.store, channel=channel,
                                       reply=core.today())
        assert delivery.outcome is Outcome.DELIVERED
        assert len(connector.received) == before + 1
        assert len(other.received) == 1  # only the reply to the second activity itself
    finally:
        await client.close()
        await other_server.close()


async def test_with_credentials_a_token_that_names_no_service_url_is_refused(
        tmp_path, connector, elsewhere, bot_framework):
    client, _ = await _app_client(tmp_path, teams_options=bot_framework.teams_options(),
                                  **bot_framework.settings())
    emulator_token = token(service_url=None, iss=EMULATOR_ISSUER, ver="1.0",
                           appid=bot_framework.settings()["microsoft_app_id"])
    try:
        response = await client.post(
            "/api/messages", json=golden("personal_message", service_url=elsewhere.url),
            headers={"Authorization": f"Bearer {emulator_token}"})
        assert response.status == 401
        assert elsewhere.attempts == 0
        signed = await client.post(
            "/api/messages", json=golden("personal_message", service_url=connector.url),
            headers=BotFramework.headers(service_url=connector.url))
        assert signed.status == 201 and len(connector.received) == 1
    finally:
        await client.close()
