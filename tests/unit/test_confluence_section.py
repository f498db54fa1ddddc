"""The section splice of confluence_update_page_section: bounds found in storage XHTML, every other byte kept,
and linear on hostile pages."""

from __future__ import annotations

import time

import pytest

from passthrough.providers.confluence._history import TreePage
from passthrough.tools.confluence._history import _ordered
from passthrough.tools.confluence._history_section import outline, replace_section, unbalanced

MACRO = (
    '<ac:structured-macro ac:name="expand" ac:schema-version="1"><ac:parameter ac:name="title">a &gt; b</ac:parameter>'
    "<ac:rich-text-body><p>inside</p></ac:rich-text-body></ac:structured-macro>"
)
TABLE = "<table><tbody><tr><td><ul><li>x<ul><li>y</li></ul></li></ul></td></tr></tbody></table>"


def splice(storage: str, heading: str, fragment: str = "<p>NEW</p>") -> str:
    result = replace_section((storage, heading, fragment))
    assert result.storage is not None, result
    return result.storage


def test_replaces_up_to_the_next_heading_of_the_same_or_a_higher_level() -> None:
    head = "<h1>Title</h1>" + MACRO + "<h2>Target</h2>"
    body = "<p>old</p>" + TABLE + "<h3>Deeper</h3><p>still in</p><h4>Deepest</h4>"
    tail = "<h2>Next</h2>" + MACRO + TABLE
    assert splice(head + body + tail, "Target") == head + "<p>NEW</p>" + tail
    higher = "<h1>Up</h1><p>after</p>"
    assert splice(head + body + higher, "Target") == head + "<p>NEW</p>" + higher
    assert splice(head + body, "Target") == head + "<p>NEW</p>", "the last section runs to the end"
    assert splice(head + body + tail, "Deeper") == head + "<p>old</p>" + TABLE + "<h3>Deeper</h3><p>NEW</p>" + tail


def test_every_section_of_a_page_splices_at_its_own_bounds() -> None:
    page = (
        "<h1>A</h1>\n"
        + MACRO
        + "<h2>B</h2><p>b</p>"
        + TABLE
        + "<h3>C</h3><ac:task-list><ac:task><ac:task-id>1</ac:task-id></ac:task></ac:task-list><h2>D</h2>"
        + "<!-- <h2>not a heading</h2> --><ac:plain-text-body><![CDATA[<h1>nor this</h1>]]></ac:plain-text-body>"
    )
    for h in outline(page):
        new = splice(page, h.text, "<p>X</p>")
        assert new == page[: h.body_start] + "<p>X</p>" + page[h.body_end :]
        assert page[h.start : h.body_start].endswith(f"</h{h.level}>")
    assert [h.text for h in outline(page)] == ["A", "B", "C", "D"]


def test_sections_stay_inside_their_container() -> None:
    left = "<ac:layout-cell><h2>Left</h2><p>l</p></ac:layout-cell>"
    right = "<ac:layout-cell><h2>Right</h2><p>r</p></ac:layout-cell>"
    page = "<ac:layout><ac:layout-section ac:type='two_equal'>" + left + right + "</ac:layout-section></ac:layout>"
    assert splice(page, "Left") == page.replace("<p>l</p>", "<p>NEW</p>")
    expand = "<ac:rich-text-body><h3>Inner</h3><p>i</p></ac:rich-text-body>"
    page = "<h2>Outer</h2>" + expand + "<p>after the macro</p>"
    assert splice(page, "Inner") == page.replace("<p>i</p>", "<p>NEW</p>")
    assert splice(page, "Outer") == "<h2>Outer</h2><p>NEW</p>", "a nested heading does not end its outer section"


def test_heading_text_is_matched_as_read() -> None:
    page = '<h2 id="x" title="a>b">  Fish &amp; <strong>chips</strong>\n</h2><p>x</p><h2>Caf&eacute;</h2><p>y</p>'
    assert [h.text for h in outline(page)] == ["Fish & chips", "Café"]
    assert splice(page, "Fish   & chips").startswith(
        '<h2 id="x" title="a>b">  Fish &amp; <strong>chips</strong>\n</h2>'
    )
    assert splice(page, "## Café").endswith("<h2>Caf&eacute;</h2><p>NEW</p>"), "a Markdown prefix is forgiven"
    missing = replace_section((page, "fish & chips", "<p>x</p>"))
    assert missing.storage is None and missing.matches == 0 and missing.total == 2, "case counts"
    twice = replace_section((page + "<h3>Café</h3>", "Café", "<p>x</p>"))
    assert twice.storage is None and twice.matches == 2


