"""Speed against the yardsticks of issue 12, ours and the baseline side by side in one run.

    make bench-baselines                # once: .venv-baseline with torch (CPU) and sentence-transformers
    .venv/bin/python bench/speed.py [--quick] [--only matching cold chat slack] [--json FILE]

Everything goes through the bot's public surfaces, so it measures whatever matcher the tree has:
1. matching: `Core.answer(question=...)` in a fresh process of ours, beside `semantic_faq.py`
   (sentence-transformers on torch, one question at a time, cosine over every entry's title,
   questions and answer) in another, fed the same distinct questions in alternate chunks.
   p50, p99, mean ms. Target: ours' mean at most 0.7x.
2. cold: `guidance-bot ask "..."` as a fresh process against `semantic_faq.py ask "..."`, in
   turns, after one untimed run of each. Median s. Target: at most 0.4x.
3. chat: `POST /api/chat` on `app.py` against `baselines/faq_server.py` (aiohttp plus
   sentence-transformers), 50 connections, closed loop, rounds in turns. Target: at least 1.5x.
4. slack: signed `app_mention` events on `app.py` against `baselines/bolt_app.py` (slack-bolt
   acking and posting a fixed reply), 50 connections; each posts to its own fake Slack Web API,
   and each round waits until every answer has been posted, so one's backlog never slows the
   other. Target: acknowledgement p99 no slower.
5. memory: the app's peak RSS (VmHWM) after 3 and 4. Target: at most 300 MiB.

Questions are distinct, so no cache of question embeddings can answer from memory: those of
tests/quality/*.yaml and ../shared/eval/dev.yaml that are not the knowledge base's own, shuffled,
then variants of them whose first and last sentences both change ("Quick question: can I ...,
any advice?"; a matcher that embeds a long message's middle sentences one by one may still find
those cached), each server drawing from its own stream of the same sequence. The baselines run
from .venv-baseline (torch is never the bot's dependency); ours from this interpreter's venv.
Loopback only; every loop is bounded by a count and a time.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
import yaml

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.baselines.semantic_faq import serve_timings  # noqa: E402
from bench.load import (  # noqa: E402
    Result,
    Running,
    Server,
    Target,
    kib,
    run_load,
    slack_mentions,
    slack_signed,
    table,
)

BASELINES = PROJECT / "bench" / "baselines"
BASELINE_PYTHON = PROJECT / ".venv-baseline" / "bin" / "python"
QUESTION_FILES = [*sorted((PROJECT / "tests" / "quality").glob("*.yaml")),
                  PROJECT.parent / "shared" / "eval" / "dev.yaml"]
OPENERS = ("Quick question: ", "Asking for my team: ", "Not sure about this one: ",
           "One for the comms team: ", "Sorry if this is obvious, ", "Hi all, ")
TAILS = (", any advice", " for a work thing", ", do you know", " in my case")
CONNECTIONS = 50
TARGETS = {"matching": 0.7, "cold": 0.4, "chat": 1.5, "slack": 1.0, "memory_mib": 300}
BASELINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TQDM_DISABLE": "1",
                "TOKENIZERS_PARALLELISM": "false"}


def quality_questions(*, knowledge_path: Path) -> list[str]:
    """The quality sets' questions, minus the knowledge base's own wordings (an encoder may hold
    those from load), deduplicated and shuffled so every kind of question is spread through."""
    from bot.knowledge.loader import load_knowledge
    from bot.text import normalise

    knowledge = load_knowledge(path=knowledge_path)
    own = {normalise(text) for e in knowledge.entries for text in (e.title, *e.questions)}
    picked: dict[str, None] = {}
    for file in QUESTION_FILES:
        if file.exists():
            for row in yaml.safe_load(file.read_text(encoding="utf-8"))["questions"]:
                question = " ".join(str(row["q"]).split())
                if question and normalise(question) not in own:
                    picked[question] = None
    questions = list(picked)
    random.Random(12).shuffle(questions)
    return questions


class Questions:
    """One server's stream of distinct questions: the base ones, then variants of them."""

    def __init__(self, base: list[str]) -> None:
        self.base = base
        self.sent = 0
        self._stream = self._all()

    def _all(self) -> Iterator[str]:
        yield from self.base
        for turn in itertools.count(1):
            mark = f" ({turn})" if turn > 1 else ""
            for opener, tail in itertools.product(OPENERS, TAILS):
                for question in self.base:
                    body = question.rstrip("?.! ")
                    yield f"{opener}{body}{tail}{mark}{question[len(body):].strip() or '?'}"

    @property
    def variants(self) -> int:
        return max(0, self.sent - len(self.base))

    def __call__(self, _: int = 0) -> str:
        self.sent += 1
        return next(self._stream)

    def take(self, count: int) -> list[str]:
        return [self() for _ in range(count)]


