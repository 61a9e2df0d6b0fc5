from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from tests.kbfactory import write_knowledge

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def embedding_store(tmp_path_factory):
    """Entries' vectors kept for this run only (processes the tests start inherit it), so a test
    never reads what an earlier run or another checkout stored."""
    store = tmp_path_factory.mktemp("embeddings")
    previous = os.environ.get("GUIDANCE_BOT_CACHE")
    os.environ["GUIDANCE_BOT_CACHE"] = str(store)
    yield store
    if previous is None:
        del os.environ["GUIDANCE_BOT_CACHE"]
    else:
        os.environ["GUIDANCE_BOT_CACHE"] = previous


@pytest.fixture(scope="session")
def encoder(embedding_store):
    from bot.matching.encoder import load_encoder

    return load_encoder(store=embedding_store)


@pytest.fixture
def small_kb(tmp_path):
    return load_knowledge(path=write_knowledge(tmp_path / "kb"))


@pytest.fixture
def shipped_kb():
    return load_knowledge(path=PROJECT / "knowledge")


class FixedClock:
    """A clock that says what the test tells it to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def core(small_kb, clock):
    from tests.cores import new_core

    return new_core(knowledge=small_kb, clock=clock)


@pytest.fixture(scope="session")
def outside_address() -> str:
    """An address of this machine that is not loopback, to call the app as another machine would."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback IPv4 address")
    return address


@pytest.fixture
def configured():
    """`configured("plain")` or `("json")`: the production log handler, writing to the stream it
    returns, for one test; the root logger's handlers are put back after."""
    import io
    import logging

    from bot.logs import configure

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    yield lambda fmt: (configure(fmt=fmt, stream=stream), stream)[1]
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


# Left out of the quick run (`pytest -m "not slow"`, as `make test-lowest` runs it): a real
# browser, real app processes, a container or wheel build, and minutes of matching over the quality
# sets.
SLOW_MODULES = frozenset({"test_web_browser.py", "test_app_process.py",
                          "test_app_process_platforms.py", "test_quality.py", "test_container.py",
                          "test_wheel.py"})


# Modules whose tests start the bot, the command line, a benchmark or Node as a process of its own:
# `-m 'not slow and not process'` (`make test-fast`) runs everything else, in process.
PROCESS_MODULES = frozenset({"test_app_process.py", "test_app_process_platforms.py",
                             "test_app_process_start.py", "test_container.py", "test_wheel.py",
                             "test_bench_quality.py", "test_bench_speed.py", "test_cli.py",
                             "test_cli_storage.py", "test_teams_card_parser.py"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if item.path.name in PROCESS_MODULES:
            item.add_marker(pytest.mark.process)
