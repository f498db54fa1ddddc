"""The wiki reader's shortcuts take only inputs on which the full path gives the same result.

* A line whose first character (after white space) cannot start a block is a paragraph line without
  trying the block patterns: every pattern that matches a line must start with one of `_BLOCK_STARTS`.
* Inline text with no character that can start a construct is one run of text without the scanner.
"""

from __future__ import annotations

import random

import pytest

from passthrough.markup import _wiki_read
from passthrough.markup._model import MAX_DEPTH, Tidied, tidy
from passthrough.markup._wiki_read import _BLOCK_STARTS, _InlineParser, parse_inline

_LINE_PATTERNS = [
    _wiki_read._MACRO_RE.match,
    _wiki_read._HEADING_RE.fullmatch,
    _wiki_read._QUOTE_LINE_RE.fullmatch,
    _wiki_read._RULE_RE.fullmatch,
    _wiki_read._TABLE_RE.match,
    _wiki_read._LIST_RE.fullmatch,
]
_PIECES = [" ", "\t", "\u00a0", "\u2003", "\x1c", "h1.", "h7.", "bq.", "{code}", "{Quote}", "{info:title=x}", "----"]
_PIECES += ["*", "#", "-", "|", "||", "a", "H1.", "B", "x", "{", "}", "1.", "\u3000"]


def _lines(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 6))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(4))
def test_every_block_pattern_starts_with_a_block_start(seed: int) -> None:
    for line in _lines(seed, 5_000):
        if any(pattern(line) for pattern in _LINE_PATTERNS):
            assert line.lstrip()[:1] in _BLOCK_STARTS, repr(line)


PLAIN = [
    "Set up the CI pipeline for the web client.",
    "tabs\tand\u00a0no break spaces",
    "carriage\rreturn",
    "  edges  ",
    "http:/ almost a URL, ftp: too, and a colon: there",
    "écrit en français, 日本語",
    "(parentheses) 'quotes' \"double\" #hash @at $dollar %percent &amp; = < > ? , ; :",
    "",
]
SPECIAL = ["a *b* c", "x\\y", "a\nb", "{{code}}", "[link|http://x]", "!img.png!", "snake_case", "web-client"]
SPECIAL += ["a+b", "x^2", "~sub~", "see http://example.com/x", "ftp://host/file"]


@pytest.mark.parametrize("text", PLAIN + SPECIAL)
def test_parse_inline_gives_what_the_scanner_gives(text: str) -> None:
    assert parse_inline(text) == tidy(_InlineParser(text, 0).parse())
    assert type(parse_inline(text)) is Tidied


@pytest.mark.parametrize("text", PLAIN[:-1])
def test_plain_text_skips_the_scanner(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("the scanner ran")

    monkeypatch.setattr(_InlineParser, "parse", fail)
    assert parse_inline(text)


@pytest.mark.parametrize("text", SPECIAL)
def test_text_that_may_hold_a_construct_is_scanned(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[str] = []
    original = _InlineParser.parse

    def spy(self: _InlineParser) -> list[object]:
        scanned.append(self.text)
        return original(self)  # type: ignore[return-value]

    monkeypatch.setattr(_InlineParser, "parse", spy)
    parse_inline(text)
    assert scanned and scanned[0] == text


def test_beyond_the_depth_limit_the_scanner_flattens_and_notes_it() -> None:
    assert parse_inline("plain", MAX_DEPTH + 1) == tidy(_InlineParser("plain", MAX_DEPTH + 1).parse())
