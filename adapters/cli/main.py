"""`guidance-bot`: the command line, the terminal's adapter (see the README and DESIGN for its interface)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.knowledge.loader import KnowledgeError, load_knowledge, readme_problems
from bot.messages import Message
from bot.settings import Settings, SettingsError, default_knowledge_path


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        for problem in error.problems:
            print(f"configuration: {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def _services(settings: Settings, **options):
    """The composition root's parts, as the command line uses them: no question log, no metrics."""
    from adapters.services import build

    try:
        return build(settings=settings, serving=False, **options)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(1) from None


def reply_now(core, message: Message):
    """Run `core.handle` to completion: matching runs in a worker thread, so it needs a loop."""
    import asyncio

    return asyncio.run(core.handle(message))


def cmd_serve(args: argparse.Namespace) -> int:
    import app

    return app.main()


def cmd_ask(args: argparse.Namespace) -> int:
    import asyncio

    core = _services(_settings()).core
    runner = asyncio.Runner()  # one loop and one worker pool for a whole batch

    def emit(question: str) -> None:
        reply = runner.run(core.handle(Message(platform="cli", user_id="cli", text=question)))
        if args.json:
            sys.stdout.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(reply.text + "\n")
        sys.stdout.flush()

    if not args.question:
        print("ask: give a question, or - to read one a line from standard input",
              file=sys.stderr)
        return 2
    with runner:
        if args.question == ["-"]:
            for line in sys.stdin:
                emit(line.rstrip("\n"))
        else:
            emit(" ".join(args.question))
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    core = _services(_settings()).core
    knowledge = core.knowledge
    if args.json:
        print(json.dumps(knowledge.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"version {knowledge.version}: {len(knowledge.entries)} entries")
        for entry in knowledge.entries:
            print(f"  {'-' if entry.outside else entry.principle}  {entry.id}: {entry.title}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    path = Path(args.path) if args.path else default_knowledge_path()
    try:
        knowledge = load_knowledge(path=path)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem)
        return 1
    recorded = readme_problems(knowledge=knowledge, path=path)
    for problem in recorded:
        print(problem)
    if recorded:
        return 1
    from bot.knowledge.reload import conflicts

    warnings = conflicts(knowledge)
    for conflict in warnings:
        entry = knowledge.entry(conflict.first)  # always found: conflicts are between its entries
        where = f"{entry.file}:{entry.line}" if entry is not None else str(path)
        print(f"{where}: warning: question '{conflict.question}' of "
              f"'{conflict.first}' is nearly the same as '{conflict.other_question}' of "
              f"'{conflict.second}'")
    examples = f", {len(knowledge.examples)} examples" if knowledge.examples else ""
    print(f"{path}: valid, {len(knowledge.entries)} entries{examples}, version {knowledge.version}"
          + (f", {len(warnings)} warning(s)" if warnings else ""), file=sys.stderr)
    return 1 if warnings and args.strict else 0


def cmd_console(args: argparse.Namespace) -> int:
    core = _services(_settings()).core
    print("Guidance Bot. Ask a question, 'help' for commands, Ctrl-D to leave.")
    while True:
        try:
            question = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        reply = reply_now(core, Message(platform="cli", user_id="console", text=question))
        print(f"bot> {reply.text}\n")


def cmd_teams_package(args: argparse.Namespace) -> int:
    from adapters.teams.package.builder import SOURCE, PackageError, build

    source = Path(args.source) if args.source else SOURCE
    try:
        package = build(app_id=args.app_id, source=source)
    except PackageError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(package.zip_bytes())
    print(f"{out}: Teams app package for app id {package.manifest['id']}", file=sys.stderr)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.storage.sqlstore import SQLStore

    settings = _settings()

    async def upgrade() -> None:
        store = SQLStore.from_url(url=settings.database_url, data_dir=settings.data_dir)
        try:
            await store.upgrade()
        finally:
            await store.close()

    import asyncio

    asyncio.run(upgrade())
    print("database: schema up to date", file=sys.stderr)
    return 0


def cmd_reload(args: argparse.Namespace) -> int:
    """Validate the configured knowledge base and record its version in the store, so running
    instances converge on it: the same check and the same report as `reload` in chat."""
    import asyncio
    import getpass
    from datetime import UTC

    from adapters.services import build
    from bot.storage.releases import Release
    from bot.storage.sqlstore import SQLStore

    settings = _settings()
    user = f"cli:{getpass.getuser()}"

    async def reload() -> int:
        store = SQLStore.from_url(url=settings.database_url, data_dir=settings.data_dir)
        try:
            await store.upgrade()
            try:
                core = build(settings=settings, store=store, serving=False).core
            except KnowledgeError as error:
                for problem in error.problems:
                    print(problem)
                await store.record_release(release=Release(
                    version=getattr(await store.last_release(ok_only=True), "version", "none"),
                    by=user, platform="cli", at=datetime.now(UTC), ok=False))
                print(f"Reload refused: the knowledge base has {len(error.problems)} problem(s).",
                      file=sys.stderr)
                return 1
            reply = await core.handle(Message(platform="cli", user_id=user, user_name=user,
                                              text="reload", authenticated_admin=True))
            if reply.ok:  # a refused reload, or a store that failed, says ok=False
                print(f"Recorded version {core.knowledge.version}: running instances serve it within "
                      f"{settings.knowledge_poll_seconds:g} seconds. A shell has no earlier version "
                      "in memory, so `status` in chat shows what each instance served before.",
                      file=sys.stderr)
            print(reply.text)
            return 0 if reply.ok else 1
        finally:
            await store.close()

    return asyncio.run(reload())


PROGRESS_EVERY = 500  # posts between progress lines of `reminders run-due`
PROGRESS_SECONDS = 10.0  # and at most this long between them while it posts


class FanOutProgress:
    """`reminders run-due`'s progress on standard error: a cron job posting to thousands of
    channels otherwise says nothing for minutes, and a stalled one looks the same as a slow one."""

    def __init__(self, *, out, every: int = PROGRESS_EVERY, seconds: float = PROGRESS_SECONDS,
                 monotonic=time.monotonic) -> None:
        self.out, self.every, self.seconds, self.monotonic = out, every, seconds, monotonic
        self.started = self.last = monotonic()
        self.due = self.done = self.held = 0

    def __call__(self, *, done: int, report) -> None:
        now, self.done = self.monotonic(), done
        if done == 0:
            self.due, self.held = report.due, report.busy
            self._line(f"{report.due} due; {report.closed} closed past the cut-off; "
                       f"{report.busy} held by another runner")
        elif self.every and (done % self.every == 0 or now - self.last >= self.seconds):
            self._line(f"{self._counts(report)}, {now - self.started:.0f} s")
        else:
            return
        self.last = now

    def finish(self, report) -> None:
        self._line(f"finished: {self._counts(report)} in {self.monotonic() - self.started:.0f} s")

    def _counts(self, report) -> str:
        return (f"{self.done} of {self.due} done: {report.delivered} delivered, "
                f"{report.retrying} to retry, {report.failed} failed, "
                f"{report.busy - self.held} taken by another runner")

    def _line(self, text: str) -> None:
        print(f"reminders: {text}", file=self.out, flush=True)


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of posts, like 500")
    return int(text)


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 date and time, like 2026-03-02T09:00") from None


def cmd_reminders_run_due(args: argparse.Namespace) -> int:
    from adapters.senders import open_senders
    from bot.reminders import service as reminders
    from bot.storage import retention
    from bot.storage.sqlstore import SQLStore

    settings = _settings()
    clock = None
    if args.at is not None:
        at = args.at if args.at.tzinfo else args.at.replace(
            tzinfo=ZoneInfo(settings.reminder_timezone))
        started = time.monotonic()

        def clock() -> datetime:
            return at + timedelta(seconds=time.monotonic() - started)

    progress = FanOutProgress(out=sys.stderr, every=args.progress_every)

    async def run_due() -> tuple[reminders.PassReport, bool]:
        store = SQLStore.from_url(url=settings.database_url, data_dir=settings.data_dir)
        try:
            await store.upgrade()
            services = _services(settings, store=store, clock=clock)
            core, runner = services.core, services.reminders
            async with open_senders(settings=settings, store=store) as senders:
                runner.senders.update(senders)
                report = await runner.run_due(progress=progress)
                progress.finish(report)
            # Where reminders run from cron (REMINDERS=off), this is where retention runs too,
            # as of the same instant as the pass (`--at` included).
            try:
                await retention.apply(store=store, now=core.clock(), policy=settings.retention)
            except Exception:
                logging.getLogger("guidance_bot.retention").exception("retention: pass failed")
                return report, False
            return report, True
        finally:
            await store.close()

    import asyncio

    report, forgotten = asyncio.run(run_due())
    print(json.dumps(report.to_json()))
    return 0 if forgotten else 1


def _verb(sub, name: str, *, summary: str, description: str, run=None) -> argparse.ArgumentParser:
    """A verb whose `--help` says what it does: `summary` in the list of verbs, `description`
    (a sentence or two) on its own page."""
    verb = sub.add_parser(name, help=summary, description=description)
    if run is not None:
        verb.set_defaults(run=run)
    return verb


def parser() -> argparse.ArgumentParser:
    from adapters.cli import drafts
    from bot import version

    top = argparse.ArgumentParser(prog="guidance-bot", description=(
        "Answers questions about the civil service social media guidance, in Slack, Teams, a web "
        "chat and this command line."))
    top.add_argument("--version", action="version", version=f"guidance-bot {version()}",
                     help="print the version and exit")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _verb(sub, "serve", run=cmd_serve, summary="run the web application (Slack, Teams, web chat)",
          description="Run the web application, the same as `python app.py`: the web chat, and "
          "Slack and Teams when their settings are in the environment.")
    ask = _verb(sub, "ask", run=cmd_ask, summary="answer one question, or one a line with -",
                description="Answer a question as the bot would in chat, without logging it.")
    ask.add_argument("--json", action="store_true",
                     help="print the reply as one JSON object (answered, principle, entry, ...)")
    ask.add_argument("question", nargs="*",
                     help="the question, or - to answer one a line from standard input")
    kb = _verb(sub, "kb", run=cmd_kb, summary="show the loaded knowledge base",
               description="List the knowledge base's entries and its version.")
    kb.add_argument("--json", action="store_true",
                    help="print the whole knowledge base as JSON (version and entries)")
    check = _verb(sub, "check", run=cmd_check, summary="validate a knowledge base",
                  description="Validate a knowledge base: exit 0 when valid, else 1 with one "
                  "file:line: message line a problem.")
    check.add_argument("path", nargs="?",
                       help="a directory or YAML file (default: KNOWLEDGE_PATH's, knowledge/)")
    check.add_argument("--strict", action="store_true",
                       help="exit 1 on warnings (near-duplicate questions) too")
    drafts.add_arguments(_verb(sub, "check-draft", run=drafts.run, summary=drafts.SUMMARY,
                               description=drafts.DESCRIPTION))
    _verb(sub, "reload", run=cmd_reload,
          summary="validate the knowledge base and have running instances serve it",
          description="Validate the configured knowledge base and record its version in the "
          "database, so every running instance converges on it.")
    _verb(sub, "console", run=cmd_console, summary="chat with the bot in this terminal",
          description="Chat with the bot in this terminal, one question a line, until Ctrl-D.")
    teams = _verb(sub, "teams-package", run=cmd_teams_package,
                  summary="build the Teams app package (a zip to upload)",
                  description="Build the Teams app package for your bot's Microsoft App ID: a "
                  "zip to upload to Teams.")
    teams.add_argument("--app-id", required=True, help="the bot's Microsoft App ID (a GUID)")
    teams.add_argument("--out", default="guidance-bot-teams.zip",
                       help="the zip file to write (default: %(default)s)")
    teams.add_argument("--source", help="folder with manifest.json and icons (default: teams/)")
    db = _verb(sub, "db", summary="the database",
               description="Look after the database named by DATABASE_URL (default: a SQLite "
               "file in DATA_DIR).").add_subparsers(dest="db_command", required=True,
                                                     metavar="COMMAND")
    _verb(db, "upgrade", run=cmd_db_upgrade, summary="apply schema migrations",
          description="Apply the database schema migrations, as the application does when it "
          "starts; exit 1 with one line when the database cannot be reached.")
    rem = _verb(sub, "reminders", summary="daily principle reminders",
                description="The daily principle-of-the-day reminders, for cron-style schedulers."
                ).add_subparsers(dest="reminders_command", required=True, metavar="COMMAND")
    run_due = _verb(rem, "run-due", run=cmd_reminders_run_due,
                    summary="post the reminders due now, once, then exit",
                    description="Post every reminder due now that no other runner has posted, "
                    "once, then exit: progress on standard error, the outcome as JSON on "
                    "standard output.")
    run_due.add_argument("--at", type=_instant, help="act as if it were this instant (ISO-8601; "
                         "without an offset, in REMINDER_TIMEZONE)")
    run_due.add_argument("--progress-every", type=_count, default=PROGRESS_EVERY, metavar="N",
                         help="a progress line every N posts, and at least every "
                         f"{PROGRESS_SECONDS:g} s while posting (default: %(default)s; 0: only "
                         "the summary)")
    return top


def main(argv: list[str] | None = None) -> int:
    from bot.storage.errors import DatabaseUnreachable

    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # `guidance-bot kb | head` closed the pipe: not an error
        sys.stderr.close()
        return 0
    except DatabaseUnreachable as error:
        from adapters.startup import unreachable_line

        print(unreachable_line(error=error, settings=_settings()), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
