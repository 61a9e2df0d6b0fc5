"""Reload compares the new version with the one it replaces: which of the knowledge base's own
questions get a different entry, counted, the first few in the reply, all on request (issue 12)."""

from __future__ import annotations

import threading
from pathlib import Path

import yaml

from bot.conversation.access import Admins
from bot.conversation.admin import MAX_LISTED, AdminCommands
from bot.conversation.core import Core, Snapshot
from bot.knowledge.loader import KnowledgeBase, load_knowledge
from bot.knowledge.reload import Reloader, moved
from bot.messages import Message, Reply, ReplyKind
from tests.cores import new_core
from tests.kbfactory import knowledge_dict, write_knowledge
from tests.memory_store import MemoryStore

ADMIN = dict(platform="slack", user_id="UADMIN")
ZEBRA = "'zebra crossing polls' (new-topic): no answer → new-topic"


class Setup:
    def __init__(self, tmp_path: Path, *, core_type: type[Core] = Core) -> None:
        self.path = write_knowledge(tmp_path / "kb")
        self.core = new_core(cls=core_type, knowledge=load_knowledge(path=self.path),
                             store=MemoryStore(), admins=Admins.from_lists(slack={"UADMIN"}))
        self.reloader = Reloader(core=self.core, path=self.path)
        AdminCommands(core=self.core, reloader=self.reloader).register()

    async def say(self, text: str) -> Reply:
        return await self.core.handle(Message(text=text, **ADMIN))

    def edit(self) -> list[str]:
        """Drop topics 1 to 3 and add one: returns the questions that must now move."""
        data = knowledge_dict()
        dropped = [q for entry in data["entries"][7:10] for q in entry["questions"]]
        del data["entries"][7:10]
        data["entries"].append({"id": "new-topic", "principle": 2, "title": "Brand new topic",
                                "answer": "New.", "source": "Test",
                                "questions": ["zebra crossing polls"]})
        (self.path / "kb.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
        return ["zebra crossing polls", *dropped]


def _moved_lines(reply: Reply) -> list[str]:
    return [line for line in reply.text.splitlines() if " → " in line]


def test_two_versions_of_the_same_files_move_no_question(tmp_path):
    path = write_knowledge(tmp_path / "kb")
    first, second = (new_core(knowledge=load_knowledge(path=path)) for _ in range(2))
    assert first.snapshot is not second.snapshot
    assert moved(first.snapshot, second.snapshot) == ()


async def test_reloading_unchanged_files_reports_no_changed_question(tmp_path):
    setup = Setup(tmp_path)
    result = await setup.reloader.reload()
    assert result.ok and result.moved == ()
    reply = await setup.say("reload")
    assert "The content is the same as the version already served." in reply.text
    assert "different answer" not in reply.text and "land elsewhere" not in reply.text
    assert "nothing to compare" in (await setup.say("reload changes")).text


async def test_an_edit_reports_the_questions_it_moves_the_first_ten_and_all_on_request(tmp_path):
    setup = Setup(tmp_path)
    must_move = setup.edit()
    reply = await setup.say("reload")
    (count_line,) = [line for line in reply.text.splitlines() if "now get a different answer" in line]
    total = int(count_line.split()[0])
    assert total >= len(must_move) > MAX_LISTED
    assert len(_moved_lines(reply)) == MAX_LISTED and ZEBRA in reply.text
    assert f"…and {total - MAX_LISTED} more: say 'reload changes' for all of them." in reply.text
    assert "(removed from topic-1): topic-1 → " in reply.text

    listing = await setup.say("reload changes")
    assert listing.kind is ReplyKind.NOTICE and listing.title == "Changed answers"
    moved_questions = _moved_lines(listing)
    assert len(moved_questions) == total and ZEBRA in listing.text
    for question in must_move:
        assert sum(line.startswith(f"'{question}' (") for line in moved_questions) == 1, question
    assert [e.arguments for e in await setup.core.store.audit(limit=2)] == ["changes", ""]


async def test_reloading_the_same_files_again_keeps_the_last_change_listable(tmp_path):
    setup = Setup(tmp_path)
    setup.edit()
    await setup.say("reload")
    again = await setup.say("reload")
    assert "The content is the same" in again.text and "different answer" not in again.text
    assert ZEBRA in (await setup.say("reload changes")).text


async def test_an_instance_converging_on_a_release_compares_only_when_asked(tmp_path):
    setup = Setup(tmp_path)
    setup.edit()
    target = load_knowledge(path=setup.path).version
    result = await setup.reloader.reload(expect=target)
    assert result.ok and result.moved is None
    listing = await setup.say("reload changes")
    assert f"to {target}," in listing.text and ZEBRA in listing.text


async def test_the_comparison_runs_off_the_event_loop(tmp_path):
    """With a sentence encoder it costs seconds: chat replies and health checks must not wait."""
    threads: list[int] = []

    class Recording:
        def __init__(self, matcher) -> None:
            self.matcher = matcher

        def match(self, **arguments):
            threads.append(threading.get_ident())
            return self.matcher.match(**arguments)

    class RecordingCore(Core):
        def build_snapshot(self, *, knowledge: KnowledgeBase) -> Snapshot:
            snapshot = super().build_snapshot(knowledge=knowledge)
            return Snapshot(knowledge=knowledge, matcher=Recording(snapshot.matcher))

    setup = Setup(tmp_path, core_type=RecordingCore)
    setup.edit()
    assert "now get a different answer" in (await setup.say("reload")).text
    assert threads and threading.get_ident() not in threads