def chat_bodies(questions: Questions):
    return lambda i: json.dumps({"text": questions()}).encode()


def stats_ms(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"count": len(ordered), "p50": statistics.median(ordered),
            "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
            "mean": statistics.fmean(ordered)}


# 1. Matching cost per question ------------------------------------------------------------------

class Worker:
    """A process speaking `serve_timings`' protocol: one JSON line in, one JSON line out."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], timeout: float) -> None:
        self.name = name
        self.timeout = timeout
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=PROJECT, env={**os.environ, **env}, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log)
        self.info = json.loads(self._line())

    def _line(self) -> str:
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.log.seek(0)
            tail = self.log.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{self.name}: no answer within {self.timeout:.0f} s:\n{tail}")
        return line

    def time(self, questions: list[str]) -> list[float]:
        self.process.stdin.write(json.dumps(questions) + "\n")
        self.process.stdin.flush()
        return json.loads(self._line())

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def ours_worker(knowledge: Path) -> None:
    """The bot's side of `matching`: a core built as `guidance-bot` builds it, timed per answer."""
    from adapters.services import build
    from bot.settings import Settings

    started = time.perf_counter()
    core = build(settings=Settings.from_env({**os.environ, "KNOWLEDGE_PATH": str(knowledge)}),
                     serving=False).core
    serve_timings(lambda question: core.answer(question=question),
                  info={"entries": len(core.knowledge.entries), "load_s": time.perf_counter() - started})


def matching(args, base: list[str]) -> dict:
    questions = Questions(base).take(args.questions + 5)
    warm, timed = questions[:5], questions[5:]
    workers = []
    try:
        workers.append(Worker("ours", [sys.executable, __file__, "--worker-for", str(args.knowledge)],
                              env={}, timeout=args.start_seconds))
        workers.append(Worker("sentence-transformers", [
            str(args.baseline_python), str(BASELINES / "semantic_faq.py"), "--knowledge",
            str(args.knowledge), "worker"], env=BASELINE_ENV, timeout=args.start_seconds))
        timings: dict[str, list[float]] = {w.name: [] for w in workers}
        for worker in workers:
            worker.time(warm)
        for start in range(0, len(timed), 25):  # in turns: a slow spell of the machine hits both
            for worker in workers:
                timings[worker.name] += worker.time(timed[start:start + 25])
    finally:
        for worker in workers:
            worker.stop()
    ours, theirs = (stats_ms(timings[w.name]) for w in workers)
    print(f"\n### 1. Matching cost per question ({len(timed)} distinct questions, each once, "
          "in alternate chunks of 25)\n")
    print("| | entries | load s | p50 ms | p99 ms | mean ms |\n| --- | ---: | ---: | ---: | ---: | ---: |")
    for worker, row in zip(workers, (ours, theirs), strict=True):
        print(f"| {worker.name} | {worker.info['entries']} | {worker.info['load_s']:.1f} | "
              f"{row['p50']:.2f} | {row['p99']:.2f} | {row['mean']:.2f} |")
    print(f"| ours / baseline | | | {ours['p50'] / theirs['p50']:.2f} | "
          f"{ours['p99'] / theirs['p99']:.2f} | {ours['mean'] / theirs['mean']:.2f} |")
    if workers[0].info["entries"] != workers[1].info["entries"]:
        print(f"\nWarning: the baseline read {workers[1].info['entries']} entries, "
              f"ours {workers[0].info['entries']}.")
    return {"ours": ours, "baseline": theirs, "baseline_texts": workers[1].info["texts"],
            "ratio": ours["mean"] / theirs["mean"]}


