"""`guidance-bot check-draft` through `main([...])`: the public line protocol and its errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from adapters.cli.main import main

RISKY = "@moaner88 maybe learn to read, you absolute muppet"
CLEAN = "Our Norwich office is closed on Friday for staff training. Phone lines are open as usual."
PROMISE = "Reply: 'We will definitely have your licence back to you by Tuesday'"


def run(capsys, monkeypatch, *args: str, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["check-draft", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_lines_answer_one_line_a_draft_in_order(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--json", "-", stdin=f"{RISKY}\n{CLEAN}\n{PROMISE}\n")
    assert code == 0 and err == ""
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert [{c["kind"] for c in line["concerns"]} for line in lines] == [{"abuse"}, set(), {"commitment"}]
    assert lines[1] == {"concerns": []}
    for line in lines:
        assert list(line) == ["concerns"]
        for concern in line["concerns"]:
            assert list(concern) == ["kind", "principle", "quote", "advice"]
            assert concern["principle"] == 6
    assert lines[0]["concerns"][0]["quote"] in RISKY


def test_json_lines_are_flushed_as_they_go():
    """A real process on a pipe: the first answer arrives before the second draft is written."""
    process = subprocess.Popen([sys.executable, "-m", "adapters.cli.main", "check-draft", "--json", "-"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(RISKY + "\n")
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["concerns"][0]["kind"] == "abuse"
        process.stdin.write(CLEAN + "\n")
        process.stdin.close()
        assert json.loads(process.stdout.readline()) == {"concerns": []}
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()


def test_json_of_one_draft_given_as_text(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--json", *PROMISE.split())
    assert code == 0
    (concern,) = json.loads(out)["concerns"]
    assert concern["kind"] == "commitment" and concern["quote"] in PROMISE


def test_plain_text_shows_kind_principle_quote_and_advice(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, RISKY)
    assert code == 0
    assert "abuse (principle 6): \"learn to read\"" in out and 'muppet"' in out
    assert "don't reply in kind" in out
    assert "if in doubt, don't post" in out and "which account" in out


def test_plain_text_with_nothing_found_says_what_was_checked_and_who_to_ask(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--account", "official", CLEAN)
    assert code == 0
    assert "No concerns found." in out and "does not make it safe to post" in out
    assert "line manager" in out and "communications or propriety team" in out
    assert "an official account" in out and "which account" not in out


def test_plain_dash_reads_one_draft_of_several_lines(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "-", stdin="Lovely day at the seaside\nyou absolute clown\n")
    assert code == 0 and out.count("abuse (principle 6)") == 1


def test_the_account_option_changes_the_verdict(capsys, monkeypatch):
    post = "Purdah. 'Under this government our high streets are thriving'"
    _, official, _ = run(capsys, monkeypatch, "--json", "--account", "official", post)
    _, personal, _ = run(capsys, monkeypatch, "--json", "--account", "personal", post)
    assert "election" in {c["kind"] for c in json.loads(official)["concerns"]}
    assert "election" not in {c["kind"] for c in json.loads(personal)["concerns"]}


@pytest.mark.parametrize("args, stdin", [([], ""), (["   "], ""), (["-"], "  \n"), (["--json", "  "], "")])
def test_an_empty_draft_is_refused_with_a_message_and_exit_2(capsys, monkeypatch, args, stdin):
    code, out, err = run(capsys, monkeypatch, *args, stdin=stdin)
    assert code == 2 and out == ""
    assert "the draft is empty" in err


def test_an_empty_line_keeps_its_place_in_the_stream_and_exits_2(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--json", "-", stdin=f"{RISKY}\n\n{CLEAN}\n")
    assert code == 2
    assert [json.loads(line)["concerns"] == [] for line in out.splitlines()] == [False, True, True]
    assert "line(s) 2 empty" in err


def test_an_unknown_account_is_refused_by_the_parser(capsys, monkeypatch):
    with pytest.raises(SystemExit) as exit:
        run(capsys, monkeypatch, "--account", "team", CLEAN)
    assert exit.value.code == 2
