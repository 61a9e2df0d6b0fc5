"""The web chat page in a real headless Chromium, against the real app on a loopback port."""

from __future__ import annotations

import asyncio
import os
import re
import shutil

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright, expect

from app import CORE, create_app
from bot.settings import Settings
from tests.adapters.chat_questions import ANSWER_TEXT, ANSWERED, ambiguous_question
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = "/tmp/webchat.png"
P3_ANSWER = ANSWER_TEXT

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium at /usr/bin/chromium or on PATH "
                       "(apt-get install chromium)"),
    pytest.mark.asyncio(loop_scope="module"),
]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


@pytest_asyncio.fixture(loop_scope="module")
async def app(tmp_path):
    return create_app(settings=Settings(knowledge_path=write_knowledge(tmp_path / "kb")),
                      store=MemoryStore())


@pytest_asyncio.fixture(loop_scope="module")
async def core(app):
    return app[CORE]


@pytest_asyncio.fixture(loop_scope="module")
async def base_url(app):
    async with TestServer(app, host="127.0.0.1", port=0) as server:
        yield str(server.make_url("/"))


@pytest.fixture
def failing_urls() -> list[str]:
    """URLs a test makes fail on purpose: the browser's console errors about them are expected."""
    return []


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser, base_url, failing_urls):
    """A fresh page on `/` that fails the test on any script error or console error (CSP included)."""
    context = await browser.new_context(viewport={"width": 1000, "height": 800})
    page = await context.new_page()
    problems: list[tuple[str, str]] = []
    page.on("pageerror", lambda error: problems.append((str(error), "")))
    page.on("console", lambda msg: problems.append((msg.text, msg.location.get("url", "")))
            if msg.type == "error" else None)
    await page.goto(base_url)
    yield page
    await context.close()
    assert [text for text, url in problems if not url.endswith(tuple(failing_urls))] == []


async def ask(page, question: str) -> None:
    box = page.get_by_label("Your question")
    await box.focus()
    await page.keyboard.type(question)
    await page.keyboard.press("Enter")


async def test_a_question_asked_while_one_is_answered_waits_its_turn(page):
    """Enter used to do nothing while an answer was on its way: the question just sat in the box."""
    async def slowly(route):
        await asyncio.sleep(0.5)
        await route.continue_()

    await page.route("**/api/chat", slowly)
    await ask(page, ANSWERED)
    await ask(page, "help")
    log = page.get_by_role("log")
    await expect(log.locator(".msg-user")).to_have_count(2)
    await expect(log.locator(".msg-bot")).to_have_count(3)  # the welcome, then both answers
    await expect(log.locator(".msg-bot").nth(1)).to_contain_text(P3_ANSWER)
    await expect(log.locator(".msg-bot").nth(2)).to_contain_text("How to use Guidance Bot")


async def test_a_typed_question_is_answered_in_the_log(page):
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ask about the social media guidance")
    await ask(page, ANSWERED)
    log = page.get_by_role("log")
    await expect(log.locator(".msg-user").last).to_have_text(re.compile(f"{re.escape(ANSWERED)}$"))
    answer = log.locator(".msg-bot").last
    await expect(answer).to_contain_text(P3_ANSWER)
    await expect(answer.locator(".tag")).to_have_text("Principle 3")
    await expect(answer.get_by_role("button", name="Helpful", exact=True)).to_be_visible()
    await expect(page.get_by_label("Your question")).to_be_focused()
    await expect(page.get_by_label("Your question")).to_have_value("")
    await page.screenshot(path=SCREENSHOT, full_page=True)


async def test_the_input_has_an_accessible_label_and_the_log_is_polite(page):
    box = page.get_by_role("textbox", name="Your question")
    await expect(box).to_have_attribute("id", "question")
    log = page.get_by_role("log", name="Conversation")
    await expect(log).to_have_attribute("aria-live", "polite")


async def test_a_suggestion_button_shows_that_answer(page, core):
    question, suggested = await ambiguous_question(core)
    entry = core.knowledge.entry(suggested[-1])
    await ask(page, question)
    suggestion = page.get_by_role("button", name=f"{entry.title} (principle {entry.principle})")
    await expect(suggestion).to_be_visible()
    await suggestion.click()
    answer = page.get_by_role("log").locator(".msg-bot").last
    await expect(answer).to_contain_text(entry.answer)
    await expect(answer.locator(".msg-title")).to_have_text(entry.title)


async def test_an_example_question_asks_itself(page):
    await page.get_by_role("button", name="What are the six principles?").click()
    await expect(page.get_by_role("log").locator(".msg-bot").last).to_contain_text(
        "Adhere to the Civil Service Code")


async def test_feedback_buttons_record_a_vote(page, core):
    await ask(page, ANSWERED)
    answer = page.get_by_role("log").locator(".msg-bot").last
    await answer.get_by_role("button", name="Not helpful").click()
    await expect(answer).to_contain_text("Thanks for telling me")
    await expect(page.get_by_label("Your question")).to_be_focused()
    assert [(f.platform, f.entry, f.helpful, f.question) for f in core.store.feedback] == [
        ("web", "principle-3", False, ANSWERED)]


async def test_markup_in_a_question_is_shown_as_text_not_run(page):
    attack = '<img src=x onerror="window.pwned=1"><b>bold</b>'
    await ask(page, attack)
    log = page.get_by_role("log")
    await expect(log.locator(".msg-user").last).to_contain_text(attack)
    await expect(log.locator(".msg-bot")).to_have_count(2)
    assert await log.locator("img, b").count() == 0
    assert await page.evaluate("window.pwned") is None


async def test_a_failed_request_is_reported_and_the_question_kept(page, failing_urls):
    failing_urls.append("/api/chat")
    await page.route("**/api/chat", lambda route: route.abort())
    await ask(page, ANSWERED)
    await expect(page.get_by_role("log").locator(".msg-error")).to_contain_text("could not reach the server")
    await expect(page.get_by_label("Your question")).to_have_value(ANSWERED)


async def test_a_server_error_is_reported(page, failing_urls):
    failing_urls.append("/api/chat")
    await page.route("**/api/chat", lambda route: route.fulfill(
        status=503, content_type="application/json", body='{"error": "overloaded"}'))
    await ask(page, ANSWERED)
    await expect(page.get_by_role("log").locator(".msg-error")).to_contain_text("503 (overloaded)")


async def test_keyboard_focus_is_visible(page):
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to the question box")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Your question")).to_be_focused()
    await page.keyboard.press("Tab")
    send = page.get_by_role("button", name="Send")
    await expect(send).to_be_focused()
    assert await send.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 221, 0)"


async def test_the_page_fits_a_320px_screen(page):
    await page.set_viewport_size({"width": 320, "height": 640})
    await ask(page, "unbroken" * 20)
    await ask(page, ANSWERED)
    await expect(page.get_by_role("log").locator(".msg-bot").last).to_contain_text(P3_ANSWER)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    await page.screenshot(path="/tmp/webchat-320.png", full_page=True)
