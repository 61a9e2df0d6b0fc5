from __future__ import annotations

import pytest
import yaml

from bot.knowledge.loader import MAX_FILE_BYTES, KnowledgeError, load_knowledge, readme_problems
from tests.kbfactory import knowledge_dict, outside_entry, readme_for, write_knowledge


def problems_for(path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(path=path)
    return [str(p) for p in caught.value.problems]


def write(tmp_path, name: str, data) -> None:
    text = data if isinstance(data, str | bytes) else yaml.safe_dump(data, sort_keys=False)
    target = tmp_path / name
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")


def test_valid_knowledge_loads_with_a_content_version(tmp_path):
    kb = load_knowledge(path=write_knowledge(tmp_path, topics=3))
    assert len(kb.entries) == 9
    assert [p.principle for p in kb.principles] == [1, 2, 3, 4, 5, 6]
    assert len(kb.version) == 12
    (tmp_path / "kb.yaml").write_text((tmp_path / "kb.yaml").read_text() + "\n# changed\n")
    assert load_knowledge(path=tmp_path).version != kb.version


def test_a_single_file_path_is_accepted(tmp_path):
    write_knowledge(tmp_path)
    assert load_knowledge(path=tmp_path / "kb.yaml").entry("principle-1") is not None


def test_schema_problems_are_all_reported_with_file_and_line(tmp_path):
    data = knowledge_dict(topics=2)
    data["entries"][6]["colour"] = "blue"  # unknown field
    del data["entries"][7]["title"]  # missing field
    data["entries"][7]["questions"] = "not a list"  # wrong type
    write(tmp_path, "kb.yaml", data)
    found = problems_for(tmp_path)
    text = "\n".join(found)
    assert all(p.startswith(str(tmp_path / "kb.yaml") + ":") for p in found)
    assert "unknown field 'colour'" in text
    assert "missing required field 'title'" in text
    assert "'questions' must be a list of text" in text
    line = int(next(p for p in found if "colour" in p).split(":")[1])
    assert "colour" in (tmp_path / "kb.yaml").read_text().splitlines()[line - 1]


def test_duplicate_ids_principle_range_and_shared_questions(tmp_path):
    data = knowledge_dict(topics=2)
    data["entries"][6]["id"] = data["entries"][7]["id"]
    data["entries"][7]["principle"] = 9
    data["entries"][6]["questions"].append(data["entries"][0]["questions"][0].upper() + "?")
    write(tmp_path, "kb.yaml", data)
    text = "\n".join(problems_for(tmp_path))
    assert "principle must be 1 to 6, not 9" in text
    assert "is also under 'principle-1'" in text
    data["entries"][7]["principle"] = 2
    write(tmp_path, "kb.yaml", data)
    assert "duplicate id 'topic-1'" in "\n".join(problems_for(tmp_path))


def test_problems_across_several_files_come_together(tmp_path):
    write_knowledge(tmp_path)
    write(tmp_path, "a-broken.yaml", "entries:\n  - id: [unclosed\n")
    write(tmp_path, "b-empty.yaml", "")
    write(tmp_path, "c-latin1.yaml", "entries: []\n# caf\xe9\n".encode("latin-1"))
    found = problems_for(tmp_path)
    broken = next(p for p in found if "a-broken.yaml" in p)
    assert broken.startswith(f"{tmp_path / 'a-broken.yaml'}:3: invalid YAML")
    assert "at line 2" in broken
    assert f"{tmp_path / 'b-empty.yaml'}:1: file is empty" in found
    assert f"{tmp_path / 'c-latin1.yaml'}:2: file is not valid UTF-8" in found


def test_oversized_file_is_refused(tmp_path):
    write_knowledge(tmp_path)
    write(tmp_path, "huge.yaml", "# " + "x" * MAX_FILE_BYTES + "\n")
    assert any("larger than the limit" in p for p in problems_for(tmp_path))


def test_python_tags_are_refused_and_never_constructed(tmp_path):
    write_knowledge(tmp_path)
    write(tmp_path, "evil.yaml", "entries:\n  - !!python/object/apply:os.system ['touch pwned']\n")
    found = problems_for(tmp_path)
    assert any("evil.yaml:2: the tag 'tag:yaml.org,2002:python/object/apply:os.system'" in p
               for p in found)
    assert not (tmp_path / "pwned").exists()


def test_anchor_bomb_is_refused_quickly(tmp_path):
    write_knowledge(tmp_path)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert any("anchors and aliases are not allowed" in p for p in problems_for(tmp_path))


def test_missing_principles_are_named(tmp_path):
    data = knowledge_dict(topics=1)
    data["entries"] = [e for e in data["entries"] if e["principle"] != 4 or e.get("kind") != "principle"]
    write(tmp_path, "kb.yaml", data)
    assert any("no principle entry for principle 4" in p for p in problems_for(tmp_path))


def test_principle_entries_need_fifteen_questions_and_a_reminder(tmp_path):
    data = knowledge_dict(topics=0)
    data["entries"][2]["questions"] = data["entries"][2]["questions"][:3]
    del data["entries"][3]["reminder"]
    data["entries"][1]["kind"] = "lesson"
    write(tmp_path, "kb.yaml", data)
    text = "\n".join(problems_for(tmp_path))
    assert "needs at least 15 questions, this has 3" in text
    assert "a principle entry needs a 'reminder'" in text
    assert "kind must be 'principle', 'topic' or 'outside', not 'lesson'" in text


def test_an_outside_entry_has_no_principle_and_stays_out_of_the_principles(tmp_path):
    kb = load_knowledge(path=write_knowledge(tmp_path, topics=2, outside=2))
    entry = kb.entry("outside-1")
    assert entry.outside and entry.kind == "outside" and entry.principle is None
    assert not kb.entry("topic-1").outside
    assert [p.id for p in kb.principles] == [f"principle-{n}" for n in range(1, 7)]
    listed = {e["id"]: e for e in kb.to_json()["entries"]}
    assert listed["outside-1"]["principle"] is None and listed["outside-1"]["kind"] == "outside"


def test_an_outside_entry_refuses_a_principle_a_reminder_and_tips_where_they_are(tmp_path):
    data = knowledge_dict(topics=1, outside=1)
    data["entries"][-1].update(principle=1, reminder="Remember.", tips=["A tip."])
    del data["entries"][-2]["principle"]  # a topic still needs one
    data["entries"].append({**outside_entry(7), "keywords": []})
    write(tmp_path, "kb.yaml", data)
    found = problems_for(tmp_path)
    lines = (tmp_path / "kb.yaml").read_text().splitlines()
    for field, value in (("principle", "principle: 1"), ("reminder", "reminder: Remember."),
                         ("tips", "- A tip.")):
        (problem,) = [p for p in found if f"an outside entry has no '{field}'" in p]
        file, line, _ = problem.split(":", 2)
        assert file == str(tmp_path / "kb.yaml") and lines[int(line) - 1].strip() == value
    assert sum("missing required field 'principle'" in p for p in found) == 1
    (no_keywords,) = [p for p in found if "an outside entry needs 'keywords'" in p]
    assert lines[int(no_keywords.split(":")[1]) - 1].strip() == "- id: outside-7"
    assert not any("'reminder' is only for principle entries" in p for p in found)


def test_missing_path_is_a_problem_not_a_traceback(tmp_path):
    assert problems_for(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}:0: no such file or directory"]


def readme_kb(tmp_path, *, rows=None, tips_on_outside_file=False):
    """Principles in one file, topics in another, outside entries in a third, and a README."""
    data = knowledge_dict(topics=3, outside=1)
    files = {"principles.yaml": data["entries"][:6], "topics.yaml": data["entries"][6:9],
             "outside.yaml": data["entries"][9:]}
    for name, entries in files.items():
        write(tmp_path, name, {"entries": entries})
    write(tmp_path, "README.md", readme_for(files, rows=rows))
    return load_knowledge(path=tmp_path), files


def test_a_knowledge_base_that_matches_its_readme_has_no_readme_problems(tmp_path):
    kb, _ = readme_kb(tmp_path)
    assert readme_problems(knowledge=kb, path=tmp_path) == []
    assert readme_problems(knowledge=kb, path=tmp_path / "topics.yaml") == []  # no README beside


def test_an_entry_under_a_principle_its_readme_excludes_is_reported_at_the_entry(tmp_path):
    kb, files = readme_kb(tmp_path, rows={"topics.yaml": "| `topics.yaml` | 1 to 2 | yes | x |"})
    misfiled = [e for e in files["topics.yaml"] if e["principle"] not in (1, 2)]
    found = [str(p) for p in readme_problems(knowledge=kb, path=tmp_path)]
    assert len(found) == len(misfiled) > 0
    entry = kb.entry(misfiled[0]["id"])
    assert found[0] == (f"{tmp_path / 'topics.yaml'}:{entry.line}: '{entry.id}' is filed under "
                        f"principle {entry.principle}, but README.md files the entries of "
                        "topics.yaml under principles 1, 2")


def test_tips_in_a_file_whose_readme_row_says_no_are_reported(tmp_path):
    kb, _ = readme_kb(tmp_path, rows={"principles.yaml": "| principles.yaml | 1 to 6 | no | x |"})
    found = [p.message for p in readme_problems(knowledge=kb, path=tmp_path)]
    assert len(found) == 6
    assert found[0] == ("'principle-1' has tips, but README.md keeps tips out of principles.yaml: "
                        "they would become principle 1's tip of the day")


def test_a_file_or_a_table_the_readme_lacks_is_reported(tmp_path):
    kb, files = readme_kb(tmp_path)
    write(tmp_path, "README.md", readme_for({n: files[n] for n in ("principles.yaml", "topics.yaml")}))
    found = [p.message for p in readme_problems(knowledge=kb, path=tmp_path)]
    assert "'outside-0' is in outside.yaml, which the filing table of README.md does not list" in found
    assert any(m.startswith("'outside-0' has no row in the answers table") for m in found)
    write(tmp_path, "README.md", "# Nothing here\n\n| field | type | rules |\n| --- | --- | --- |\n")
    assert [str(p) for p in readme_problems(knowledge=kb, path=tmp_path)] == [
        f"{tmp_path / 'README.md'}:1: no filing table: one whose header starts with "
        "| file | principles | tips |",
        f"{tmp_path / 'README.md'}:1: no answers table: one whose header starts with "
        "| entry | principle | source |"]


def test_the_answers_table_must_give_each_entry_its_principle_and_exact_source_line(tmp_path):
    kb, _ = readme_kb(tmp_path)
    readme = tmp_path / "README.md"
    lines = readme.read_text().splitlines()
    topic = next(i for i, line in enumerate(lines) if line.startswith("| `topic-0` |"))
    lines[topic] = lines[topic].replace("Test source", "Made-up source")
    principle = next(i for i, line in enumerate(lines) if line.startswith("| `principle-2` | 2 |"))
    lines[principle] = lines[principle].replace("| 2 |", "| 5 |", 1)
    lines.append("| `gone-entry` | 3 | Test source | removed |")
    lines.append(lines[topic])
    readme.write_text("\n".join(lines) + "\n")
    found = [str(p) for p in readme_problems(knowledge=kb, path=tmp_path)]
    assert found == [
        f"{readme}:{principle + 1}: the answers table files 'principle-2' under principle '5', "
        "but the entry is under principle 2",
        f"{readme}:{topic + 1}: the answers table gives 'topic-0' the source line "
        "'Made-up source', but the entry's is 'Test source'",
        f"{readme}:{len(lines) - 1}: the answers table lists 'gone-entry', which is not in the "
        "knowledge base",
        f"{readme}:{len(lines)}: 'topic-0' has a second row in the answers table (first at line "
        f"{topic + 1})"]


def test_the_shipped_knowledge_base_matches_its_readme():
    from pathlib import Path

    shipped = Path(__file__).resolve().parents[3] / "knowledge"
    assert readme_problems(knowledge=load_knowledge(path=shipped), path=shipped) == []


def test_an_examples_file_is_read_beside_the_entries_and_changes_the_version(tmp_path):
    write_knowledge(tmp_path)
    before = load_knowledge(path=tmp_path).version
    write(tmp_path, "examples.yaml", 'examples:\n  - {q: "can i tweet my views on the budget", '
          'expect: [6]}\n  - {q: "when is payday", expect: none}\n  - {q: "a page", expect: [3, 1]}\n')
    kb = load_knowledge(path=tmp_path)
    assert [(e.text, e.principles) for e in kb.examples] == [
        ("can i tweet my views on the budget", (6,)), ("when is payday", ()), ("a page", (1, 3))]
    assert kb.version != before and kb.examples[1].line == 3
    assert len(kb.entries) == len(load_knowledge(path=tmp_path / "kb.yaml").entries)


def test_a_broken_example_is_refused_with_its_line(tmp_path):
    write_knowledge(tmp_path)
    write(tmp_path, "examples.yaml", "examples:\n"
          '  - {q: "fine", expect: [2]}\n'
          '  - {q: "principle nine", expect: [9]}\n'
          '  - {q: "", expect: none}\n'
          '  - {question: "wrong field", expect: none}\n'
          '  - {q: "maybe", expect: sometimes}\n'
          "entries: []\n")
    found = problems_for(tmp_path)
    by_line = {int(p.split(":")[1]): p.split(":", 2)[2] for p in found if "examples.yaml" in p}
    assert "list of principles 1 to 6, or none" in by_line[3]
    assert "'q' must be the question as text" in by_line[4]
    assert "exactly two fields" in by_line[5]
    assert "list of principles 1 to 6, or none" in by_line[6]
    assert "unknown top-level key 'entries'" in by_line[7]
    assert 2 not in by_line
