"""The one way adapters cut a long text into pieces a platform takes."""

from __future__ import annotations

from adapters.text import split_text


def test_an_escape_is_never_cut_in_half_and_plain_text_is_cut_at_the_limit() -> None:
    assert split_text("x" * 8 + "&amp;" + "y", limit=10) == ["x" * 8, "&amp;y"]
    assert split_text("x" * 8 + "&b" + "y", limit=10) == ["x" * 8 + "&b", "y"]


def test_a_paragraph_break_beats_a_later_space() -> None:
    assert split_text("aaaaaa\n\nbb cc dd", limit=12) == ["aaaaaa", "bb cc dd"]


def test_blank_text_is_one_empty_piece() -> None:
    assert split_text("  \n ", limit=10) == [""]