def test_a_repeated_heading_opening_the_content_is_dropped() -> None:
    page = "<h2>Steps</h2><p>old</p><h2>End</h2>"
    assert splice(page, "Steps", "\n<h2>Steps</h2><p>new</p>") == "<h2>Steps</h2><p>new</p><h2>End</h2>"
    assert splice(page, "Steps", "<h3>Other</h3><p>new</p>") == "<h2>Steps</h2><h3>Other</h3><p>new</p><h2>End</h2>"


def test_malformed_pages_are_tolerated_or_refused() -> None:
    unclosed = "<h2>Open<p>never closed"
    result = replace_section((unclosed, "Opennever closed", "<p>x</p>"))
    assert result.storage is None and result.matches == 1 and result.heading is not None
    assert not result.heading.closed, "a heading without its end tag is not edited"
    stray = "</div><h2>A</h2></span><p>a</p></p><h2>B</h2>"
    assert splice(stray, "A") == "</div><h2>A</h2><p>NEW</p><h2>B</h2>"
    lone = "<h2>A</h2><p>1 < 2 and a lone </ here, <<<</p>"
    assert splice(lone, "A") == "<h2>A</h2><p>NEW</p>"
    implicit = "<div><h2>A</h2><p>a</div><p>outside</p>"
    assert splice(implicit, "A") == "<div><h2>A</h2><p>NEW</p></div><p>outside</p>", "the div's end ends it"


def test_unbalanced_fragments() -> None:
    assert unbalanced("<p>a</p>" + MACRO + TABLE + "<br/><br><![CDATA[</p>]]><!-- </div> -->") is None
    assert unbalanced("</ac:layout-cell><p>x</p>") is not None
    assert unbalanced("<p>x") == "<p> is never closed"
    assert unbalanced("<p><b>x</p></b>") is not None


@pytest.mark.parametrize(
    "page",
    [
        "<div>" * 50_000 + "<h2>T</h2><p>x</p>" + "</div>" * 50_000,
        "<" * 200_000,
        "</" * 100_000,
        '<a b="' * 100_000,
        "<div>" * 30_000 + "</span>" * 30_000,
        "<h1>" * 30_000 + "T" + "</h1>" * 30_000,
        "<h2>T</h2><p>x</p>" * 20_000,
        "<!--" * 100_000 + "<h2>T</h2>",
        "<a " + 'x="1" ' * 100_000,
        "<h2>T</h2>" + "<p>" + "&amp;" * 200_000 + "</p>",
    ],
    ids=["deep", "lt", "end-lt", "quotes", "stray", "nested-headings", "many", "comments", "attributes", "entities"],
)
def test_hostile_pages_are_linear(page: str) -> None:
    started = time.perf_counter()
    result = replace_section((page, "T", "<p>n</p>"))
    assert time.perf_counter() - started < 10, "the scan must stay linear (quadratic would take hours)"
    if result.storage is not None:
        assert result.heading is not None
        assert result.storage == page[: result.heading.body_start] + "<p>n</p>" + page[result.heading.body_end :]
    assert len(result.headings) <= 50


# ---------------------------------------------------------------- the order of confluence_get_space_page_tree


def test_tree_order_survives_cycles_orphans_and_depth() -> None:
    pages = [
        TreePage("1", "Home", None, 0),
        TreePage("3", "b child", "1", None),
        TreePage("2", "A child", "1", None),
        TreePage("4", "first by position", "1", 0),
        TreePage("5", "grandchild", "2", 1),
        TreePage("6", "orphan", "99", 3),
        TreePage("7", "loop a", "8", 1),
        TreePage("8", "loop b", "7", 1),
    ]
    order = [(depth, page.id, note) for depth, page, note in _ordered(pages)]
    assert order[:5] == [(0, "1", ""), (1, "4", ""), (1, "2", ""), (2, "5", ""), (1, "3", "")]
    assert (0, "6", "not read") in order, "a page whose parent was not read is a root, and says so"
    assert (0, "7", "a cycle") in order and (1, "8", "") in order, "a cycle is entered once, at its first page"
    assert sorted(i for _, i, _ in order) == [str(n) for n in range(1, 9)], "every page once, cycles included"
    chain = [TreePage(str(n), f"p{n}", str(n - 1) if n else None, 0) for n in range(5000)]
    deep = _ordered(chain)
    assert [d for d, _, _ in deep] == list(range(5000)), "a 5,000-deep chain needs no recursion"
