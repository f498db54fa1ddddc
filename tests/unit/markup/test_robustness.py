"""Totality: no input makes a conversion raise, loop or recurse without bound."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
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

from ._helpers import doc, p, t

TEXT_CONVERTERS: list[Callable[[Any], Any]] = [
    markdown_to_adf,
    markdown_to_wiki,
    markdown_to_storage,
    wiki_to_markdown,
    storage_to_markdown,
    adf_to_markdown,
]

GARBAGE: list[Any] = [
    None,
    "",
    " \n\t ",
    0,
    3.5,
    b"bytes",
    ["list"],
    {"type": 1},
    "*",
    "**",
    "_",
    "[",
    "]",
    "![",
    "<",
    ">",
    "&",
    "&bogus;",
    "\\",
    "\\\\",
    "`",
    "```",
    "|",
    "||",
    "| a |\n|---|\n| b | c | d |",
    "{",
    "}",
    "{{",
    "}}",
    "{code",
    "{code}",
    "{quote}",
    "{info}\n{quote}\n{code}",
    "{color:red}",
    "h1.",
    "h7. x",
    "bq.",
    "----",
    "[|]",
    "[~]",
    "[^]",
    "!!",
    "!|!",
    "* ",
    "#",
    "*#*#*# x",
    "<![CDATA[",
    "<![CDATA[ unterminated <p>",
    "]]>",
    "<ac:structured-macro",
    "<ac:structured-macro ac:name='code'><ac:plain-text-body>",
    "<ac:link><ri:page/></ac:link>",
    "<ac:image></ac:image>",
    "<ac:task-list><ac:task></ac:task><ac:task-list></ac:task-list></ac:task-list>",
    "<table><tr><td>",
    "<p><b>",
    "</p></p></div>",
    "<ul><li><ol><li></ul>",
    "<br><hr><img>",
    "<!-- comment",
    "<?xml version='1.0'?><!DOCTYPE x><p>x</p>",
    "<script>alert(1)</script>",
    "\x00\x01\x02\ufffe\ud800",
    "\r\n\r\n\r",
    "\u202e\u200b\ufeff",
    "😀" * 100,
]


@pytest.mark.parametrize("convert", TEXT_CONVERTERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_garbage_never_raises(convert: Callable[[Any], Any], value: Any) -> None:
    result = convert(value)
    if convert is markdown_to_adf:
        assert result["type"] == "doc" and result["version"] == 1 and isinstance(result["content"], list)
    else:
        assert isinstance(result, str)


BAD_ADF: list[Any] = [
    {"type": "doc"},
    {"type": "doc", "content": None},
    {"type": "doc", "content": "text"},
    {"type": "doc", "content": [None, 1, "x", [], {}]},
    {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text"}]}]},
    {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": 5}]}]},
    {"type": "doc", "content": [{"type": "text", "text": "inline at top", "marks": "bad"}]},
    {"type": "doc", "content": [{"type": "heading", "attrs": {"level": "x"}, "content": [t("h")]}]},
    {"type": "doc", "content": [{"type": "heading", "attrs": None}]},
    {"type": "doc", "content": [{"type": "orderedList", "attrs": {"order": "three"}, "content": [{}]}]},
    {"type": "doc", "content": [{"type": "bulletList", "content": [t("not an item"), {"type": "bulletList"}]}]},
    {"type": "doc", "content": [{"type": "table", "content": [{"type": "tableRow", "content": [None]}, 3]}]},
    {"type": "doc", "content": [{"type": "codeBlock", "attrs": {"language": 3}, "content": [None, t("c")]}]},
    {"type": "doc", "content": [p({"type": "date", "attrs": {"timestamp": "9" * 40}})]},
    {"type": "doc", "content": [p({"type": "mention", "attrs": {}})]},
    {"type": "doc", "content": [p(t("x", {"type": "link", "attrs": {"href": None}}))]},
    {"type": "doc", "content": [p({"type": "paragraph", "content": [t("block in inline")]})]},
    {"type": "doc", "content": [{"type": "taskList", "content": [{"type": "taskList"}, {"type": "taskItem"}]}]},
    {"content": [p(t("no type"))]},
    [p(t("a list of nodes"))],
]


@pytest.mark.parametrize("adf", BAD_ADF, ids=repr)
def test_malformed_adf_never_raises(adf: Any) -> None:
    assert isinstance(adf_to_markdown(adf), str)


def _nested_adf(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = t("leaf")
    for _ in range(depth):
        node = {"type": "bulletList", "content": [{"type": "listItem", "content": [p(t("x")), node]}]}
    return doc(node)


def test_deep_adf_is_capped_but_keeps_text() -> None:
    result = adf_to_markdown(_nested_adf(5000))
    assert "leaf" in result


def test_self_referencing_adf_terminates() -> None:
    node: dict[str, Any] = {"type": "paragraph", "content": [t("x")]}
    node["content"].extend([node, node])
    start = time.monotonic()
    assert isinstance(adf_to_markdown(doc(node)), str)
    assert time.monotonic() - start < 10


DEEP_TEXT: list[Any] = [
    pytest.param("> " * 3000 + "x", id="quotes"),
    pytest.param("- " * 3000 + "x", id="bullets"),
    pytest.param("1. " * 3000 + "x", id="ordered"),
    pytest.param("**" * 5000 + "x" + "**" * 5000, id="strong-runs"),
    pytest.param("*a _b ~~c " * 3000, id="unclosed-marks"),
    pytest.param("[a" * 5000 + "](u)" * 5000, id="links"),
    pytest.param("[" * 20000, id="brackets"),
    pytest.param("*" * 5000 + " x", id="stars-list"),
    pytest.param("*a* _b_ -c- +d+ ^e^ ~f~ " * 2000, id="wiki-phrases"),
    pytest.param("*" * 3000 + "x" + "*" * 3000, id="wiki-nested-phrases"),
    pytest.param("{quote}\n" * 2000, id="wiki-quotes"),
    pytest.param("{info}\n" * 200 + "x" + "\n{info}" * 200, id="wiki-panels"),
    pytest.param("|" * 20000, id="pipes"),
    pytest.param("{{" * 10000, id="monospace"),
    pytest.param("!a.png" * 5000, id="images"),
    pytest.param("\\" * 10001, id="backslashes"),
    pytest.param("<div>" * 10000 + "x", id="divs"),
    pytest.param("<ul><li>" * 3000 + "x", id="html-lists"),
    pytest.param("<blockquote>" * 3000 + "x", id="html-quotes"),
    pytest.param("<table><tr><td>" * 1000 + "x", id="html-tables"),
    pytest.param("<ac:structured-macro ac:name='info'><ac:rich-text-body>" * 2000 + "x", id="macros"),
    pytest.param("<b><i>" * 5000 + "x", id="html-inline"),
]


@pytest.mark.parametrize("convert", TEXT_CONVERTERS[:5], ids=lambda f: f.__name__)
@pytest.mark.parametrize("text", DEEP_TEXT)
def test_deep_or_pathological_text(convert: Callable[[Any], Any], text: str) -> None:
    start = time.monotonic()
    result = convert(text)
    assert result is not None
    assert time.monotonic() - start < 10


def test_deep_storage_keeps_innermost_text() -> None:
    assert "x" in storage_to_markdown("<div><blockquote>" * 500 + "x")


def test_deep_wiki_list_keeps_text() -> None:
    assert "deep" in wiki_to_markdown("*" * 500 + " deep")


MARKDOWN_OUTPUTS: list[Any] = [
    pytest.param(lambda: adf_to_markdown(markdown_to_adf("# a\n\n\n\n- b\n\n\n> c  \n\n")), id="adf"),
    pytest.param(lambda: wiki_to_markdown("h1. a   \n\n\n\n* b  \n\n\nbq. c   \n\n"), id="wiki"),
    pytest.param(
        lambda: storage_to_markdown("<h1> a </h1>\n\n<p>\n</p><ul>\n<li> b </li>\n</ul><blockquote> c </blockquote>\n"),
        id="storage",
    ),
]


@pytest.mark.parametrize("produce", MARKDOWN_OUTPUTS)
def test_markdown_output_is_tidy(produce: Callable[[], str]) -> None:
    result = produce()
    assert result == "# a\n\n- b\n\n> c"
    assert all(line == line.rstrip() for line in result.split("\n"))


@pytest.mark.parametrize("value", [g for g in GARBAGE if isinstance(g, str)] + [s for s in DEEP_TEXT[:6]])
def test_storage_output_is_always_well_formed(value: Any) -> None:
    text = value.values[0] if hasattr(value, "values") else value
    storage = markdown_to_storage(text)
    ET.fromstring(f'<r xmlns:ac="urn:ac" xmlns:ri="urn:ri">{storage}</r>')


LITERALS = [
    "*a* _b_ ~~c~~ `d` [e](f) <g> h\\i & &amp; # j",
    "# heading-like",
    "> quote-like",
    "- list-like",
    "+ plus-like",
    "1. ordered-like",
    "2) ordered-like",
    "---",
    "===",
    "***",
    "___",
    "[ ] task-like",
    "[x]: definition-like",
    "a|b || c",
    "{code} {{mono}} {color:red}",
    "!image.png! ![alt](src)",
    "h1. heading-word",
    "bq. quote-word",
    "-strike- +ins+ ^sup^ ~sub~ ??cite??",
    "C++ and C# and F#",
    "x_y_z _leading trailing_ __dunder__",
    "** lone ** stars * here",
    "a\\b and C:\\dir\\file end\\",
    "<br> <b>bold</b> &copy; &#169;",
    "[~user] [^file.txt] [#anchor]",
    "50% off! Wow!! (x) :)",
    "a -- b --- c - d",
    "tilde ~~ and ~single~",
    "2 * 3 = 6, 2*3=6",
    "heading ###",
]


@pytest.mark.parametrize("literal", LITERALS)
def test_literal_text_survives_every_format(literal: str) -> None:
    expected = doc(p(t(literal)))
    markdown = adf_to_markdown(expected)
    assert markdown_to_adf(markdown) == expected
    assert markdown_to_adf(storage_to_markdown(markdown_to_storage(markdown))) == expected
    assert markdown_to_adf(wiki_to_markdown(markdown_to_wiki(markdown))) == expected


_MARK_SETS: list[tuple[Any, ...]] = [
    (),
    ("strong",),
    ("em",),
    ("strike",),
    ("code",),
    ("strong", "em"),
    ("em", "strike"),
    ({"type": "link", "attrs": {"href": "https://u.example"}},),
    ({"type": "link", "attrs": {"href": "https://u.example"}}, "strong"),
    ({"type": "link", "attrs": {"href": "https://u.example"}}, "code"),
]


def _styled_chars(adf: dict[str, Any]) -> list[tuple[str, frozenset[str]]]:
    """Each character with its marks, ignoring marks on whitespace and marks that code excludes."""
    chars: list[tuple[str, frozenset[str]]] = []
    for node in adf["content"][0]["content"] if adf["content"] else []:
        marks = [m["type"] if m["type"] != "link" else "link:" + m["attrs"]["href"] for m in node.get("marks", [])]
        if "code" in marks:
            marks = [m for m in marks if m == "code" or m.startswith("link:")]
        for char in node.get("text", ""):
            chars.append((char, frozenset() if char.isspace() else frozenset(marks)))
    return chars


@pytest.mark.parametrize("words", [("foo ", "bar", " baz"), ("x ", '"y"', " (z)")], ids=["words", "punctuation"])
@pytest.mark.parametrize("outer", _MARK_SETS, ids=repr)
def test_mark_combinations_survive_every_format(words: tuple[str, str, str], outer: tuple[Any, ...]) -> None:
    for first in _MARK_SETS:
        for last in _MARK_SETS:
            source = doc(p(t(words[0], *first), t(words[1], *outer), t(words[2], *last)))
            expected = _styled_chars(source)
            markdown = adf_to_markdown(source)
            assert _styled_chars(markdown_to_adf(markdown)) == expected, markdown
            via_wiki = wiki_to_markdown(markdown_to_wiki(markdown))
            assert _styled_chars(markdown_to_adf(via_wiki)) == expected, via_wiki
            via_storage = storage_to_markdown(markdown_to_storage(markdown))
            assert _styled_chars(markdown_to_adf(via_storage)) == expected, via_storage
