"""The command line as users and scripts run it: a real process each time."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.kbfactory import write_knowledge


def run(*args: str, stdin: str | None = None, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "adapters.cli.main", *args], input=stdin,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def kb_env(tmp_path):
    return {"KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb"))}


def test_ask_json_batch_answers_one_line_each_in_order(kb_env):
    out = run("ask", "--json", "-", stdin="principle 2\nhow tall is the eiffel tower\n\nprinciple 5\n",
              env=kb_env)
    assert out.returncode == 0, out.stderr
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["principle"] for r in replies] == [2, None, None, 5]
    assert replies[0]["answered"] and not replies[1]["answered"]
    for reply in replies:
        assert set(reply) >= {"answered", "principle", "entry", "title", "text", "score", "suggestions"}


def test_ask_plain_prints_the_text(kb_env):
    out = run("ask", "principle", "4", env=kb_env)
    assert out.returncode == 0 and "Principle 4" in out.stdout


def test_kb_json_lists_entries_with_the_public_fields(kb_env):
    out = run("kb", "--json", env=kb_env)
    data = json.loads(out.stdout)
    assert len(data["version"]) == 12 and len(data["entries"]) == 12
    assert set(data["entries"][0]) >= {"id", "principle", "title", "answer", "questions", "keywords"}


def test_kb_lists_outside_entries_without_a_principle(tmp_path):
    env = {"KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb", outside=1))}
    assert "  -  outside-0: Signing in to chirper" in run("kb", env=env).stdout.splitlines()
    (entry,) = [e for e in json.loads(run("kb", "--json", env=env).stdout)["entries"]
                if e["id"] == "outside-0"]
    assert entry["principle"] is None and entry["kind"] == "outside"


def test_check_exits_0_when_valid_and_1_with_file_line_messages(tmp_path):
    good = write_knowledge(tmp_path / "good")
    assert run("check", str(good)).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - id: Bad Id\n    principle: seven\n", encoding="utf-8")
    out = run("check", str(bad))
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert f"{bad}:3: 'principle' must be a whole number" in lines
    assert all(line.startswith(f"{bad}:") for line in lines)


def test_ask_with_a_broken_knowledge_base_names_the_problem(tmp_path):
    (tmp_path / "kb.yaml").write_text("entries: 7\n", encoding="utf-8")
    out = run("ask", "hello", env={"KNOWLEDGE_PATH": str(tmp_path)})
    assert out.returncode == 1 and "'entries' must be a list" in out.stderr


def test_bad_configuration_is_reported_not_raised(kb_env):
    out = run("ask", "hello", env={**kb_env, "PORT": "eighty", "REMINDER_TIMEZONE": "Mars/Base"})
    assert out.returncode == 2
    assert "PORT" in out.stderr and "REMINDER_TIMEZONE" in out.stderr


def test_console_answers_until_end_of_input(kb_env):
    out = run("console", stdin="principle 1\n", env=kb_env)
    assert out.returncode == 0 and "Principle 1" in out.stdout


def test_ask_does_not_import_platform_sdks_or_the_web_server(kb_env):
    code = ("import sys; from adapters.cli import main; main.main(['ask','principle 1']); "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('aiohttp','prometheus_client','slack_bolt','slack_sdk','botbuilder','sqlalchemy')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, **kb_env}, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_reply_now_falls_back_to_an_event_loop_when_a_command_waits(small_kb):
    import asyncio

    from adapters.cli.main import reply_now
    from bot.conversation.core import Arguments
    from bot.messages import Message, Reply, ReplyKind
    from tests.cores import new_core

    async def slow(message, arguments):
        await asyncio.sleep(0)
        return Reply(kind=ReplyKind.NOTICE, body=f"waited {arguments}")

    core = new_core(knowledge=small_kb)
    core.register_admin(name="status", summary="", run=slow,
                        arguments=Arguments(accepts=lambda rest: True))
    message = Message(platform="web", user_id="w", text="status now", authenticated_admin=True)
    assert reply_now(core, message).text == "waited now"
    assert reply_now(core, Message(platform="cli", user_id="c", text="principle 2")).principle == 2


def test_check_warns_about_near_duplicate_questions_and_fails_them_when_strict(tmp_path):
    import yaml

    from tests.kbfactory import knowledge_dict

    data = knowledge_dict(topics=2)
    data["entries"][6]["questions"].append("can we reply to comments on our facebook page")
    data["entries"][7]["questions"].append("can we reply to comment on our facebook page")
    (tmp_path / "kb.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    out = run("check", str(tmp_path))
    assert out.returncode == 0
    assert f"{tmp_path / 'kb.yaml'}:" in out.stdout and "warning: question" in out.stdout
    assert run("check", "--strict", str(tmp_path)).returncode == 1


def test_thresholds_come_from_the_environment(kb_env):
    strict = run("ask", "--json", "principle number one topic question", env={
        **kb_env, "ANSWER_THRESHOLD": "100", "SUGGEST_THRESHOLD": "100"})
    assert json.loads(strict.stdout)["kind"] == "not_found"
    bad = run("ask", "hello", env={**kb_env, "ANSWER_THRESHOLD": "lots"})
    assert bad.returncode == 2 and "ANSWER_THRESHOLD: must be a number" in bad.stderr


def test_check_holds_a_knowledge_base_to_the_filing_and_answers_tables_of_its_readme(tmp_path):
    import yaml

    from tests.kbfactory import knowledge_dict, readme_for

    data = knowledge_dict(topics=2)
    files = {"principles.yaml": data["entries"][:6], "topics.yaml": data["entries"][6:]}
    for name, entries in files.items():
        (tmp_path / name).write_text(yaml.safe_dump({"entries": entries}), encoding="utf-8")
    (tmp_path / "README.md").write_text(readme_for(files), encoding="utf-8")
    assert run("check", str(tmp_path)).returncode == 0
    (tmp_path / "README.md").write_text(readme_for(files, rows={
        "topics.yaml": "| `topics.yaml` | 2 to 5 | yes | conversation |"}), encoding="utf-8")
    (tmp_path / "topics.yaml").write_text(yaml.safe_dump({"entries": [
        {**files["topics.yaml"][0], "source": "Somewhere else"}, files["topics.yaml"][1]]}),
        encoding="utf-8")
    out = run("check", str(tmp_path))
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert (f"{tmp_path / 'topics.yaml'}:2: 'topic-0' is filed under principle 1, but README.md "
            "files the entries of topics.yaml under principles 2, 3, 4, 5") in out.stdout
    assert "the answers table gives 'topic-0' the source line 'Test source', but the entry's is "\
           "'Somewhere else'" in out.stdout


def test_version_prints_the_installed_version():
    from importlib.metadata import version

    done = run("--version")
    assert done.returncode == 0
    assert done.stdout == f"guidance-bot {version('guidance-bot')}\n"


def _verbs(parser=None, path=()):
    """Every command a user can type, as argv prefixes, with its argparse parser."""
    import argparse

    from adapters.cli.main import parser as cli_parser

    parser = parser or cli_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield (*path, name), child
                yield from _verbs(child, (*path, name))


VERBS = [path for path, _ in _verbs()]
PARSERS = dict(_verbs())


def test_every_verb_is_listed():
    assert {" ".join(v) for v in VERBS} >= {
        "serve", "ask", "kb", "check", "reload", "console", "teams-package", "db", "db upgrade",
        "reminders", "reminders run-due"}


@pytest.mark.parametrize("verb", [(), *VERBS], ids=lambda verb: " ".join(verb) or "guidance-bot")
def test_every_verb_says_what_it_does_and_explains_each_option(verb):
    import argparse

    from adapters.cli.main import parser as cli_parser

    parser = PARSERS[verb] if verb else cli_parser()
    done = run(*verb, "--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())  # argparse wraps to the terminal's width
    description = " ".join(parser.description.split())
    assert description.endswith(".") and description in text
    actions = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            actions.extend(action._choices_actions)  # each sub-command's one-line summary
        elif action.dest != "help":
            actions.append(action)
    assert actions or verb in (("serve",), ("reload",), ("console",), ("db", "upgrade"))
    for action in actions:
        assert action.help, (verb, action.dest)
        expanded = action.help % {**vars(action), "prog": parser.prog}  # as argparse shows it
        assert " ".join(expanded.split()) in text, (verb, expanded)
