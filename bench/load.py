"""Load on loopback: the real app against a bare aiohttp server, side by side in one run.

    .venv/bin/python bench/load.py [--quick] [--rounds 3] [--flat N] [--rates 10 50 ...]

Each server runs as its own process; this process is the load generator (aiohttp client, N
keep-alive connections, each request bounded by a count and a time). Prints markdown tables:
throughput and p50/p99 latency at 1, 50 and 200 connections (closed loop: each connection sends
its next request when the last is answered), medians over `--rounds` in which the targets take
turns, so a slow spell of a shared machine hits them alike; signed Slack events sent open loop
at fixed rates, as Slack sends them; the app's peak RSS (VmHWM) under that load, and its RSS
before and after N more requests (default 100,000) to show it is flat.

Targets are data. Signed Slack events (`app_mention`, a fresh event id each, so neither the
replay check nor dedup short-circuits them) go to the same app process, started with
SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL pointing at `bench/fake_slack_api.py`,
a third process, so the answers posted after each acknowledgement stay on this machine.

With `--wrk`, the unsigned targets are measured a second time with wrk (Debian's package): this
Python client tops out near the bare server's speed, so its "vs bare" flatters the app, and wrk,
written in C, shows the bare server's real ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

QUESTIONS = [
    "Can I post about politics on my own account?", "principle 3", "What is principle 6?",
    "Should I reply to criticism of my department on Twitter?", "how do I bake bread",
    "can I say where I work on LinkedIn", "help", "Can we run a poll on Facebook?",
    "is it ok to like a party political post", "what are the six principles",
]


@dataclass(frozen=True, kw_only=True)
class Server:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Target:
    name: str
    server: str
    path: str
    bodies: Callable[[int], bytes]
    headers: Callable[[bytes], dict[str, str]] = lambda body: {"Content-Type": "application/json"}


@dataclass(frozen=True, kw_only=True)
class Result:
    target: str
    connections: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def chat_body(i: int) -> bytes:
    return json.dumps({"text": QUESTIONS[i % len(QUESTIONS)]}).encode()


def slack_mentions(*, question: Callable[[int], str] | None = None) -> Callable[[int], bytes]:
    """Bodies of `app_mention` events, each with an event id never sent before in this run;
    the nth event asks `question(n)` (by default the questions above in turn)."""
    template = json.loads((PROJECT / "tests/adapters/slack_payloads/app_mention.json").read_text())
    serial = itertools.count()
    run = os.urandom(4).hex()
    question = question or (lambda n: QUESTIONS[n % len(QUESTIONS)])

    def body(i: int) -> bytes:
        number = next(serial)
        template["event_id"] = f"Ev{run}{number:08d}"
        template["event"]["text"] = f"<@UBOT> {question(number)}"
        template["event"]["ts"] = template["event"]["event_ts"] = f"1700000000.{number:06d}"
        return json.dumps(template).encode()

    return body


def slack_signed(secret: str) -> Callable[[bytes], dict[str, str]]:
    """Headers of a request signed as Slack signs it (v0 HMAC-SHA256 of timestamp and body)."""

    def headers(body: bytes) -> dict[str, str]:
        stamp = str(int(time.time()))
        digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
        return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": "v0=" + digest.hexdigest()}

    return headers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kib(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


class Running:
    """A server process, up once its /healthz answers; what it wrote to stderr names a failure."""

    def __init__(self, server: Server, *, start_seconds: float = 20.0) -> None:
        self.server = server
        self.port = free_port()
        env = {**os.environ, **server.env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        command = [part.replace("{port}", str(self.port)) for part in server.command]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=PROJECT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + start_seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"{server.name} did not start within {start_seconds:.0f} s:\n{tail}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.log.close()


async def run_load(*, base: str, target: Target, connections: int, requests: int,
                   max_seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()
    deadline = time.perf_counter() + max_seconds
    url = base + target.path
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:

        async def worker():
            nonlocal errors
            while time.perf_counter() < deadline:
                i = next(counter)
                if i >= requests:
                    return
                started = time.perf_counter()
                ok = await _send(session, url=url, target=target, i=i)
                latencies.append(time.perf_counter() - started)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        seconds = time.perf_counter() - started
    return _result(target=target, connections=connections, latencies=latencies, errors=errors,
                   seconds=seconds)


async def run_rate(*, base: str, target: Target, rate: float, seconds: float) -> Result:
    """Open loop, as Slack sends: request i leaves at start + i/rate whether or not earlier ones
    were answered, on as many connections as that takes, and its latency counts from when it
    was due to leave, so a slow server cannot hide its queue by slowing the sender down."""
    latencies: list[float] = []
    errors = 0
    url = base + target.path
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:
        start = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            ok = await _send(session, url=url, target=target, i=i)
            latencies.append(time.perf_counter() - due)
            errors += not ok

        await asyncio.gather(*(one(i) for i in range(int(rate * seconds))))
        elapsed = time.perf_counter() - start
    return _result(target=target, connections=0, latencies=latencies, errors=errors,
                   seconds=elapsed)


async def _send(session: aiohttp.ClientSession, *, url: str, target: Target, i: int) -> bool:
    body = target.bodies(i)
    try:
        async with session.post(url, data=body, headers=target.headers(body)) as response:
            await response.read()
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


def _result(*, target: Target, connections: int, latencies: list[float], errors: int,
            seconds: float) -> Result:
    latencies = sorted(latencies)

    def quantile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    return Result(target=target.name, connections=connections, requests=len(latencies),
                  errors=errors, seconds=seconds, p50_ms=quantile(0.50), p99_ms=quantile(0.99),
                  max_ms=quantile(1.0))


def wrk_script(target: Target) -> str:
    """A Lua script for wrk that sends the target's bodies in turn, as the Python client does."""
    bodies = ", ".join(json.dumps(target.bodies(i).decode()) for i in range(len(QUESTIONS)))
    headers = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}"
                        for k, v in target.headers(b"").items())
    return (f"local bodies = {{{bodies}}}\nlocal headers = {{{headers}}}\nlocal i = 0\n"
            "request = function()\n  i = i + 1\n"
            "  return wrk.format(\"POST\", nil, headers, bodies[(i % #bodies) + 1])\nend\n")


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


