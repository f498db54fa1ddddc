"""The regular-expression reader of storage gives html.parser's tree, or hands the page over.

``_read_plain`` reads pages made only of the usual constructs; anything subtler must send
the whole page to ``html.parser`` (``_TreeBuilder``).  Each shape here is read both ways and
the trees compared, and each says which way it must go, so that a fast path that grew too
lenient (or one that stopped being taken) fails here rather than in a rendered page.
"""

from __future__ import annotations

from typing import Any

import pytest

from passthrough.markup import storage_to_markdown
from passthrough.markup._storage_read import (
    Element,
    _read_plain,
    _TreeBuilder,
    _unterminated_as_text,
    parse_storage_tree,
)

from .test_linear import _ratio


def _shape(node: Element | str) -> Any:
    if isinstance(node, str):
        return node
    children = []
    for child in node.children:  # a loop, not a comprehension: one frame per level of nesting
        children.append(_shape(child))
    return (node.tag, node.attrs, children)


def _by_html_parser(text: str) -> Any:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return _shape(builder.root)


FAST = [
    pytest.param('<p class="a">x</p>', id="double-quoted"),
    pytest.param("<p class='a \"b\"'>x</p>", id="single-quoted-with-double-inside"),
    pytest.param("<a href=\"x>y\" title='p>q'>l</a>", id="gt-inside-quoted-values"),
    pytest.param('<a href="?a=1&amp;b=2&lt;&nbsp;&#60;&#x3c;&notin">l</a>', id="entities-in-attributes"),
    pytest.param('<a href="&amp">l</a>', id="entity-without-semicolon-in-attribute"),
    pytest.param("<p>a &amp; b &nbsp; &#60; &lt;p&gt; &amp</p>", id="entities-in-text"),
    pytest.param('<A HREF="X" Data-X="Y">l</A>', id="upper-case-names"),
    pytest.param('<a b="1" b="2">l</a>', id="repeated-attribute-last-wins"),
    pytest.param('<input disabled checked="">', id="attribute-without-value"),
    pytest.param("<a\n\tb = \"c\"\r\n  d\f='e' >l</a >", id="whitespace-around-attributes"),
    pytest.param("<br/><br /><br><p/><hr/>x</br>", id="void-and-self-closing"),
    pytest.param("<div><span><b>x", id="unclosed-tags"),
    pytest.param("</div></p>x</span>", id="stray-end-tags"),
    pytest.param("<ul><li>a<li>b</ul>c", id="end-tag-closes-everything-above"),
    pytest.param("a<!-- note -->b<!---->c", id="comments-split-text"),
    pytest.param('<ri:page ri:content-title="T &amp; U" ri:space-key="S"/>', id="namespaced-names"),
    pytest.param("<p>" + "<b>x</b>" * 300 + "</p>", id="many-small-tags"),
    pytest.param("<div>" * 300 + "x" + "</div>" * 300, id="deep-nesting"),
    pytest.param("<p>" + "word " * 5000 + "</p>", id="long-text-run"),
    pytest.param("<p " + " ".join(f'a{i}="{i}"' for i in range(300)) + ">x</p>", id="many-attributes"),
    pytest.param("<p>a > b</p>", id="gt-in-text"),
    pytest.param("<p>x</p><p", id="unterminated-last-tag-as-text"),
]

FALLBACK = [
    pytest.param("<p>a < b</p>", id="lt-in-text"),
    pytest.param("<p>a <3 b</p>", id="lt-before-digit"),
    pytest.param('<a title="x<y">l</a>', id="lt-inside-quoted-value"),
    pytest.param("<a href=x>l</a>", id="unquoted-value"),
    pytest.param('<a b="c"d="e">l</a>', id="no-space-between-attributes"),
    pytest.param('<a b=="c">l</a>', id="doubled-equals"),
    pytest.param('<a b="c"\x0b>l</a>', id="non-ascii-space-class"),
    pytest.param('<a\u00a0b="c">l</a>', id="no-break-space-after-name"),
    pytest.param("<1a>x</1a>", id="name-starting-with-digit"),
    pytest.param("<a/b>x</a>", id="slash-inside-tag"),
    pytest.param('</p x="1">x', id="end-tag-with-attributes"),
    pytest.param("</p/>x", id="self-closing-end-tag"),
    pytest.param("</ p>x", id="space-after-end-slash"),
    pytest.param("<!doctype html><p>x</p>", id="doctype"),
    pytest.param("<?xml version='1.0'?><p>x</p>", id="processing-instruction"),
    pytest.param("<!-- a -- b --><p>x</p>", id="double-dash-inside-comment"),
    pytest.param("<!--><p>x</p>-->", id="comment-closed-at-once"),
    pytest.param("<!-- a --!><p>x</p>-->", id="bang-comment-close"),
    pytest.param("<script>a <b> c</script><p>x</p>", id="script"),
    pytest.param("<style>p { }</style><p>x</p>", id="style"),
    pytest.param("<textarea><b>x</b></textarea>", id="textarea"),
]


@pytest.mark.parametrize("storage", FAST)
def test_fast_reader_gives_html_parsers_tree(storage: str) -> None:
    text = _unterminated_as_text(storage)
    root = _read_plain(text)
    assert root is not None, "this shape should not need html.parser"
    assert _shape(root) == _by_html_parser(text)


@pytest.mark.parametrize("storage", FALLBACK)
def test_subtler_constructs_go_to_html_parser(storage: str) -> None:
    text = _unterminated_as_text(storage)
    assert _read_plain(text) is None
    assert _shape(parse_storage_tree(storage)) == _by_html_parser(text)


def test_attribute_values_are_decoded_as_html_parser_does() -> None:
    root = parse_storage_tree("<a href=\"x>y&amp;z\" title='it&#39;s'>l</a>")
    link = root.child("a")
    assert link is not None
    assert link.attrs == {"href": "x>y&z", "title": "it's"}


def test_cdata_is_read_by_the_fast_reader_as_text() -> None:
    storage = (
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[if a < b && c > d:]]>'
        "</ac:plain-text-body></ac:structured-macro>"
    )
    assert storage_to_markdown(storage) == "```\nif a < b && c > d:\n```"


def test_page_with_one_stray_lt_reads_the_same_either_way() -> None:
    plain = "<p>" + "<b>x</b> " * 50 + "</p><p>y</p>"
    stray = plain.replace("<p>y</p>", "<p>y < z</p>")
    assert storage_to_markdown(plain).endswith("y")
    assert storage_to_markdown(stray).endswith("y < z")


FAST_SHAPES = {
    "deep nesting": lambda n: "<div>" * n + "x" + "</div>" * n,
    "many small tags": lambda n: "<p>" + "<b>x</b>" * (n // 2) + "</p>",
    "many attributes": lambda n: "<p " + ' a="1"' * n + ">x</p>",
    "long text run": lambda n: "<p>" + "ab &amp; " * n + "</p>",
    "many comments": lambda n: "<p>a<!-- c -->b</p>" * (n // 4),
    "stray lt at the end": lambda n: "<p>a <b>b</b></p>" * (n // 4) + "<p>a < b</p>",
}


@pytest.mark.parametrize("shape", list(FAST_SHAPES), ids=str)
def test_fast_reader_is_linear(shape: str) -> None:
    ratio = _ratio(storage_to_markdown, FAST_SHAPES[shape], 1_500)
    assert ratio < 24, f"storage_to_markdown on {shape}: 8x the input took {ratio:.1f}x the time"
