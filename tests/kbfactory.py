"""Builds valid knowledge bases of any size as YAML text, for tests and benchmarks."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

TITLES = {1: "Go where citizens already are", 2: "Consult and engage",
          3: "Be transparent and accountable", 4: "Be part of the conversation",
          5: "Work with those who can help", 6: "Adhere to the Civil Service Code"}
_WORDS = ("account post tweet share publish reply comment channel audience public citizen "
          "partner charity volunteer survey poll feedback consult data decision minutes open "
          "impartial politics election code value manager team department campaign myth "
          "criticism listen conversation network platform video photo blog forum group event "
          "policy service update message notice law copyright privacy security access").split()


def principle_entry(number: int) -> dict:
    return {
        "id": f"principle-{number}", "kind": "principle", "principle": number,
        "title": TITLES[number], "answer": f"What principle {number} means in practice.",
        "source": "Cabinet Office social media guidance, 2012",
        "reminder": f"Remember principle {number}.",
        "tips": [f"Tip {i} for principle {number}." for i in range(1, 4)],
        "questions": [f"question {i} about principle number {number} {TITLES[number].lower()}"
                      for i in range(1, 16)],
        "keywords": [TITLES[number].split()[-1].lower()],
    }


def topic_entry(index: int, *, rng: random.Random) -> dict:
    words = rng.sample(_WORDS, 6)
    return {
        "id": f"topic-{index}", "principle": index % 6 + 1, "title": f"Topic {index} "
        + " ".join(words[:2]), "answer": f"Answer for topic {index}.", "source": "Test source",
        "questions": [f"can we {' '.join(rng.sample(words, 3))} number {index} variant {v}"
                      for v in range(5)],
        "keywords": words[3:],
    }


_SITES = ("chirper", "photogram", "clipstream", "pinboard", "yakyak")


def outside_entry(index: int) -> dict:
    """A topic the guidance leaves alone, in words no generated topic uses."""
    site = _SITES[index % len(_SITES)]
    return {
        "id": f"outside-{index}", "kind": "outside", "title": f"Signing in to {site}",
        "answer": f"Ask {site}'s own help centre, or your digital team.",
        "source": "Not covered by the guidance",
        "questions": [f"how do i reset my {site} password", f"forgotten {site} login details"],
        "keywords": [site, "password", "login", "reset", "forgotten"],
    }


def knowledge_dict(*, topics: int = 6, seed: int = 1, outside: int = 0) -> dict:
    rng = random.Random(seed)
    return {"entries": [principle_entry(n) for n in range(1, 7)]
            + [topic_entry(i, rng=rng) for i in range(topics)]
            + [outside_entry(i) for i in range(outside)]}


def write_knowledge(directory: Path, *, topics: int = 6, seed: int = 1, outside: int = 0) -> Path:
    """A knowledge base of six principles, `topics` topics and `outside` outside entries in
    `directory`/kb.yaml."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "kb.yaml"
    path.write_text(yaml.safe_dump(knowledge_dict(topics=topics, seed=seed, outside=outside),
                                   sort_keys=False), encoding="utf-8")
    return directory


def readme_for(files: dict[str, list[dict]], *, rows: dict[str, str] | None = None) -> str:
    """A knowledge README whose filing and answers tables fit `files` (name -> its entries):
    every file allows the principles of its entries and tips; `rows` replaces a file's row."""
    filing = ["| file | principles | tips | holds |", "| --- | --- | --- | --- |"]
    answers = ["| entry | principle | source | last change and why |", "| --- | --- | --- | --- |"]
    for name, entries in files.items():
        numbers = sorted({e["principle"] for e in entries if "principle" in e})
        allowed = ", ".join(map(str, numbers)) if numbers else "none"
        filing.append((rows or {}).get(name, f"| `{name}` | {allowed} | yes | test entries |"))
        answers += [f"| `{e['id']}` | {e.get('principle', 'none')} | {e['source']} | written |"
                    for e in entries]
    return "\n".join(["# Test knowledge", "", *filing, "", "Sources:", "", *answers, ""])
