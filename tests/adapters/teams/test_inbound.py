"""What the bot reads from each Teams activity, without a server (adapters/teams/inbound.py)."""

from __future__ import annotations

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Mention

from adapters.teams.inbound import MAX_STORED_ID, to_message


def activity(*, conversation: ConversationAccount, text: str = "can I post about politics?",
             entities=None) -> Activity:
    return Activity(type="message", text=text, entities=entities,
                    from_property=ChannelAccount(id="29:1", name="Sam", aad_object_id="aad-1"),
                    recipient=ChannelAccount(id="28:bot", name="Guidance Bot"),
                    conversation=conversation)


def test_a_channel_thread_message_names_the_channel_without_the_mention_and_is_not_direct():
    mention = Mention(mentioned=ChannelAccount(id="28:bot", name="Guidance Bot"),
                      text="<at>Guidance Bot</at>", type="mention")
    message = to_message(activity(
        conversation=ConversationAccount(id="19:abc@thread.tacv2;messageid=123",
                                         conversation_type="channel"),
        text="<at>Guidance Bot</at> can I post about politics?", entities=[mention]),
        anonymous=False)
    assert (message.user_id, message.text, message.channel_id, message.is_direct) == (
        "aad-1", "can I post about politics?", "19:abc@thread.tacv2", False)


def test_a_personal_chat_is_direct_and_an_emulator_message_is_anonymous():
    message = to_message(activity(conversation=ConversationAccount(id="a:1",
                                                                   conversation_type="personal")),
                         anonymous=True)
    assert message.is_direct and message.anonymous and message.user_name == "Sam"


def test_a_group_chat_id_too_long_to_store_is_kept_as_a_digest():
    long_id = "19:" + "m" * 400 + "@thread.v2"
    message = to_message(activity(conversation=ConversationAccount(id=long_id,
                                                                   conversation_type="groupChat")),
                         anonymous=False)
    assert message.channel_id is not None and message.channel_id.startswith("sha256:")
    assert len(message.channel_id) <= MAX_STORED_ID and not message.is_direct
