"""The Teams bot through the real aiohttp route and botbuilder's CloudAdapter, replying to a fake
connector service over HTTP."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import Activity

from adapters.teams import setup_teams
from adapters.teams.bot import SORRY
from adapters.teams.cards import CARD_CONTENT_TYPE
from adapters.teams.inbound import strip_mention
from adapters.teams.retry import RetryPolicy
from bot.conversation.access import Admins
from bot.messages import Reply, ReplyKind
from bot.reminders.service import Outcome
from bot.settings import Settings
from tests.adapters.teams.reminding import post_reminder
from tests.adapters.teams_support import FakeConnector, Harness, make_core, shown_once
from tests.memory_store import MemoryStore

BOT_ID = "28:00000000-0000-0000-0000-00000000b0b0"
ADMIN_AAD = "00000000-0000-0000-0000-0000000000a1"


teams_app: list[web.Application] = []


@pytest.fixture
async def teams(tmp_path):
    connector = FakeConnector()
    connector_server = TestServer(connector.app())
    await connector_server.start_server()
    store = MemoryStore()
    core = make_core(tmp_path, store=store, admins=Admins.from_lists(teams=[ADMIN_AAD]))
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    app = web.Application()
    teams_app.append(app)
    app.cleanup_ctx.extend(setup_teams(
        app, core=core, settings=Settings(), store=store,
        bot_options={"sleep": sleep, "rng": lambda: 0.5,
                     "retry": RetryPolicy(attempts=4, base_delay=1.0, max_delay=8.0)}))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield Harness(client=client, connector=connector,
                      connector_url=str(connector_server.make_url("/")), store=store, core=core,
                      sleeps=sleeps)
    finally:
        await client.close()
        await connector_server.close()


def card_of(activity: dict) -> dict:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    return attachment["content"]


def card_text(activity: dict) -> str:
    return "\n".join(block.get("text") or "".join(run["text"] for run in block.get("inlines", []))
                     for block in _blocks(card_of(activity)["body"]))


def _blocks(items):
    for item in items:
        yield item
        yield from _blocks(item.get("items", []))


async def test_personal_message_is_answered_with_a_card_in_reply(teams):
    response = await teams.post("personal_message")
    assert response.status == 201
    (sent,) = teams.connector.received
    assert sent["conversation"] == "a:1personal-conversation"
    assert sent["reply_to"] == "1700000000001"
    activity = sent["activity"]
    assert activity["type"] == "message"
    assert activity["summary"] == "The six principles"
    assert card_of(activity)["version"] == "1.5"
    assert "Be transparent and accountable" in card_text(activity)


async def test_every_card_goes_to_teams_as_one_message_with_a_summary_and_no_text(teams):
    """Text beside a card is a second message in Teams: each reply must be the card alone."""
    long_answer = ("A sentence about using social media with care. " * 400).strip()
    long = Reply(kind=ReplyKind.ANSWER, title="Long", body=long_answer,
                 principle=1, entry="principle-1", feedback=True, source="Test")
    await teams.post("installation_update")
    await teams.post("personal_message")
    await teams.post("channel_mention", id="1700000000010")
    await teams.post("card_submit")
    await teams.post("card_submit", id="1700000000011",
                     value={"action": "answer", "entry": "principle-5"})
    await teams.post("personal_message", id="1700000000012", text="nonsense words qqq")
    delivery = await post_reminder(teams_app[-1], store=teams.store,
                                   channel="a:1personal-conversation", reply=teams.core.today())
    assert delivery.outcome is Outcome.DELIVERED
    teams.core.answer = lambda **_: long
    await teams.post("personal_message", id="1700000000013", text="something long")
    activities = teams.connector.activities
    assert len(activities) > 8
    for activity in activities:
        shown_once(activity)
    assert [a["summary"] for a in activities[:2]] == ["Welcome to Guidance Bot",
                                                       "The six principles"]


async def test_channel_mention_is_stripped_and_answered(teams):
    response = await teams.post("channel_mention")
    assert response.status == 201
    (activity,) = teams.connector.activities
    card = card_of(activity)
    assert "Be transparent and accountable" in card_text(activity)
    assert "What principle 3 means in practice." in card_text(activity)
    titles = [action["title"] for action in card["actions"]]
    assert titles == ["Helpful", "Not helpful"]
    assert card["actions"][0]["data"] == {"action": "feedback", "entry": "principle-3",
                                          "helpful": True}


@pytest.mark.parametrize("text", ["<at>Guidance Bot</at>", "<at>Guidance Bot</at>   ", ""])
async def test_mention_only_or_empty_text_gets_help(teams, text):
    response = await teams.post("channel_mention", text=text)
    assert response.status == 201
    (activity,) = teams.connector.activities
    assert activity["summary"] == "How to use Guidance Bot"


async def test_missing_text_gets_help(teams):
    response = await teams.post("channel_mention", text=None)
    assert response.status == 201
    assert teams.connector.activities[0]["summary"] == "How to use Guidance Bot"


async def test_feedback_submit_is_recorded_through_the_store(teams):
    response = await teams.post("card_submit")
    assert response.status == 201
    (feedback,) = teams.store.feedback
    assert (feedback.platform, feedback.entry, feedback.helpful, feedback.question) == (
        "teams", "principle-3", True, "principle 3")
    assert teams.connector.activities[0]["summary"] == "Thanks for your feedback"


async def test_not_helpful_submit_is_recorded(teams):
    await teams.post("card_submit", value={"action": "feedback", "entry": "topic-1",
                                           "helpful": False})
    (feedback,) = teams.store.feedback
    assert (feedback.entry, feedback.helpful, feedback.question) == ("topic-1", False, None)


async def test_a_feedback_submit_for_no_entry_of_the_knowledge_base_is_not_recorded(teams):
    response = await teams.post("card_submit", value={"action": "feedback", "entry": "x" * 300,
                                                      "helpful": True})
    assert response.status == 201
    assert teams.store.feedback == []
    assert teams.connector.activities[0]["summary"] == "Thanks for your feedback"


async def test_did_you_mean_submit_answers_that_entry(teams):
    response = await teams.post("card_submit", value={"action": "answer", "entry": "principle-5"})
    assert response.status == 201
    (activity,) = teams.connector.activities
    assert "Work with those who can help" in card_text(activity)
    assert teams.store.feedback == []


async def test_submit_with_unknown_data_gets_help_not_an_error(teams):
    response = await teams.post("card_submit", value={"action": "explode", "entry": 7})
    assert response.status == 201
    assert teams.connector.activities[0]["summary"] == "How to use Guidance Bot"


async def test_bot_added_to_a_team_says_welcome(teams):
    response = await teams.post("conversation_update")
    assert response.status == 201
    (sent,) = teams.connector.received
    assert sent["conversation"] == "19:comms-team@thread.tacv2"
    text = card_text(sent["activity"])
    assert sent["activity"]["summary"] == "Welcome to Guidance Bot"
    for title in ("Go where citizens already are", "Adhere to the Civil Service Code"):
        assert title in text


async def test_someone_else_joining_gets_no_welcome(teams):
    response = await teams.post("conversation_update",
                                membersAdded=[{"id": "29:someone-new"}])
    assert response.status == 201
    assert teams.connector.received == []


async def test_installation_says_welcome(teams):
    response = await teams.post("installation_update")
    assert response.status == 201
    (activity,) = teams.connector.activities
    assert activity["summary"] == "Welcome to Guidance Bot"


async def test_uninstall_says_nothing(teams):
    response = await teams.post("installation_update", action="remove")
    assert response.status == 201
    assert teams.connector.received == []


async def test_same_activity_delivered_twice_is_answered_once(teams):
    first = await teams.post("personal_message")
    second = await teams.post("personal_message")
    assert (first.status, second.status) == (201, 201)
    assert len(teams.connector.received) == 1
    third = await teams.post("personal_message", id="1700000000999")
    assert third.status == 201
    assert len(teams.connector.received) == 2


async def test_conversation_references_are_kept_for_every_conversation(teams):
    await teams.post("personal_message")
    await teams.post("channel_mention")
    await teams.post("conversation_update")
    personal = await teams.store.conversation(platform="teams",
                                              conversation_id="a:1personal-conversation")
    assert personal["serviceUrl"] == teams.connector_url
    assert personal["bot"]["id"] == BOT_ID
    assert personal["user"]["aadObjectId"] == ADMIN_AAD
    assert personal["channelId"] == "msteams"
    team = await teams.store.conversation(platform="teams",
                                          conversation_id="19:comms-team@thread.tacv2")
    assert team["conversation"]["conversationType"] == "channel"
    thread = await teams.store.conversation(
        platform="teams",
        conversation_id="19:comms-team-channel@thread.tacv2;messageid=1700000000002")
    channel = await teams.store.conversation(platform="teams",
                                             conversation_id="19:comms-team-channel@thread.tacv2")
    assert thread["activityId"] == "1700000000002"
    assert channel["conversation"]["id"] == "19:comms-team-channel@thread.tacv2"
    assert "activityId" not in channel


@pytest.mark.parametrize("status", [429, 412, 502, 504])
async def test_throttled_and_gateway_failures_are_retried_with_backoff(teams, status):
    teams.connector.failures = [status, status]
    response = await teams.post("personal_message")
    assert response.status == 201
    assert teams.connector.attempts == 3
    assert len(teams.connector.received) == 1
    assert teams.sleeps == [0.5, 1.0]  # rng 0.5 x 1s, 2s: exponential with jitter


async def test_413_is_not_retried_and_the_user_is_told(teams, caplog):
    teams.connector.failures = [413]
    with caplog.at_level(logging.ERROR, logger="adapters.teams.bot"):
        response = await teams.post("personal_message")
    assert response.status == 201
    assert teams.sleeps == []
    assert teams.connector.attempts == 2  # the reply, then the apology
    assert teams.connector.activities[0]["text"] == SORRY
    assert "1700000000001" in caplog.text and "a:1personal-conversation" in caplog.text


async def test_retries_give_up_after_the_last_attempt(teams):
    teams.connector.failures = [429, 429, 429, 429]
    response = await teams.post("personal_message")
    assert response.status == 201
    assert teams.sleeps == [0.5, 1.0, 2.0]
    assert teams.connector.activities[0]["text"] == SORRY


async def test_error_in_the_core_is_logged_and_the_user_told(teams, caplog):
    def broken(**_):
        raise RuntimeError("boom")

    teams.core.answer = broken
    with caplog.at_level(logging.ERROR, logger="adapters.teams.bot"):
        response = await teams.post("personal_message", text="explode")
    assert response.status == 201
    assert teams.connector.activities[0]["text"] == SORRY
    assert "boom" in caplog.text and "message activity 1700000000001" in caplog.text


async def test_long_answers_are_split_into_cards_under_the_size_limit(teams, tmp_path):
    long_answer = ("A sentence about using social media with care. " * 400).strip()
    reply = Reply(kind=ReplyKind.ANSWER, title="Long", body=long_answer,
                  principle=1, entry="principle-1", feedback=True, source="Test")
    teams.core.answer = lambda **_: reply
    response = await teams.post("personal_message", text="something long")
    assert response.status == 201
    activities = teams.connector.activities
    assert len(activities) > 1
    for activity in activities:
        assert len(str(activity).encode()) < 20_000
    assert "actions" in card_of(activities[-1]) and "actions" not in card_of(activities[0])
    assert "".join(card_text(a) for a in activities).count("with care") == 400


async def test_reminders_can_post_into_a_conversation_heard_before(teams):
    await teams.post("channel_mention")
    channel = "19:comms-team-channel@thread.tacv2;messageid=1700000000002"
    teams.connector.failures = [429]
    # A 429 is handed back to the reminder runner to retry later (it paces and retries), so
    # nothing sleeps here; the runner's next attempt posts.
    throttled = await post_reminder(teams_app[-1], store=teams.store, channel=channel,
                                    reply=teams.core.today())
    assert throttled.outcome is Outcome.RETRY
    posted = await post_reminder(teams_app[-1], store=teams.store, channel=channel,
                                 reply=teams.core.today())
    assert posted.outcome is Outcome.DELIVERED
    reminder = teams.connector.received[-1]
    assert reminder["conversation"] == channel and reminder["reply_to"] is None
    assert reminder["activity"]["summary"].startswith("Principle of the day")
    assert teams.sleeps == []


async def test_reminders_skip_conversations_never_heard(teams):
    delivery = await post_reminder(teams_app[-1], store=teams.store, channel="19:unknown",
                                   reply=teams.core.today())
    assert delivery.outcome is Outcome.FAILED
    assert teams.connector.received == []


async def test_reminders_start_a_new_post_in_a_channel(teams):
    await teams.post("channel_mention")
    channel = "19:comms-team-channel@thread.tacv2"
    delivery = await post_reminder(teams_app[-1], store=teams.store, channel=channel,
                                   reply=teams.core.today())
    assert delivery.outcome is Outcome.DELIVERED
    reminder = teams.connector.received[-1]
    assert reminder["conversation"] == channel and reminder["reply_to"] is None


async def test_one_install_is_welcomed_once_though_teams_sends_two_events(teams):
    team = {"team": {"id": "19:comms-team@thread.tacv2"}, "tenant": {"id": "t"}}
    await teams.post("conversation_update")
    await teams.post("installation_update", channelData=team, timestamp="2026-11-23T21:03:01Z",
                     conversation={"id": "19:other-channel@thread.tacv2",
                                   "conversationType": "channel"})
    assert [a["summary"] for a in teams.connector.activities] == ["Welcome to Guidance Bot"]


async def test_reinstalling_later_welcomes_again(teams):
    await teams.post("installation_update")
    await teams.post("installation_update", id="f:1700000009999",
                     timestamp="2026-11-24T09:00:00.000Z")
    assert len(teams.connector.activities) == 2


@pytest.mark.parametrize("entities", [
    [{"type": "mention"}], [{"type": "mention", "mentioned": None, "text": "<at>x</at>"}],
    [{"type": "mention", "mentioned": {"id": BOT_ID}, "text": 5}], "not a list",
])
async def test_malformed_mention_entities_do_not_break_the_answer(teams, entities):
    response = await teams.post("channel_mention", entities=entities,
                                text="<at>Guidance Bot</at> principles")
    assert response.status in (201, 400)
    if response.status == 201:
        (activity,) = teams.connector.activities
        assert activity["summary"] == "The six principles"


def test_only_the_bots_own_mention_is_stripped():
    entities = [{"type": "mention", "mentioned": {"id": "29:someone", "name": "Jo"},
                 "text": "<at>Jo</at>"},
                {"type": "mention", "mentioned": {"id": BOT_ID, "name": "Guidance Bot"},
                 "text": "<at>Guidance Bot</at>"}]
    activity = Activity().deserialize({
        "type": "message", "text": "<at>Guidance Bot</at> can <at>Jo</at>  post this?",
        "entities": entities, "recipient": {"id": BOT_ID}})
    assert strip_mention(activity) == "can <at>Jo</at> post this?"


@pytest.mark.parametrize("kind, name", [("invoke", None), ("invoke", "adaptiveCard/action"),
                                        ("invoke", "task/fetch")])
async def test_unsupported_invokes_are_400_not_5xx(teams, kind, name):
    response = await teams.post("personal_message", type=kind, name=name)
    assert response.status == 400
    assert teams.connector.received == []


@pytest.mark.parametrize("kind", ["messageReaction", "typing", "somethingNew", "event"])
async def test_other_activity_types_are_accepted_quietly(teams, kind):
    response = await teams.post("personal_message", type=kind)
    assert response.status == 201
    assert teams.connector.received == []
