"""Slack admin ids belong to a workspace: `T123:U456` (or `E123:W456` for an Enterprise Grid org)
names one member of one workspace, and a plain id a member of the workspace the bot is installed
in (auth.test's team). Checked through the signed route, as Slack would send each request."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

import app as application
from bot.conversation.access import Admins
from bot.settings import Settings, SettingsError
from tests.adapters.slack.fake_slack import TEAM_ID
from tests.adapters.slack.harness import Harness, payload, settings_for
from tests.memory_store import MemoryStore

ADMINS = ["U0ADMIN", "T0OTHER:U0GUEST", "E0ORG:W0BOSS"]
ALLOWED = "Serving knowledge-base version"
REFUSED = "only an admin can use 'status'"


@pytest.fixture
async def slack(tmp_path, fake_slack):
    settings = settings_for(tmp_path, fake_slack, admins=Admins.from_lists(slack=ADMINS))
    web_app = application.create_app(settings=settings, store=MemoryStore())
    core = web_app[application.CORE]
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    yield Harness(client=client, fake=fake_slack, store=core.store, core=core)
    await client.close()


async def dm(slack: Harness, *, user: str, team: str, number: int, enterprise: str | None = None,
             shared_from: str | None = None) -> str:
    """`status` in a direct message; the bot's reply text."""
    body = payload("message_im")
    body["event_id"] = f"EvWs{number}"
    body["team_id"] = body["event"]["team"] = team
    body["authorizations"][0].update(team_id=team, enterprise_id=enterprise)
    if enterprise:
        body["enterprise_id"] = enterprise
    if shared_from:  # a Slack Connect channel: the user belongs to another organisation
        body["is_ext_shared_channel"] = True
        body["event"]["user_team"] = shared_from
    body["event"].update(text="status", user=user, ts=f"1700000300.{number:06d}",
                         client_msg_id=f"ws-{number}")
    assert (await slack.event(body)).status == 200
    calls = await slack.fake.wait_for("chat.postMessage", count=number)
    return calls[-1].params["text"]


async def test_a_plain_id_is_an_admin_only_in_the_installed_workspace(slack):
    assert ALLOWED in await dm(slack, user="U0ADMIN", team=TEAM_ID, number=1)
    assert REFUSED in await dm(slack, user="U0ADMIN", team="T0OTHER", number=2)
    assert REFUSED in await dm(slack, user="U0ADMIN", team=TEAM_ID, shared_from="T0OTHER",
                               number=3)


async def test_a_workspace_id_ties_an_admin_to_that_workspace(slack):
    assert ALLOWED in await dm(slack, user="U0GUEST", team=TEAM_ID, shared_from="T0OTHER",
                               number=1)
    assert REFUSED in await dm(slack, user="U0GUEST", team=TEAM_ID, number=2)
    assert REFUSED in await dm(slack, user="U0GUEST", team="T0THIRD", number=3)


async def test_an_org_id_ties_an_admin_to_that_enterprise_grid_org(slack):
    assert ALLOWED in await dm(slack, user="W0BOSS", team="T0GRID", enterprise="E0ORG", number=1)
    assert REFUSED in await dm(slack, user="W0BOSS", team="T0GRID", enterprise="E0ELSE",
                               number=2)


async def test_a_slash_command_from_another_workspace_is_no_admin(slack):
    for number, team, expected in ((1, TEAM_ID, ALLOWED), (2, "T0OTHER", REFUSED)):
        fields = payload("slash_command")
        fields.update(text="status", user_id="U0ADMIN", team_id=team,
                      response_url=slack.fake.response_url_for(f"ws{number}"))
        assert (await slack.command(fields)).status == 200
        await slack.fake.wait_until(lambda n=number: len(slack.fake.called("response_url")) >= n)
        assert expected in slack.fake.called("response_url")[-1].params["text"]


def test_settings_name_admin_ids_that_are_not_slack_member_ids(tmp_path):
    from tests.kbfactory import write_knowledge

    environ = {"KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb")),
               "SLACK_ADMIN_IDS": "U0ADMIN, T0OTHER:U0GUEST, E0ORG:W0BOSS, alice, T1:, :U2"}
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(environ)
    (problem,) = caught.value.problems
    assert problem.startswith("SLACK_ADMIN_IDS: not a member id (U…) or workspace:member "
                              "(T…:U…): ':U2', 'T1:', 'alice'")
