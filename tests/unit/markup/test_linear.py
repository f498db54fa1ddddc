"""Every conversion is linear in its input, on the shapes that made them quadratic once.

Each shape is converted at size n and at 8n; a linear conversion takes about 8 times
as long, a quadratic one 64 times.  The ratio of the best of three runs must stay
under 24: loose enough for a noisy machine, far below what a quadratic path gives.
Sizes are chosen so that 8n stays within the client limit and well under a second.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import pytest

from passthrough.markup import (
    adf_to_markdown,
    markdown_to_adf,
    markdown_to_storage,
    markdown_to_wiki,
    storage_to_markdown,
    wiki_to_markdown,
)

WRITERS = [markdown_to_adf, markdown_to_wiki, markdown_to_storage]

MARKDOWN_SHAPES: dict[str, Callable[[int], str]] = {
    "many lines": lambda n: "a\n" * n,
    "a long run of stars": lambda n: "*" * (4 * n),
    "stars around a word": lambda n: "*" * n + "a" + "*" * n,
    "underscores": lambda n: "_" * (4 * n),
    "many links": lambda n: "[a](b)" * n,
    "open brackets": lambda n: "[" * (4 * n),
    "open backticks": lambda n: "`" * (2 * n),
    "deep quotes": lambda n: "> " * 40 + "x\n" * n,
    "nested lists": lambda n: "".join("  " * (i % 40) + "- x\n" for i in range(n)),
    "html breaks": lambda n: "a<br>" * n,
    "table rows": lambda n: "| a | b |\n|---|---|\n" + "| x | y |\n" * n,
    "escapes": lambda n: "\\*" * n,
}

READER_SHAPES: dict[str, tuple[Callable[[Any], str], Callable[[int], Any]]] = {
    "wiki: many small pieces": (wiki_to_markdown, lambda n: "*b* _i_ [l|http://x] {{c}} -\n" * (n // 8)),
    "wiki: unterminated braces": (wiki_to_markdown, lambda n: "{code}" + "{" * n),
    "wiki: open macros": (wiki_to_markdown, lambda n: "{quote}" * (n // 4)),
    "wiki: deep list": (wiki_to_markdown, lambda n: "".join("*" * (1 + i % 60) + " x\n" for i in range(n // 8))),
    "wiki: long stars": (wiki_to_markdown, lambda n: "*" * (4 * n)),
    "storage: many breaks": (storage_to_markdown, lambda n: "<p>" + "<br/>" * n + "</p>"),
    "storage: unclosed tags": (storage_to_markdown, lambda n: "<div><span>" * (n // 4) + "x"),
    "storage: unclosed end tags": (storage_to_markdown, lambda n: "</div>" * n),
    "storage: open comment": (storage_to_markdown, lambda n: "<p>x</p><!--" + "a" * (4 * n)),
    "storage: many paragraphs": (storage_to_markdown, lambda n: "<p>a <b>b</b></p>" * (n // 4)),
    "adf: many hard breaks": (adf_to_markdown, lambda n: _adf([{"type": "hardBreak"}] * n)),
    "adf: many text runs": (adf_to_markdown, lambda n: _adf([{"type": "text", "text": "ab"}] * n)),
    "adf: many marked runs": (
        adf_to_markdown,
        lambda n: _adf([{"type": "text", "text": "ab", "marks": [{"type": "strong"}]}] * n),
    ),
}


def _adf(inline: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": inline}]}


def _best(fn: Callable[[Any], Any], value: Any) -> float:
    # The cyclic collector's passes cost in proportion to the whole test process's heap, not to
    # the input: they are timed out, so that the ratio measures the conversion alone.
    best = float("inf")
    for _ in range(3):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            fn(value)
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best


def _ratio(fn: Callable[[Any], Any], make: Callable[[int], Any], n: int) -> float:
    small, large = make(n), make(8 * n)
    fn(small)  # warm up caches and lazy imports
    return _best(fn, large) / max(_best(fn, small), 1e-4)


@pytest.mark.parametrize("writer", WRITERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", list(MARKDOWN_SHAPES), ids=str)
def test_writers_are_linear(writer: Callable[[str], Any], shape: str) -> None:
    ratio = _ratio(writer, MARKDOWN_SHAPES[shape], 800)
    assert ratio < 24, f"{writer.__name__} on {shape}: 8x the input took {ratio:.1f}x the time"


@pytest.mark.parametrize("shape", list(READER_SHAPES), ids=str)
def test_readers_are_linear(shape: str) -> None:
    reader, make = READER_SHAPES[shape]
    ratio = _ratio(reader, make, 1_500)
    assert ratio < 24, f"{reader.__name__} on {shape}: 8x the input took {ratio:.1f}x the time"