# 2. Cold start ------------------------------------------------------------------------------------

def wall_seconds(command: list[str], *, env: dict[str, str], timeout: float) -> tuple[float, str]:
    """How long the process took from start to exit, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[:3]} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def cold(args, base: list[str]) -> dict:
    bot = shutil.which("guidance-bot", path=str(Path(sys.executable).parent))
    if bot is None:
        raise RuntimeError(f"no guidance-bot beside {sys.executable}: run `make test` or `pip install -e .`")
    ours_env = {"KNOWLEDGE_PATH": str(args.knowledge)}
    sides = {
        "ours: guidance-bot ask": (lambda q: [bot, "ask", q], ours_env),
        "sentence-transformers: load, embed the knowledge base, answer": (lambda q: [
            str(args.baseline_python), str(BASELINES / "semantic_faq.py"), "--knowledge",
            str(args.knowledge), "ask", q], BASELINE_ENV),
    }
    questions = Questions(base)
    first = {name: wall_seconds(command(questions()), env=env, timeout=args.start_seconds)[0]
             for name, (command, env) in sides.items()}
    runs: dict[str, list[float]] = {name: [] for name in sides}
    embedding: list[float] = []
    for _ in range(args.runs):
        question = questions()
        for name, (command, env) in sides.items():
            seconds, out = wall_seconds(command(question), env=env, timeout=args.start_seconds)
            runs[name].append(seconds)
            if name.startswith("sentence-transformers"):
                embedding.append(json.loads(out)["embed_s"])
    print(f"\n### 2. Cold start: a fresh process answering one question ({args.runs} run(s) each, "
          "in turns, after one untimed run each)\n")
    print("| | first run s | median s | min s | max s |\n| --- | ---: | ---: | ---: | ---: |")
    for name, values in runs.items():
        print(f"| {name} | {first[name]:.2f} | {statistics.median(values):.2f} | {min(values):.2f} | "
              f"{max(values):.2f} |")
    ours, theirs = (statistics.median(values) for values in runs.values())
    print(f"| ours / baseline | | {ours / theirs:.2f} | | |")
    print(f"\nOf the baseline's median, embedding the knowledge base's texts took "
          f"{statistics.median(embedding):.2f} s (a process cannot answer over it without them).")
    return {"ours_s": ours, "baseline_s": theirs, "runs": runs, "first": first, "ratio": ours / theirs,
            "baseline_embed_s": statistics.median(embedding)}


# 3-5. Servers under load ---------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class SlackRound:
    target: str
    load: Result
    posted: int
    expected: int
    answered_s: float


async def posted(session: aiohttp.ClientSession, api: Running) -> int:
    async with session.get(api.base + "/stats") as response:
        return (await response.json()).get("chat.postMessage", 0)


async def drain(*, api: Running, expected: int, seconds: float) -> int:
    """Wait until `expected` answers reached the fake Slack API, or progress stops, or `seconds`."""
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession() as session:
        count, last, progress_at = 0, -1, time.perf_counter()
        while time.perf_counter() < deadline:
            count = await posted(session, api)
            if count >= expected:
                break
            if count != last:
                last, progress_at = count, time.perf_counter()
            elif time.perf_counter() - progress_at > 30:
                break
            await asyncio.sleep(0.2)
    return count


async def slack_load(args, *, targets: list[Target], running: dict[str, Running],
                     apis: dict[str, Running]) -> list[SlackRound]:
    """Closed-loop acknowledgements; after each turn, the time until every answer was posted."""
    acked = {t.name: 0 for t in targets}
    rounds = []
    for number in range(args.rounds + 1):  # round 0 warms up
        for target in targets:
            started = time.perf_counter()
            result = await run_load(base=running[target.server].base, target=target,
                                    connections=CONNECTIONS,
                                    requests=min(100, args.requests) if number == 0 else args.requests,
                                    max_seconds=1 if number == 0 else args.seconds)
            acked[target.name] += result.requests - result.errors
            count = await drain(api=apis[target.server], expected=acked[target.name],
                                seconds=args.drain_seconds)
            if number:
                rounds.append(SlackRound(target=target.name, load=result, posted=count,
                                         expected=acked[target.name],
                                         answered_s=time.perf_counter() - started))
                print(f"  {target.name}: p99 {result.p99_ms:.1f} ms, {count}/{acked[target.name]} "
                      "answers posted", file=sys.stderr, flush=True)
    return rounds


async def servers(args, base: list[str], *, chat: bool, slack: bool) -> dict:
    secret = os.urandom(16).hex()
    data = Path(tempfile.mkdtemp(prefix="speed-"))
    running: dict[str, Running] = {}
    results: dict = {}
    streams = {"app": Questions(base), "faq": Questions(base), "bolt": Questions(base)}
    try:
        apis = {}
        for name in ("app", "bolt"):
            apis[name] = running[f"{name} slack api"] = Running(Server(
                name=f"fake Slack API for {name}",
                command=[sys.executable, "bench/fake_slack_api.py", "{port}"]),
                start_seconds=args.start_seconds)
        slack_env = {"SLACK_SIGNING_SECRET": secret}
        running["app"] = Running(Server(name="app", command=[sys.executable, "app.py"], env={
            **slack_env, "KNOWLEDGE_PATH": str(args.knowledge), "LOG_FORMAT": "json",
            "WEB_RATE_LIMIT": "0",  # one client on purpose: load, not abuse
            "DATA_DIR": str(data), "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_API_URL": apis["app"].base + "/api/"}), start_seconds=args.start_seconds)
        app_pid = running["app"].process.pid
        results["rss_idle_mib"] = kib(app_pid, "VmRSS") / 1024
        if chat:
            running["faq"] = Running(Server(name="faq", env=BASELINE_ENV, command=[
                str(args.baseline_python), str(BASELINES / "faq_server.py"), "{port}",
                str(args.knowledge)]), start_seconds=args.start_seconds)
            targets = [Target(name="sentence-transformers FAQ server", server="faq",
                              path="/api/chat", bodies=chat_bodies(streams["faq"])),
                       Target(name="ours: app POST /api/chat", server="app", path="/api/chat",
                              bodies=chat_bodies(streams["app"]))]
            loads = []
            for number in range(args.rounds + 1):  # round 0 warms up; then turns, as in load.py
                for target in targets:
                    result = await run_load(
                        base=running[target.server].base, target=target, connections=CONNECTIONS,
                        requests=min(100, args.requests) if number == 0 else args.requests,
                        max_seconds=1 if number == 0 else args.seconds)
                    if number:
                        loads.append(result)
                        print(f"  {target.name}: {result.throughput:.1f} req/s", file=sys.stderr,
                              flush=True)
            theirs, ours = loads[0::2], loads[1::2]
            ratios = [o.throughput / t.throughput if t.throughput else float("inf")
                      for o, t in zip(ours, theirs, strict=True)]
            results["chat"] = {"ours_rps": statistics.median(r.throughput for r in ours),
                               "baseline_rps": statistics.median(r.throughput for r in theirs),
                               "ratio": statistics.median(ratios),
                               "errors": {"ours": sum(r.errors for r in ours),
                                          "baseline": sum(r.errors for r in theirs)},
                               "rounds": [asdict(r) for r in loads]}
            results["faq_peak_mib"] = kib(running["faq"].process.pid, "VmHWM") / 1024
            running.pop("faq").stop()  # its memory and threads stay out of the Slack rounds
            print(f"\n### 3. POST /api/chat, {CONNECTIONS} connections, distinct questions "
                  f"({args.rounds} round(s) each, at most {args.requests} requests or "
                  f"{args.seconds:.0f} s; medians)\n")
            print(table(loads, baseline=targets[0].name, versus="baseline"))
        if slack:
            running["bolt"] = Running(Server(name="bolt", command=[
                sys.executable, str(BASELINES / "bolt_app.py"), "{port}"], env={
                **slack_env, "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_API_URL": apis["bolt"].base + "/api/"}), start_seconds=args.start_seconds)
            headers = slack_signed(secret)
            targets = [Target(name="slack-bolt app, fixed reply", server="bolt",
                              path="/slack/events", bodies=slack_mentions(question=streams["bolt"]),
                              headers=headers),
                       Target(name="ours: app POST /slack/events", server="app",
                              path="/slack/events", bodies=slack_mentions(question=streams["app"]),
                              headers=headers)]
            rounds = await slack_load(args, targets=targets, running=running, apis=apis)
            theirs, ours = rounds[0::2], rounds[1::2]
            print(f"\n### 4. Signed Slack events (app_mention), {CONNECTIONS} connections "
                  f"({args.rounds} round(s) each, at most {args.requests} events or "
                  f"{args.seconds:.0f} s; medians; answered/s counts until the last answer "
                  "was posted)\n")
            print("| | events | errors | acks/s | ack p50 ms | ack p99 ms | ack max ms | answers "
                  "posted | answered/s |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for name, side in (("slack-bolt, fixed reply", theirs), ("ours", ours)):
                print(f"| {name} | {sum(r.load.requests for r in side)} | "
                      f"{sum(r.load.errors for r in side)} | "
                      f"{statistics.median(r.load.throughput for r in side):,.0f} | "
                      f"{statistics.median(r.load.p50_ms for r in side):.1f} | "
                      f"{statistics.median(r.load.p99_ms for r in side):.1f} | "
                      f"{statistics.median(r.load.max_ms for r in side):.1f} | "
                      f"{side[-1].posted}/{side[-1].expected} | "
                      f"{statistics.median(r.load.requests / r.answered_s for r in side):,.0f} |")
            results["slack"] = {
                "ours_p99_ms": statistics.median(r.load.p99_ms for r in ours),
                "baseline_p99_ms": statistics.median(r.load.p99_ms for r in theirs),
                "unposted": {"ours": ours[-1].expected - ours[-1].posted,
                             "baseline": theirs[-1].expected - theirs[-1].posted},
                "rounds": [asdict(r) for r in rounds]}
            results["slack"]["ratio"] = (results["slack"]["ours_p99_ms"]
                                         / results["slack"]["baseline_p99_ms"])
            results["bolt_peak_mib"] = kib(running["bolt"].process.pid, "VmHWM") / 1024
        results["peak_mib"] = kib(app_pid, "VmHWM") / 1024
        results["rss_end_mib"] = kib(app_pid, "VmRSS") / 1024
    finally:
        for server in reversed(running.values()):
            server.stop()
        shutil.rmtree(data, ignore_errors=True)
    results["questions"] = {name: {"sent": q.sent, "variants": q.variants}
                            for name, q in streams.items() if q.sent}
    print("\nQuestions sent: " + "; ".join(
        f"{name} {q['sent']:,} ({q['variants']:,} of them variants)"
        for name, q in results["questions"].items()) + ".")
    print("\n### 5. Memory (VmHWM: the most each process held at once)\n")
    print("| process | MiB |\n| --- | ---: |")
    print(f"| ours: app.py at start, idle (RSS) | {results['rss_idle_mib']:.0f} |")
    print(f"| ours: app.py peak, after the load above | {results['peak_mib']:.0f} |")
    for key, name in (("faq_peak_mib", "sentence-transformers FAQ server, peak"),
                      ("bolt_peak_mib", "slack-bolt app, peak")):
        if key in results:
            print(f"| {name} | {results[key]:.0f} |")
    return results


# Summary ---------------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def summary(results: dict) -> None:
    print("\n### Against issue 12's targets\n")
    print("| measure | ours | baseline | ours / baseline | target | met |\n"
          "| --- | ---: | ---: | ---: | ---: | --- |")
    if m := results.get("matching"):
        print(f"| matching cost per question, mean ms | {m['ours']['mean']:.2f} | "
              f"{m['baseline']['mean']:.2f} | {m['ratio']:.2f} | <= {TARGETS['matching']} | "
              f"{verdict(m['ratio'] <= TARGETS['matching'])} |")
    if c := results.get("cold"):
        print(f"| cold start, median s | {c['ours_s']:.2f} | {c['baseline_s']:.2f} | "
              f"{c['ratio']:.2f} | <= {TARGETS['cold']} | {verdict(c['ratio'] <= TARGETS['cold'])} |")
    if h := results.get("chat"):
        clean = not h["errors"]["ours"]
        print(f"| POST /api/chat at {CONNECTIONS} connections, req/s | {h['ours_rps']:,.1f} | "
              f"{h['baseline_rps']:,.1f} | {h['ratio']:.2f} | >= {TARGETS['chat']} | "
              f"{verdict(h['ratio'] >= TARGETS['chat'] and clean)}"
              f"{'' if clean else ' (errors)'} |")
    if s := results.get("slack"):
        clean = not s["unposted"]["ours"] and not any(
            r["load"]["errors"] for r in s["rounds"][1::2])
        print(f"| signed Slack ack p99 at {CONNECTIONS} connections, ms | {s['ours_p99_ms']:.1f} | "
              f"{s['baseline_p99_ms']:.1f} | {s['ratio']:.2f} | <= {TARGETS['slack']} | "
              f"{verdict(s['ratio'] <= TARGETS['slack'] and clean)}"
              f"{'' if clean else ' (errors or answers not posted)'} |")
    if "peak_mib" in results:
        print(f"| peak RSS of app.py under that load, MiB | {results['peak_mib']:.0f} | | | "
              f"<= {TARGETS['memory_mib']} | {verdict(results['peak_mib'] <= TARGETS['memory_mib'])} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=["matching", "cold", "chat", "slack"],
                        default=["matching", "cold", "chat", "slack"])
    parser.add_argument("--knowledge", type=Path, default=PROJECT / "knowledge")
    parser.add_argument("--baseline-python", type=Path, default=BASELINE_PYTHON)
    parser.add_argument("--questions", type=int, default=600, help="timed in `matching`, each side")
    parser.add_argument("--runs", type=int, default=5, help="timed cold starts, each side")
    parser.add_argument("--rounds", type=int, default=3, help="turns of each server under load")
    parser.add_argument("--requests", type=int, default=3000, help="at most, per server and round")
    parser.add_argument("--seconds", type=float, default=20.0, help="at most, per server and round")
    parser.add_argument("--drain-seconds", type=float, default=300.0,
                        help="at most, for a round's Slack answers to be posted")
    parser.add_argument("--start-seconds", type=float, default=300.0,
                        help="at most, for a process to load its model and knowledge base")
    parser.add_argument("--threads", type=int,
                        help="BLAS/OpenMP threads for every process (default: each library's own; "
                             "1 keeps torch from thrashing on a busy machine)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few questions and rounds")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker-for", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_for:
        return ours_worker(args.worker_for)
    if args.quick:
        args.questions, args.runs, args.rounds, args.requests, args.seconds = 60, 1, 1, 300, 5.0
    args.knowledge = args.knowledge.resolve()
    if args.threads:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.threads)
    torch_free = {"slack"}
    if not args.baseline_python.exists():
        skipped = [name for name in args.only if name not in torch_free]
        if skipped:
            print(f"No {args.baseline_python}: skipping {', '.join(skipped)}, whose baselines need "
                  "torch and sentence-transformers. Run `make bench-baselines` first.", file=sys.stderr)
        args.only = [name for name in args.only if name in torch_free]
    base = quality_questions(knowledge_path=args.knowledge)
    load = os.getloadavg()
    threads = f"{args.threads} thread(s) a process" if args.threads else "libraries' own threads"
    print(f"## Speed against issue 12's targets ({os.cpu_count()} CPUs, {threads}; load average "
          f"{load[0]:.1f} at the start; knowledge base {args.knowledge}; {len(base)} distinct "
          "questions before variants)")
    results: dict = {}
    if "matching" in args.only:
        results["matching"] = matching(args, base)
    if "cold" in args.only:
        results["cold"] = cold(args, base)
    if "chat" in args.only or "slack" in args.only:
        results.update(asyncio.run(servers(args, base, chat="chat" in args.only,
                                           slack="slack" in args.only)))
    summary(results)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f} (the figures are only as quiet "
          "as the machine was).")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
