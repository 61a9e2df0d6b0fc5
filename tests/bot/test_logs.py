from __future__ import annotations

import json
import logging

import pytest

from bot.logs import request_id, sane_request_id


def test_json_lines_carry_the_request_id_of_the_context(configured):
    stream = configured("json")
    token = request_id.set("rid-7")
    try:
        logging.getLogger("guidance_bot.x").info("answered %s", "q")
    finally:
        request_id.reset(token)
    logging.getLogger("guidance_bot.x").warning("outside")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (first["message"], first["request_id"], first["level"]) == ("answered q", "rid-7", "INFO")
    assert second["request_id"] == "-"


def test_plain_lines_carry_the_request_id_too(configured):
    stream = configured("plain")
    token = request_id.set("rid-8")
    try:
        logging.getLogger("guidance_bot.x").info("hello")
    finally:
        request_id.reset(token)
    assert "[rid-8] hello" in stream.getvalue()


def test_slack_bolts_rejected_body_is_never_written_even_with_a_level_bolt_set_itself(configured):
    stream = configured("json")
    # what slack_bolt.logger.get_bolt_logger does without a base logger: copy the root's level
    bolt = logging.getLogger("slack_bolt.RequestVerification")
    bolt.setLevel(logging.getLogger().level)
    try:
        bolt.info("Invalid request signature detected (signature: v0=abc, timestamp: 1, "
                  "body: token=xoxb-SECRET)")
        bolt.warning("a real warning")
    finally:
        bolt.setLevel(logging.NOTSET)
    written = stream.getvalue()
    assert "xoxb-SECRET" not in written and "a real warning" in written


@pytest.mark.parametrize(("given", "kept"), [
    ("abc-123", True), ("0f" * 16, True), ("a.b:c_d", True), ("", False), (None, False),
    ("x" * 65, False), ("has space", False), ("new\nline", False), ("<b>", False), ("é", False),
])
def test_only_short_plain_request_ids_are_kept(given, kept):
    assert (sane_request_id(given) == given) is kept
