"""An admin word opens an admin command only when the rest of the message is that command's
arguments; otherwise the message is a question, for admins and everyone else alike (issue 12)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.conversation.access import Admins
from bot.conversation.admin import AdminCommands
from bot.conversation.core import Core
from bot.insights.questionlog import QuestionLog
from bot.knowledge.loader import load_knowledge
from bot.knowledge.reload import Reloader
from bot.messages import Message, ReplyKind
from bot.reminders.service import Calendar, ReminderCommands
from tests.cores import new_core
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = dict(platform="slack", user_id="UADMIN", channel_id="C1", is_direct=False)
SOMEONE = dict(platform="slack", user_id="USOMEONE", channel_id="C1", is_direct=False)

QUESTIONS = [
    "status update about my department on Facebook ok?",
    "stats about our followers - can I share them?",
    "Stats: about our followers, can I share them?",
    "audit of our accounts, who does it?",
    "audit abc",
    "unanswered comments on our page: do we have to reply?",
    "reload the page and my post is gone, what now?",
    "subscribe to my MP's channel on YouTube?",
    "subscribe fortnightly",
    "subscriptions to political newsletters with a work email?",
    "unsubscribe from a campaign mailing list at work?",
]

COMMANDS = {  # what each opens, with its arguments: (command, title of an admin's reply)
    "status": ("status", "Status"),
    "Status?": ("status", "Status"),
    "stats": ("stats", "Stats"),
    "stats 30": ("stats", "Stats"),
    "stats 400": ("stats", "Usage: stats"),  # plainly the command, said wrongly: it says so
    "audit": ("audit", "Audit log"),
    "audit 5": ("audit", "Audit log"),
    "audit -1": ("audit", "Usage: audit"),
    "unanswered 7": ("unanswered", "Unanswered questions"),
    "reload changes": ("reload", "Changed answers"),
    "subscribe 08:45 daily skip-holidays": ("subscribe", "Subscribed"),
    "subscribe 25:00": ("subscribe", "Not subscribed"),
    "subscriptions": ("subscriptions", "Subscriptions"),
    "unsubscribe": ("unsubscribe", "Unsubscribed"),  # the channel subscribed above
}


def make(tmp_path: Path) -> Core:
    path = write_knowledge(tmp_path / "kb")
    store = MemoryStore()

    def now():
        return NOW

    core = new_core(knowledge=load_knowledge(path=path), admins=Admins.from_lists(slack={"UADMIN"}),
                    store=store, clock=now,
                    question_log=QuestionLog(store=store, key=b"k" * 32, clock=now))
    AdminCommands(core=core, reloader=Reloader(core=core, path=path)).register()
    ReminderCommands(store=core.store, calendar=Calendar(), clock=core.clock).register(core=core)
    return core


@pytest.mark.parametrize("who", [ADMIN, SOMEONE], ids=["admin", "non-admin"])
async def test_a_question_that_begins_with_an_admin_word_is_answered_as_a_question(tmp_path, who):
    core = make(tmp_path)
    for text in QUESTIONS:
        reply = await core.handle(Message(text=text, **who))
        assert reply.kind in (ReplyKind.ANSWER, ReplyKind.SUGGESTIONS, ReplyKind.NOT_FOUND), text
        assert reply.question == text
    assert await core.store.audit(limit=50) == []  # no admin command ran, or was refused
    assert await core.question_log.flush() == len(QUESTIONS)
    logged = await core.store.questions(since=NOW - timedelta(days=1))
    assert [r.text for r in logged] == QUESTIONS


async def test_a_command_with_its_arguments_is_the_command_for_an_admin_only(tmp_path):
    core = make(tmp_path)
    for text, (name, title) in COMMANDS.items():
        refused = await core.handle(Message(text=text, **SOMEONE))
        assert refused.kind is ReplyKind.REFUSAL and f"'{name}'" in refused.text, text
        ran = await core.handle(Message(text=text, **ADMIN))
        assert ran.kind is ReplyKind.NOTICE and ran.title == title, text
        (latest,) = await core.store.audit(limit=1)
        assert (latest.command, latest.user_id) == (name, "UADMIN"), text
    assert await core.question_log.flush() == 0


def test_every_command_is_documented_in_the_readme_with_its_arguments(tmp_path):
    core = make(tmp_path)
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
    usages = {command.usage.replace("|", "\\|") for command in core.admin_commands}
    assert usages <= documented
