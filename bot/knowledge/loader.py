"""Loading and validating the knowledge base.

A knowledge base is only ever handed out whole and valid: every problem in every file is
collected and reported at once as `file:line: message`, so an author fixes them in one pass and a
running bot can refuse a broken reload while it keeps serving the old one. YAML is composed with
the safe loader into nodes (which keep line numbers) and checked before any value is built, so
tags, aliases (and with them anchor bombs) and wrong types never reach the bot.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.text import normalise

MAX_FILE_BYTES = 1024 * 1024
PRINCIPLES = range(1, 7)
MIN_PRINCIPLE_QUESTIONS = 15
KINDS = ("principle", "topic", "outside")
# An outside entry names a topic the guidance deliberately leaves alone (a platform's password
# reset, its character limits), so a question about it is told so honestly instead of being
# matched to a principle that merely shares its words. It belongs to no principle.
NOT_FOR_OUTSIDE = ("principle", "reminder", "tips")

# libyaml's parser when the wheel has it: the same safe composition, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


@dataclass(frozen=True, kw_only=True)
class Entry:
    id: str
    kind: str  # "principle", "topic" or "outside"
    principle: int | None  # None only for an outside entry
    title: str
    answer: str
    source: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    reminder: str | None = None
    tips: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def outside(self) -> bool:
        """Whether this entry says the guidance does not cover its topic, rather than answering."""
        return self.kind == "outside"


@dataclass(frozen=True, kw_only=True)
class Example:
    """A question staff asked, labelled with the principles that answer it (none: the guidance
    does not cover it). The matcher lets the nearest examples vote, so questions worded as
    people really word them teach it what the entries' own wordings do not."""

    text: str
    principles: tuple[int, ...]  # empty: not covered
    file: str = ""
    line: int = 0


@dataclass(frozen=True, kw_only=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    version: str
    examples: tuple[Example, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)  # type: ignore[attr-defined]

    def principle(self, number: int) -> Entry:
        return next(e for e in self.entries if e.kind == "principle" and e.principle == number)

    @property
    def principles(self) -> tuple[Entry, ...]:
        return tuple(self.principle(n) for n in PRINCIPLES)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "entries": [
                {"id": e.id, "kind": e.kind, "principle": e.principle, "title": e.title,
                 "answer": e.answer, "source": e.source, "questions": list(e.questions),
                 "keywords": list(e.keywords)}
                for e in self.entries
            ],
        }