async def run_wrk(*, base: str, target: Target, connections: int, requests: int,
                  max_seconds: float) -> Result:
    """`run_load` with wrk as the client; it runs for `max_seconds` whatever `requests` says."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(wrk_script(target))
        script.flush()
        done = await asyncio.to_thread(subprocess.run, [
            "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(max_seconds))}s", "--latency",
            "-s", script.name, base + target.path], capture_output=True, text=True, check=True)
    lines = [line.split() for line in done.stdout.splitlines()]

    def latency(label: str, column: int = 1) -> float:
        value = next(parts[column] for parts in lines if parts[:1] == [label])
        unit = value.lstrip("0123456789.")
        return float(value[: -len(unit)]) * _WRK_UNITS[unit]

    count, seconds = next((int(p[0]), float(p[3].rstrip("s,"))) for p in lines
                          if p[1:3] == ["requests", "in"])
    errors = sum(int(p[-1]) for p in lines if p[:1] == ["Non-2xx"])
    errors += sum(int(n.rstrip(",")) for p in lines if p[:2] == ["Socket", "errors:"]
                  for n in p[3::2])
    return Result(target=target.name, connections=connections, requests=count, errors=errors,
                  seconds=seconds, p50_ms=latency("50%"), p99_ms=latency("99%"),
                  max_ms=latency("Latency", 3))


async def measure(*, targets: list[Target], running: dict[str, Running], levels: list[int],
                  requests: int, max_seconds: float, rounds: int, load=run_load) -> list[Result]:
    results = []
    for connections in levels:
        for target in targets:
            base = running[target.server].base
            await load(base=base, target=target, connections=connections,
                       requests=min(200, requests), max_seconds=1)  # warm-up
        for _ in range(rounds):  # side by side, in turns: a slow spell of the machine hits all
            for target in targets:
                results.append(await load(base=running[target.server].base, target=target,
                                          connections=connections, requests=requests,
                                          max_seconds=max_seconds))
                print(f"  {target.name} x{connections}: {results[-1].throughput:.0f} req/s",
                      file=sys.stderr, flush=True)
    return results


def table(results: list[Result], *, baseline: str, versus: str = "bare") -> str:
    """Medians over the rounds; "vs bare" is the median of each round's ratio, with its range."""
    groups: dict[tuple[int, str], list[Result]] = {}
    for r in results:
        groups.setdefault((r.connections, r.target), []).append(r)
    lines = [f"| target | connections | requests | errors | req/s | vs {versus} (range) | p50 ms | p99 ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for (connections, target), rounds in groups.items():
        bare = groups[(connections, baseline)]
        ratios = sorted(r.throughput / b.throughput for r, b in zip(rounds, bare, strict=True))
        spread = f" ({ratios[0]:.0%}-{ratios[-1]:.0%})" if len(ratios) > 1 else ""
        lines.append(
            f"| {target} | {connections} | {sum(r.requests for r in rounds):,} | "
            f"{sum(r.errors for r in rounds)} | "
            f"{statistics.median(r.throughput for r in rounds):,.0f} | "
            f"{statistics.median(ratios):.0%}{spread} | "
            f"{statistics.median(r.p50_ms for r in rounds):.1f} | "
            f"{statistics.median(r.p99_ms for r in rounds):.1f} |")
    return "\n".join(lines)


async def main_async(args) -> None:
    from tests.kbfactory import write_knowledge

    knowledge = Path(args.knowledge) if args.knowledge else PROJECT / "knowledge"
    if not knowledge.exists():
        knowledge = write_knowledge(Path(tempfile.mkdtemp()) / "kb", topics=40)
    secret = os.urandom(16).hex()
    running = {"slack api": Running(Server(name="slack api", command=[
        sys.executable, "bench/fake_slack_api.py", "{port}"]))}
    servers = [
        Server(name="app", command=[sys.executable, "app.py"],
               env={"KNOWLEDGE_PATH": str(knowledge), "LOG_FORMAT": "json",
                    "WEB_RATE_LIMIT": "0",  # one client on purpose: load, not abuse
                    "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": secret,
                    "SLACK_API_URL": running["slack api"].base + "/api/"}),
        Server(name="bare", command=[sys.executable, "bench/bare.py", "{port}"]),
    ]
    targets = [
        Target(name="bare aiohttp, fixed JSON", server="bare", path="/api/chat", bodies=chat_body),
        Target(name="app POST /api/chat", server="app", path="/api/chat", bodies=chat_body),
        Target(name="app POST /slack/events, signed", server="app", path="/slack/events",
               bodies=slack_mentions(), headers=slack_signed(secret)),
    ]
    try:
        for server in servers:
            running[server.name] = Running(server)
        app_pid = running["app"].process.pid
        rss_idle = kib(app_pid, "VmRSS")
        results = await measure(targets=targets, running=running, levels=args.levels,
                                requests=args.requests, max_seconds=args.seconds,
                                rounds=args.rounds)
        paced = []
        for rate in args.rates:
            time.sleep(1)  # answers still being posted from before do not count against this rate
            paced.append(await run_rate(base=running["app"].base, target=targets[2], rate=rate,
                                        seconds=args.rate_seconds))
            print(f"  {targets[2].name} at {rate}/s: p99 {paced[-1].p99_ms:.1f} ms",
                  file=sys.stderr, flush=True)
        peak = kib(app_pid, "VmHWM")
        crosscheck = await measure(targets=targets[:2], running=running, levels=args.levels,
                                   requests=args.requests, max_seconds=args.seconds,
                                   rounds=args.rounds, load=run_wrk) if args.wrk else []
        time.sleep(2)  # answers are posted after the acknowledgement: let the last ones land
        with urllib.request.urlopen(running["slack api"].base + "/stats", timeout=5) as response:
            slack_calls = json.loads(response.read())
        chat = targets[1]
        rss_before = kib(app_pid, "VmRSS")
        flat = await run_load(base=running["app"].base, target=chat, connections=50,
                              requests=args.flat, max_seconds=args.flat / 100)
        rss_after = kib(app_pid, "VmRSS")
        slack_flat = await run_load(base=running["app"].base, target=targets[2], connections=50,
                                    requests=args.flat, max_seconds=args.flat / 100)
        time.sleep(2)
        rss_after_slack = kib(app_pid, "VmRSS")
        peak_after = kib(app_pid, "VmHWM")
    finally:
        for server in running.values():
            server.stop()
    print(f"Load on loopback, {os.cpu_count()} CPUs shared by server and load generator; "
          f"each level {args.rounds} round(s) of every target, each at most {args.requests} "
          f"requests or {args.seconds:.0f} s; medians over the rounds.\n")
    print(table(results, baseline=targets[0].name))
    if crosscheck:
        print(f"\nThe same, with wrk as the load generator ({args.seconds:.0f} s each):\n")
        print(table(crosscheck, baseline=targets[0].name))
    print(f"\nSigned Slack events sent at a fixed rate (open loop, {args.rate_seconds:.0f} s each; "
          "latency from when each was due):\n")
    print("| events/s | sent | errors | p50 ms | p99 ms | max ms |\n"
          "| ---: | ---: | ---: | ---: | ---: | ---: |")
    for rate, r in zip(args.rates, paced, strict=True):
        print(f"| {rate:g} | {r.requests:,} | {r.errors} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
              f"{r.max_ms:.1f} |")
    acked = sum(r.requests - r.errors for r in results + paced if r.target == targets[2].name)
    print(f"\nSlack events acknowledged 200 (with warm-ups: +{len(args.levels) * 200} at most): "
          f"{acked:,}; answers the fake Slack Web API received: {slack_calls}")
    print("\n| app memory | MiB |\n| --- | ---: |")
    print(f"| RSS at start, idle | {rss_idle / 1024:.1f} |")
    print(f"| peak RSS (VmHWM) after the load above | {peak / 1024:.1f} |")
    print(f"| RSS before {flat.requests:,} more requests | {rss_before / 1024:.1f} |")
    print(f"| RSS after them ({flat.errors} errors, {flat.throughput:,.0f} req/s) | "
          f"{rss_after / 1024:.1f} |")
    print(f"| RSS after {slack_flat.requests:,} signed Slack events ({slack_flat.errors} errors, "
          f"{slack_flat.throughput:,.0f} req/s) | {rss_after_slack / 1024:.1f} |")
    print(f"| peak RSS (VmHWM) at the end | {peak_after / 1024:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 50, 200])
    parser.add_argument("--rounds", type=int, default=3, help="turns of every target per level")
    parser.add_argument("--requests", type=int, default=10_000, help="per target and level")
    parser.add_argument("--seconds", type=float, default=20.0, help="per target and level")
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 50, 100, 200, 300, 400, 500, 600],
                        help="signed Slack events a second, sent open loop")
    parser.add_argument("--rate-seconds", type=float, default=10.0, help="per rate")
    parser.add_argument("--flat", type=int, default=100_000, help="requests for the RSS check")
    parser.add_argument("--knowledge", help="knowledge base (default: the shipped one)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few requests")
    parser.add_argument("--wrk", action="store_true",
                        help="also load /api/chat and bare with wrk (apt-get install wrk)")
    args = parser.parse_args()
    if args.wrk and not shutil.which("wrk"):
        parser.error("--wrk needs wrk on PATH (Debian: apt-get install wrk)")
    if args.quick:
        args.requests, args.seconds, args.flat, args.rate_seconds, args.rounds = (
            300, 5.0, 1000, 2.0, 1)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
