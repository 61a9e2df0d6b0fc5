from __future__ import annotations

import asyncio
import threading
import time

import pytest
import yaml

from bot.conversation.access import Admins
from bot.conversation.admin import AdminCommands
from bot.knowledge.loader import KnowledgeError, Problem, load_knowledge
from bot.knowledge.reload import Reloader
from bot.messages import Message, ReplyKind
from tests.cores import new_core
from tests.kbfactory import knowledge_dict, write_knowledge

ADMIN = dict(platform="slack", user_id="UADMIN")


def make(tmp_path, *, fetch=None, url=None):
    path = write_knowledge(tmp_path / "kb")
    core = new_core(knowledge=load_knowledge(path=path), admins=Admins.from_lists(slack={"UADMIN"}))
    commands = AdminCommands(core=core, reloader=Reloader(core=core, path=path, url=url, fetch=fetch))
    commands.register()
    return core, path


def say(core, text, **who):
    return asyncio.run(core.handle(Message(text=text, **(who or ADMIN))))


def test_reload_swaps_in_a_changed_knowledge_base_and_reports_what_changed(tmp_path):
    core, path = make(tmp_path)
    old_version = core.knowledge.version
    data = knowledge_dict()
    data["entries"][6]["answer"] = "A brand new answer."
    del data["entries"][7]
    data["entries"].append({"id": "new-topic", "principle": 2, "title": "Brand new topic",
                            "answer": "New.", "source": "Test", "questions": ["zebra crossing polls"]})
    (path / "kb.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    reply = say(core, "reload")
    assert reply.title == "Knowledge base reloaded"
    assert core.knowledge.version != old_version and core.knowledge.version in reply.text
    assert "Added 1, removed 1, changed 1" in reply.text
    assert core.answer_entry(entry_id="topic-0").body == "A brand new answer."
    assert say(core, "status").text.startswith(f"Serving knowledge-base version {core.knowledge.version}")


@pytest.mark.parametrize("broken, expected", [
    ("entries:\n  - id: [oops\n", "invalid YAML"),
    ("entries:\n  - id: x\n    principle: 9\n", "missing required field 'title'"),
    ("entries: !!python/object/apply:os.system ['true']\n", "is not allowed"),
    ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "anchors and aliases are not allowed"),
])
def test_a_broken_knowledge_base_is_refused_and_the_old_one_keeps_serving(tmp_path, broken, expected):
    core, path = make(tmp_path)
    before = core.knowledge.version
    (path / "zz-broken.yaml").write_text(broken, encoding="utf-8")
    reply = say(core, "reload")
    assert reply.title == "Reload refused" and expected in reply.text
    assert "zz-broken.yaml:" in reply.text
    assert core.knowledge.version == before
    assert say(core, "principle 2").entry == "principle-2"


def test_a_knowledge_base_gone_mid_read_is_refused(tmp_path):
    core, path = make(tmp_path)
    before = core.knowledge.version
    (path / "kb.yaml").unlink()
    path.rmdir()
    reply = say(core, "reload")
    assert reply.title == "Reload refused" and "no such file or directory" in reply.text
    assert core.knowledge.version == before


def test_an_unreachable_url_is_refused(tmp_path):
    async def unreachable(url):
        raise KnowledgeError([Problem(file=url, line=0, message="cannot fetch the knowledge base")])

    core, _ = make(tmp_path, fetch=unreachable, url="https://kb.invalid/kb.yaml")
    before = core.knowledge.version
    reply = say(core, "reload")
    assert "https://kb.invalid/kb.yaml:0: cannot fetch" in reply.text
    assert core.knowledge.version == before


def test_a_url_knowledge_base_is_served_after_reload(tmp_path):
    data = knowledge_dict(topics=2)
    data["entries"][0]["title"] = "Fetched title"

    async def fetch(url):
        return yaml.safe_dump(data).encode()

    core, _ = make(tmp_path, fetch=fetch, url="https://kb.example/kb.yaml")
    assert say(core, "reload").title == "Knowledge base reloaded"
    assert say(core, "principle 1").title == "Fetched title"


def test_non_admins_cannot_reload(tmp_path):
    core, path = make(tmp_path)
    (path / "kb.yaml").write_text("entries: []\n", encoding="utf-8")
    reply = say(core, "reload", platform="slack", user_id="USOMEONE")
    assert reply.kind is ReplyKind.REFUSAL
    assert say(core, "principle 1").entry == "principle-1"


def test_near_duplicates_are_reported(tmp_path):
    core, path = make(tmp_path)
    data = knowledge_dict(topics=3)
    data["entries"][6]["questions"].append("what about the principle number one topic")
    data["entries"][7]["questions"].append("what about the principle number one topics")
    (path / "kb.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    reply = say(core, "reload")
    assert "1 near-duplicate question(s): topic-0: 'what about the principle number one topic'" in (
        reply.text)


def test_questions_during_a_reload_get_whole_answers_from_one_version(tmp_path):
    path = write_knowledge(tmp_path / "kb")
    versions = {}
    for tag in ("OLD", "NEW"):
        data = knowledge_dict()
        for entry in data["entries"]:
            entry["title"] = f"{tag} {entry['title']}"
            entry["answer"] = f"{tag} answer"
        versions[tag] = data
    (path / "kb.yaml").write_text(yaml.safe_dump(versions["OLD"]), encoding="utf-8")
    core = new_core(knowledge=load_knowledge(path=path))
    reloader = Reloader(core=core, path=path)
    replies, stop = [], threading.Event()

    def ask_repeatedly():
        while not stop.is_set():
            replies.append(core.answer_entry(entry_id="topic-1").text)
            time.sleep(0.0005)  # a turn for the reload: four threads spinning on the GIL starve it

    workers = [threading.Thread(target=ask_repeatedly) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        for tag in ("NEW", "OLD", "NEW"):
            (path / "kb.yaml").write_text(yaml.safe_dump(versions[tag]), encoding="utf-8")
            assert asyncio.run(reloader.reload()).ok
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert replies
    for text in replies:
        tags = {word for word in ("OLD", "NEW") if word in text}
        assert len(tags) == 1, text
    assert {t for r in replies for t in ("OLD", "NEW") if t in r} >= {"NEW"}