@dataclass(frozen=True, kw_only=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class _Field:
    types: tuple[str, ...]  # "str", "int", "strlist"
    required: bool
    max_len: int = 0


_Value = str | int | list[str]  # what `_convert` makes of a field of each of those types
_Report = Callable[[int, str], None]  # a problem at a line


_FIELDS = {
    "id": _Field(("str",), True, 60),
    "kind": _Field(("str",), False),
    "principle": _Field(("int",), True),
    "title": _Field(("str",), True, 120),
    "answer": _Field(("str",), True, 2500),
    "source": _Field(("str",), True, 300),
    "questions": _Field(("strlist",), True, 300),
    "keywords": _Field(("strlist",), False, 60),
    "reminder": _Field(("str",), False, 600),
    "tips": _Field(("strlist",), False, 300),
}


def knowledge_files(path: Path) -> list[Path]:
    """The YAML files a knowledge-base path stands for, in the order they are read."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def load_knowledge(*, path: str | Path) -> KnowledgeBase:
    """Read a directory of YAML files (or one file); raise KnowledgeError listing every problem."""
    path = Path(path)
    if not path.exists():
        raise KnowledgeError([Problem(file=str(path), line=0, message="no such file or directory")])
    files = knowledge_files(path)
    if not files:
        raise KnowledgeError([Problem(file=str(path), line=0, message="no .yaml files found")])
    sources: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for file in files:
        try:
            with file.open("rb") as handle:
                sources.append((str(file), handle.read(MAX_FILE_BYTES + 1)))
        except OSError as error:
            problems.append(Problem(file=str(file), line=0, message=f"cannot read: {error.strerror}"))
    if problems:
        raise KnowledgeError(problems)
    return parse_knowledge(sources=sources)


def parse_knowledge(*, sources: Iterable[tuple[str, bytes]]) -> KnowledgeBase:
    """Build a knowledge base from (name, bytes) pairs: files on disk or a document fetched by URL."""
    sources = list(sources)
    problems: list[Problem] = []
    entries: list[Entry] = []
    examples: list[Example] = []
    for name, data in sources:
        read = _parse_file(name, data, problems)
        entries.extend(e for e in read if isinstance(e, Entry))
        examples.extend(e for e in read if isinstance(e, Example))
    if entries or not problems:
        problems.extend(_check_whole(entries, sources[0][0] if sources else "knowledge"))
    if problems:
        raise KnowledgeError(problems)
    digest = hashlib.sha256()
    for name, data in sources:
        digest.update(Path(name).name.encode() + b"\0" + data + b"\0")
    return KnowledgeBase(entries=tuple(entries), version=digest.hexdigest()[:12],
                         examples=tuple(examples))


def _parse_file(name: str, data: bytes, problems: list[Problem]) -> list[Entry | Example]:
    def problem(line: int, message: str) -> None:
        problems.append(Problem(file=name, line=line, message=message))

    if len(data) > MAX_FILE_BYTES:
        problem(0, f"file is larger than the limit of {MAX_FILE_BYTES} bytes")
        return []
    if not data.strip():
        problem(1, "file is empty")
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problem(data.count(b"\n", 0, error.start) + 1, "file is not valid UTF-8")
        return []
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        where = ""
        if error.context and error.context_mark and error.context_mark.line + 1 != line:
            where = f" ({error.context} at line {error.context_mark.line + 1})"
        problem(line, f"invalid YAML: {error.problem or error.context}{where}")
        return []
    except yaml.YAMLError as error:
        problem(1, f"invalid YAML: {error}")
        return []
    if root is None:
        problem(1, "file is empty")
        return []
    bad = _disallowed_nodes(root)
    if bad:
        for line, message in bad:
            problem(line, message)
        return []
    if root.tag != _MAP:
        problem(_line(root), "the file must be a mapping with one key, 'entries' or 'examples'")
        return []
    found: dict[str, yaml.Node] = {}
    for key, value in root.value:
        if key.value in ("entries", "examples") and not found:
            found[key.value] = value
        else:
            problem(_line(key), f"unknown top-level key '{key.value}' (expected only 'entries', "
                    "or only 'examples')")
    if not found:
        problem(_line(root), "missing top-level key 'entries'")
        return []
    (kind, node), = found.items()
    if node.tag != _SEQ:
        problem(_line(node), f"'{kind}' must be a list of {kind}")
        return []
    parse = _parse_entry if kind == "entries" else _parse_example
    return [item for child in node.value if (item := parse(name, child, problem)) is not None]


def _parse_example(name: str, node: yaml.Node, problem: _Report) -> Example | None:
    """`{q: "how staff asked it", expect: [6]}`, or `expect: none` for a question the guidance
    does not cover: the question-set format of tests/quality/FORMAT.md."""
    if node.tag != _MAP:
        problem(_line(node), "each example must be a mapping: {q: ..., expect: [...] or none}")
        return None
    fields = {key.value: value for key, value in node.value}
    if fields.keys() != {"q", "expect"}:
        problem(_line(node), "an example has exactly two fields, 'q' and 'expect'")
        return None
    text, expect = fields["q"], fields["expect"]
    if text.tag != _STR or not text.value.strip() or len(text.value) > 2000:
        problem(_line(text), "'q' must be the question as text, at most 2000 characters")
        return None
    if expect.tag == _STR and expect.value == "none":
        principles: tuple[int, ...] = ()
    elif expect.tag == _SEQ and expect.value and all(
            item.tag == _INT and int(item.value) in PRINCIPLES for item in expect.value):
        principles = tuple(sorted({int(item.value) for item in expect.value}))
    else:
        problem(_line(expect), "'expect' must be a list of principles 1 to 6, or none")
        return None
    return Example(text=text.value, principles=principles, file=name, line=_line(node))


def _disallowed_nodes(root: yaml.Node) -> list[tuple[int, str]]:
    """Tags other than plain YAML's, and any node reached twice (an alias), with their lines."""
    allowed = {_STR, _INT, _SEQ, _MAP, "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
               "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
    seen: set[int] = set()
    found: list[tuple[int, str]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            found.append((_line(node), "anchors and aliases are not allowed"))
            continue
        seen.add(id(node))
        if node.tag not in allowed:
            found.append((_line(node), f"the tag '{node.tag}' is not allowed"))
            continue
        if node.tag == _SEQ:
            stack.extend(reversed(node.value))
        elif node.tag == _MAP:
            for key, value in reversed(node.value):
                stack.extend((value, key))
    return sorted(set(found))


def _parse_entry(name: str, node: yaml.Node, problem: _Report) -> Entry | None:
    if node.tag != _MAP:
        problem(_line(node), "each entry must be a mapping of fields")
        return None
    values: dict[str, _Value] = {}
    lines: dict[str, int] = {}
    ok = True
    for key, value in node.value:
        field_name = key.value if key.tag == _STR else str(key.value)
        spec = _FIELDS.get(field_name)
        if spec is None:
            problem(_line(key), f"unknown field '{field_name}'")
            ok = False
            continue
        if field_name in values:
            problem(_line(key), f"field '{field_name}' is given twice")
            ok = False
            continue
        converted = _convert(field_name, spec, value, problem)
        if converted is None:
            ok = False
            continue
        values[field_name] = converted
        lines[field_name] = _line(value)
    outside = values.get("kind") == "outside"
    for field_name, spec in _FIELDS.items():
        if outside and field_name in NOT_FOR_OUTSIDE:
            continue
        if spec.required and field_name not in values and not (
            field_name in lines or _has_key(node, field_name)
        ):
            problem(_line(node), f"missing required field '{field_name}'")
            ok = False
    if not ok:
        return None
    entry_id = _text(values, "id")
    if not _ID.match(entry_id):
        problem(lines["id"], f"id '{entry_id}' must be lowercase letters, digits and dashes")
        ok = False
    kind = _text(values, "kind", "topic")
    if kind not in KINDS:
        problem(lines["kind"], f"kind must be 'principle', 'topic' or 'outside', not '{kind}'")
        ok = False
    if outside:
        for field_name in NOT_FOR_OUTSIDE:
            if field_name in values:
                problem(lines[field_name], f"an outside entry has no '{field_name}': it is about "
                        "what the guidance does not cover")
                ok = False
        if not values.get("keywords"):
            problem(_line(node), "an outside entry needs 'keywords': they are the only words "
                    "a question can find it by")
            ok = False
    elif values["principle"] not in PRINCIPLES:
        problem(lines["principle"], f"principle must be 1 to 6, not {values['principle']}")
        ok = False
    if kind == "principle":
        if "reminder" not in values:
            problem(_line(node), "a principle entry needs a 'reminder'")
            ok = False
        questions = _texts(values, "questions")
        if len(questions) < MIN_PRINCIPLE_QUESTIONS:
            problem(lines["questions"], f"a principle entry needs at least "
                    f"{MIN_PRINCIPLE_QUESTIONS} questions, this has {len(questions)}")
            ok = False
    elif "reminder" in values and not outside:
        problem(lines["reminder"], "'reminder' is only for principle entries")
        ok = False
    if not ok:
        return None
    return Entry(
        id=entry_id, kind=kind, principle=_number(values, "principle"),
        title=_text(values, "title").strip(), answer=_text(values, "answer").strip(),
        source=_text(values, "source").strip(), questions=tuple(_texts(values, "questions")),
        keywords=tuple(_texts(values, "keywords", [])),
        reminder=_text(values, "reminder", "").strip() or None,
        tips=tuple(_texts(values, "tips", [])), file=name, line=_line(node),
    )


def _text(values: dict[str, _Value], name: str, default: str | None = None) -> str:
    """A converted text field; a KeyError when it is missing and has no default."""
    value = values[name] if default is None else values.get(name, default)
    if not isinstance(value, str):
        raise TypeError(f"field '{name}' holds {type(value).__name__}, not text")
    return value


def _number(values: dict[str, _Value], name: str) -> int | None:
    """A converted whole-number field, None when missing."""
    value = values.get(name)
    if value is not None and not isinstance(value, int):
        raise TypeError(f"field '{name}' holds {type(value).__name__}, not a whole number")
    return value


def _texts(values: dict[str, _Value], name: str, default: list[str] | None = None) -> list[str]:
    """A converted list-of-text field; a KeyError when it is missing and has no default."""
    value = values[name] if default is None else values.get(name, default)
    if not isinstance(value, list):
        raise TypeError(f"field '{name}' holds {type(value).__name__}, not a list of text")
    return value


def _convert(field_name: str, spec: _Field, node: yaml.Node, problem: _Report) -> _Value | None:
    kind = spec.types[0]
    if kind == "int":
        if node.tag != _INT:
            problem(_line(node), f"'{field_name}' must be a whole number")
            return None
        return int(node.value)
    if kind == "str":
        if node.tag != _STR or not node.value.strip():
            problem(_line(node), f"'{field_name}' must be non-empty text")
            return None
        if spec.max_len and len(node.value) > spec.max_len:
            problem(_line(node), f"'{field_name}' is longer than {spec.max_len} characters")
            return None
        return node.value
    if node.tag != _SEQ:
        problem(_line(node), f"'{field_name}' must be a list of text")
        return None
    items: list[str] = []
    for item in node.value:
        if item.tag != _STR or not item.value.strip():
            problem(_line(item), f"every item of '{field_name}' must be non-empty text")
            return None
        if len(item.value) > spec.max_len:
            problem(_line(item), f"an item of '{field_name}' is longer than "
                    f"{spec.max_len} characters")
            return None
        items.append(item.value.strip())
    if spec.required and not items:
        problem(_line(node), f"'{field_name}' must not be empty")
        return None
    return items


def _check_whole(entries: list[Entry], first_file: str) -> list[Problem]:
    """Rules across entries and files: unique ids and questions, one entry per principle."""
    problems: list[Problem] = []
    ids: dict[str, Entry] = {}
    questions: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in ids:
            first = ids[entry.id]
            problems.append(Problem(file=entry.file, line=entry.line, message=(
                f"duplicate id '{entry.id}' (first at {first.file}:{first.line})")))
        else:
            ids[entry.id] = entry
        for question in entry.questions:
            key = normalise(question)
            other = questions.get(key)
            if other is not None and other.id != entry.id:
                problems.append(Problem(file=entry.file, line=entry.line, message=(
                    f"question '{question}' of '{entry.id}' is also under '{other.id}' "
                    f"({other.file}:{other.line})")))
            questions.setdefault(key, entry)
    principle_entries = [e for e in entries if e.kind == "principle"]
    for number in PRINCIPLES:
        found = [e for e in principle_entries if e.principle == number]
        if len(found) > 1:
            for extra in found[1:]:
                problems.append(Problem(file=extra.file, line=extra.line, message=(
                    f"principle {number} already has a principle entry, '{found[0].id}'")))
    missing = [n for n in PRINCIPLES if not any(e.principle == n for e in principle_entries)]
    if missing:
        problems.append(Problem(file=first_file, line=1, message=(
            "no principle entry for principle " + ", ".join(map(str, missing)))))
    return problems


def _has_key(node: yaml.MappingNode, name: str) -> bool:
    return any(key.value == name for key, _ in node.value)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


README = "README.md"
_FILING_HEADER = ("file", "principles", "tips")
_ANSWERS_HEADER = ("entry", "principle", "source")
_NONE = "none"  # the principle cell of an outside entry, which belongs to no principle


@dataclass(frozen=True, kw_only=True)
class _Row:
    line: int
    cells: tuple[str, ...]


def readme_problems(*, knowledge: KnowledgeBase, path: str | Path) -> list[Problem]:
    """What a knowledge base's README says about its entries, checked against the entries.

    Its filing table says which principles each file's entries go under, and whether they may
    have tips: the principle of the day rotates through the tips of every entry filed under a
    principle, so a misfiled entry or a stray tip changes what staff are told each morning. Its
    answers table gives every entry's principle and source line, so the record of where each
    answer comes from cannot drift from what the bot cites. Only `guidance-bot check` applies
    these: a README is for authors, and a running bot never refuses a reload over one. A path
    with no README beside it (one file, a URL, a test's folder) has nothing to check.
    """
    path = Path(path)
    readme = path / README if path.is_dir() else None
    if readme is None or not readme.is_file():
        return []
    name = str(readme)
    tables = _markdown_tables(readme.read_text(encoding="utf-8"))
    problems: list[Problem] = []
    for header, what in ((_FILING_HEADER, "filing"), (_ANSWERS_HEADER, "answers")):
        if not any(rows[0].cells[:len(header)] == header for rows in tables):
            problems.append(Problem(file=name, line=1, message=(
                f"no {what} table: one whose header starts with | {' | '.join(header)} |")))
    if problems:
        return problems
    filing = next(rows for rows in tables if rows[0].cells[:3] == _FILING_HEADER)
    answers = next(rows for rows in tables if rows[0].cells[:3] == _ANSWERS_HEADER)
    problems.extend(_filing_problems(knowledge, filing[1:], name))
    problems.extend(_answers_problems(knowledge, answers[1:], name))
    return problems


def _filing_problems(knowledge: KnowledgeBase, rows: list[_Row], readme: str) -> list[Problem]:
    problems: list[Problem] = []
    files: dict[str, tuple[frozenset[int | None], bool]] = {}
    for row in rows:
        principles = _principles_cell(row.cells[1])
        tips = row.cells[2].lower()
        if principles is None or tips not in ("yes", "no"):
            problems.append(Problem(file=readme, line=row.line, message=(
                "a filing row needs principles such as '6', '2, 3', '1 to 6' or 'none', and "
                "tips 'yes' or 'no'")))
            continue
        files[row.cells[0]] = (principles, tips == "yes")
    for entry in knowledge.entries:
        file = Path(entry.file).name
        if file not in files:
            problems.append(Problem(file=entry.file, line=entry.line, message=(
                f"'{entry.id}' is in {file}, which the filing table of {README} does not list")))
            continue
        allowed, with_tips = files[file]
        if entry.principle not in allowed:
            problems.append(Problem(file=entry.file, line=entry.line, message=(
                f"'{entry.id}' is filed under {_principle_words(entry.principle)}, but {README} "
                f"files the entries of {file} under {_principles_words(allowed)}")))
        elif entry.tips and not with_tips:
            problems.append(Problem(file=entry.file, line=entry.line, message=(
                f"'{entry.id}' has tips, but {README} keeps tips out of {file}: they would "
                f"become principle {entry.principle}'s tip of the day")))
    return problems


def _answers_problems(knowledge: KnowledgeBase, rows: list[_Row], readme: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, _Row] = {}
    for row in rows:
        entry_id, principle, source = row.cells[:3]
        if entry_id in seen:
            problems.append(Problem(file=readme, line=row.line, message=(
                f"'{entry_id}' has a second row in the answers table (first at line "
                f"{seen[entry_id].line})")))
            continue
        seen[entry_id] = row
        entry = knowledge.entry(entry_id)
        if entry is None:
            problems.append(Problem(file=readme, line=row.line, message=(
                f"the answers table lists '{entry_id}', which is not in the knowledge base")))
            continue
        if principle != (str(entry.principle) if entry.principle else _NONE):
            problems.append(Problem(file=readme, line=row.line, message=(
                f"the answers table files '{entry_id}' under principle '{principle}', but the "
                f"entry is under {_principle_words(entry.principle)}")))
        if source != entry.source:
            problems.append(Problem(file=readme, line=row.line, message=(
                f"the answers table gives '{entry_id}' the source line '{source}', but the "
                f"entry's is '{entry.source}'")))
    for entry in knowledge.entries:
        if entry.id not in seen:
            problems.append(Problem(file=entry.file, line=entry.line, message=(
                f"'{entry.id}' has no row in the answers table of {README}: give its principle "
                "and source line there, and what changed and why")))
    return problems


def _markdown_tables(text: str) -> list[list[_Row]]:
    """Each table's rows (header first, the --- line left out) with their line numbers."""
    tables: list[list[_Row]] = []
    current: list[_Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("|"):
            if current:
                tables.append(current)
            current = []
            continue
        cells = tuple(cell.strip().strip("`").strip() for cell in stripped.strip("|").split("|"))
        if not all(set(cell) <= set("-: ") for cell in cells):
            current.append(_Row(line=number, cells=tuple(c.lower() if not current else c
                                                           for c in cells)))
    if current:
        tables.append(current)
    return [rows for rows in tables if len(rows[0].cells) >= 3]


def _principles_cell(text: str) -> frozenset[int | None] | None:
    """'6', '2, 3, 4', '1 to 6' or 'none' as the principles it names; None when it is neither."""
    text = text.strip().lower()
    if text == _NONE:
        return frozenset({None})
    found: set[int | None] = set()
    for part in text.split(","):
        bounds = [b.strip() for b in part.split(" to ")]
        if not all(b.isdigit() for b in bounds) or len(bounds) > 2:
            return None
        low, high = int(bounds[0]), int(bounds[-1])
        if not (low in PRINCIPLES and high in PRINCIPLES and low <= high):
            return None
        found.update(range(low, high + 1))
    return frozenset(found)


def _principle_words(principle: int | None) -> str:
    return "no principle (an outside entry)" if principle is None else f"principle {principle}"


def _principles_words(allowed: frozenset[int | None]) -> str:
    if allowed == {None}:
        return "no principle (outside entries only)"
    numbers = sorted(p for p in allowed if p is not None)
    return ("principle " if len(numbers) == 1 else "principles ") + ", ".join(map(str, numbers))
