"""ClickUp's rich comment runs to and from Markdown: what each Markdown construct becomes, what ClickUp's
runs read back as (lists by indent, code blocks, quotes, mentions, emoji, links in either shape), that a
round trip keeps the text, and that hostile input on either side stays linear and never fails a read."""

from __future__ import annotations

import time
from itertools import pairwise
from typing import Any

import pytest

from passthrough.markup import MAX_DEPTH, NestingTooDeep, TextTooLong
from passthrough.markup._limits import TRUNCATED_NOTE
from passthrough.tools.clickup._comment_format import comment_to_markdown, markdown_to_comment, plain_text

NL: dict[str, Any] = {"text": "\n", "attributes": {}}


def line(kind: str, **more: Any) -> dict[str, Any]:
    return {"text": "\n", "attributes": {"list": {"list": kind}, **more}}


def test_inline_marks_become_attributes() -> None:
    runs = markdown_to_comment("a **b** *c* `d` [e](https://x.io/e) ***f***")
    assert runs == [
        {"text": "a ", "attributes": {}},
        {"text": "b", "attributes": {"bold": True}},
        {"text": " ", "attributes": {}},
        {"text": "c", "attributes": {"italic": True}},
        {"text": " ", "attributes": {}},
        {"text": "d", "attributes": {"code": True}},
        {"text": " ", "attributes": {}},
        {"text": "e", "attributes": {"link": "https://x.io/e"}},
        {"text": " ", "attributes": {}},
        {"text": "f", "attributes": {"italic": True, "bold": True}},
        NL,
    ]


def test_lines_carry_their_format_on_the_newline() -> None:
    runs = markdown_to_comment("- a\n  - b\n1. c\n- [ ] d\n- [x] e\n\n```sh\nls\n```\n\n> q")
    assert runs == [
        {"text": "a", "attributes": {}},
        line("bullet"),
        {"text": "b", "attributes": {}},
        line("bullet", indent=1),
        NL,
        {"text": "c", "attributes": {}},
        line("ordered"),
        NL,
        {"text": "d", "attributes": {}},
        line("unchecked"),
        {"text": "e", "attributes": {}},
        line("checked"),
        NL,
        {"text": "ls", "attributes": {}},
        {"text": "\n", "attributes": {"code-block": {"code-block": "sh"}}},
        NL,
        {"text": "q", "attributes": {}},
        {"text": "\n", "attributes": {"blockquote": True}},
    ]


def test_what_comments_lack_is_sent_readably() -> None:
    runs = markdown_to_comment("# Title\n\n| a | b |\n|---|---|\n| 1 | 22 |\n\n~~gone~~ [x](javascript:alert(1))")
    assert runs[0] == {"text": "Title", "attributes": {"bold": True}}
    code = [r["text"] for r, n in pairwise(runs) if n["attributes"].get("code-block")]
    assert code == ["a | b", "--+---", "1 | 22"]
    tail = plain_text(runs[runs.index({"text": "--+---", "attributes": {}}) :])
    assert "~~gone~~ [x](javascript:alert(1))" in tail, "no strike-through and no script link upstream"
    assert not [r for r in runs if "link" in r["attributes"]]
    assert plain_text(runs).startswith("Title\n\na | b\n")


def test_clickups_runs_read_as_markdown() -> None:
    runs = [
        {"text": "Hi "},
        {"type": "tag", "text": "@Otto Other", "user": {"id": 81002, "username": "Otto Other"}},
        {"text": ", see "},
        {"text": "docs", "attributes": {"link": {"url": "https://x.io/d"}}},
        {"text": " ", "attributes": {}},
        {"type": "emoticon", "text": "U0001F60A", "emoticon": {"code": "1f60a"}},
        {"text": "\n"},
        {"text": "one"},
        line("ordered"),
        {"text": "two"},
        line("ordered"),
        {"text": "deep"},
        line("bullet", indent=1),
        {"text": "x = 1\ny = *2*"},
        {"text": "\n", "attributes": {"code-block": {"code-block": "plain"}}},
        {"text": "big", "attributes": {"header": 2}},
        {"text": "\n", "attributes": {"header": 2}},
        {"text": "old", "attributes": {"strike": True}},
        {"text": "\n"},
    ]
    assert comment_to_markdown(runs) == (
        "Hi @Otto Other, see [docs](https://x.io/d) \U0001f60a\n\n"
        "1. one\n2. two\n   - deep\n\n"
        "x = 1\n\n"  # only the line the code-block newline ends is code
        "```\ny = *2*\n```\n\n"
        "## big\n\n"
        "~~old~~"
    )


def test_comment_text_is_the_fallback() -> None:
    assert comment_to_markdown([], "  plain words ") == "plain words"
    assert comment_to_markdown(None, None) == ""


@pytest.mark.parametrize(
    "markdown",
    [
        "Per **token**, not per *IP*.",
        "- a\n- b\n  1. c\n  2. d",
        "```python\nx = 1\n\ny = 2\n```",
        "> a *quoted* line",
        "A [link](https://example.com/a?b=c) and `code`.",
    ],
)
def test_a_round_trip_keeps_the_markdown(markdown: str) -> None:
    assert comment_to_markdown(markdown_to_comment(markdown)) == markdown


@pytest.mark.parametrize(
    "runs",
    [
        "not a list",
        [None, 5, "x", {"text": 7}, {"attributes": "x"}, {"type": "tag"}, {"type": "emoticon", "emoticon": "?"}],
        [{"text": "a", "attributes": {"list": "weird", "indent": -4, "header": True, "code-block": 3}}, NL],
        [{"type": "emoticon", "emoticon": {"code": "ffffffff"}}, {"type": "emoticon", "emoticon": {"code": "d800"}}],
    ],
)
def test_a_read_never_fails(runs: Any) -> None:
    assert isinstance(comment_to_markdown(runs), str)


def test_client_text_beyond_the_limits_is_refused() -> None:
    with pytest.raises(TextTooLong):
        markdown_to_comment("x" * (512 * 1024 + 1))
    with pytest.raises(NestingTooDeep):
        markdown_to_comment(">" * (MAX_DEPTH + 5) + " deep")


def _seconds(fn: Any, value: Any) -> float:
    """The best of three timings (other work shares the machine)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        fn(value)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize(
    "unit",
    ["**a", "*" * 7 + "x", "[a](", "`" * 3 + "x\n", "- " * 9 + "x\n", "  - x\n", "| a |\n", "\\*", "<a href=", "\n\n"],
)
def test_hostile_markdown_converts_in_linear_time(unit: str) -> None:
    small, large = unit * 500, unit * 5000
    markdown_to_comment(small)  # warm up
    assert _seconds(markdown_to_comment, large) < max(0.5, 40 * _seconds(markdown_to_comment, small))


def test_hostile_runs_read_in_linear_time() -> None:
    def runs(n: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(n):
            out.append({"text": "*x*" if i % 2 else "`", "attributes": {"bold": i % 3 == 0}})
            out.append(line("ordered" if i % 2 else "bullet", indent=i % 9))
        return out

    small, large = runs(1000), runs(10_000)
    comment_to_markdown(small)
    assert _seconds(comment_to_markdown, large) < max(0.5, 40 * _seconds(comment_to_markdown, small))
    huge = [{"text": "y" * 1000} for _ in range(1100)]
    assert comment_to_markdown(huge).endswith(TRUNCATED_NOTE)
