from __future__ import annotations

from typing import Any

import pytest

from passthrough.markup import adf_to_markdown, markdown_to_adf

from ._helpers import BR, RULE, cell, code, doc, h, li, link, ol, p, quote, row, t, table, ul

TO_ADF: list[Any] = [
    pytest.param("", doc(), id="empty"),
    pytest.param("Hello world", doc(p(t("Hello world"))), id="paragraph"),
    pytest.param("one\n\ntwo", doc(p(t("one")), p(t("two"))), id="paragraphs"),
    *[pytest.param("#" * n + " Title", doc(h(n, t("Title"))), id=f"heading-{n}") for n in range(1, 7)],
    pytest.param("Setext\n===", doc(h(1, t("Setext"))), id="setext-heading"),
    pytest.param("a\nb", doc(p(t("a b"))), id="soft-break-is-space"),
    pytest.param("a\\\nb", doc(p(t("a"), BR, t("b"))), id="hard-break-backslash"),
    pytest.param("a  \nb", doc(p(t("a"), BR, t("b"))), id="hard-break-spaces"),
    pytest.param("a<br>b", doc(p(t("a"), BR, t("b"))), id="hard-break-html"),
    pytest.param("**b** *i* _j_", doc(p(t("b", "strong"), t(" "), t("i", "em"), t(" "), t("j", "em"))), id="emphasis"),
    pytest.param("~~gone~~", doc(p(t("gone", "strike"))), id="strike"),
    pytest.param("`x = 1`", doc(p(t("x = 1", "code"))), id="inline-code"),
    pytest.param("[x]() y", doc(p(t("x y"))), id="empty-link-is-text"),
    pytest.param("**`x`**", doc(p(t("x", "code"))), id="code-drops-strong"),
    pytest.param("***both***", doc(p(t("both", "em", "strong"))), id="nested-marks"),
    pytest.param(
        "[site](https://e.com)",
        doc(p(t("site", link("https://e.com")))),
        id="link",
    ),
    pytest.param(
        '[site](https://e.com "Title")',
        doc(p(t("site", {"type": "link", "attrs": {"href": "https://e.com", "title": "Title"}}))),
        id="link-title",
    ),
    pytest.param("<https://e.com>", doc(p(t("https://e.com", link("https://e.com")))), id="autolink"),
    pytest.param(
        "[`code` **b**](u)",
        doc(p(t("code", link("u"), "code"), t(" ", link("u")), t("b", link("u"), "strong"))),
        id="marks-inside-link",
    ),
    pytest.param("![diagram](d.png)", doc(p(t("diagram", link("d.png")))), id="image-as-link"),
    pytest.param("![](d.png)", doc(p(t("d.png", link("d.png")))), id="image-without-alt"),
    pytest.param("```python\nprint(1)\n```", doc(code("print(1)", "python")), id="fenced-code"),
    pytest.param("```\nplain\n```", doc(code("plain")), id="fenced-code-no-language"),
    pytest.param("```\n```", doc(code("")), id="empty-code"),
    pytest.param("    indented\n    code", doc(code("indented\ncode")), id="indented-code"),
    pytest.param("- a\n- b", doc(ul(li(p(t("a"))), li(p(t("b"))))), id="bullet-list"),
    pytest.param("1. a\n2. b", doc(ol(li(p(t("a"))), li(p(t("b"))))), id="ordered-list"),
    pytest.param("3. c", doc(ol(li(p(t("c"))), order=3)), id="ordered-list-start"),
    pytest.param(
        "- a\n  1. b\n     - c",
        doc(ul(li(p(t("a")), ol(li(p(t("b")), ul(li(p(t("c"))))))))),
        id="nested-lists",
    ),
    pytest.param("- - a", doc(ul(li(p(), ul(li(p(t("a"))))))), id="item-starting-with-list"),
    pytest.param(
        "- [ ] open\n- [x] done",
        doc(
            {
                "type": "taskList",
                "attrs": {"localId": "task-3"},
                "content": [
                    {"type": "taskItem", "attrs": {"localId": "task-1", "state": "TODO"}, "content": [t("open")]},
                    {"type": "taskItem", "attrs": {"localId": "task-2", "state": "DONE"}, "content": [t("done")]},
                ],
            }
        ),
        id="task-list",
    ),
    pytest.param("- [ ] a\n- b", doc(ul(li(p(t("[ ] a"))), li(p(t("b"))))), id="mixed-task-list"),
    pytest.param("> quoted", doc(quote(p(t("quoted")))), id="blockquote"),
    pytest.param(
        "> # Title\n> > inner\n> - item",
        doc(quote(p(t("Title")), p(t("inner")), ul(li(p(t("item")))))),
        id="blockquote-content-rules",
    ),
    pytest.param("---", doc(RULE), id="rule"),
    pytest.param(
        "| a | b |\n|---|---|\n| 1 | 2 |",
        doc(table(row(cell("a", True), cell("b", True)), row(cell("1"), cell("2")))),
        id="table",
    ),
    pytest.param("<div>raw</div>", doc(p(t("<div>raw</div>"))), id="html-block-as-text"),
    pytest.param("a <span>b</span>", doc(p(t("a <span>b</span>"))), id="html-inline-as-text"),
]


@pytest.mark.parametrize(("markdown", "expected"), TO_ADF)
def test_markdown_to_adf(markdown: str, expected: dict[str, Any]) -> None:
    assert markdown_to_adf(markdown) == expected


FROM_ADF: list[Any] = [
    pytest.param(None, "", id="none"),
    pytest.param({}, "", id="empty-mapping"),
    pytest.param(doc(), "", id="empty-doc"),
    pytest.param(doc(p(t("Hello"))), "Hello", id="paragraph"),
    pytest.param(doc(p(t("a")), p(), p(t("b"))), "a\n\nb", id="empty-paragraph-dropped"),
    *[pytest.param(doc(h(n, t("T"))), "#" * n + " T", id=f"heading-{n}") for n in range(1, 7)],
    pytest.param(doc(h(9, t("T"))), "###### T", id="heading-level-clamped"),
    pytest.param(doc(p(t("a"), BR, t("b"))), "a\\\nb", id="hard-break"),
    pytest.param(doc(p(t("a\nb"))), "a\\\nb", id="newline-in-text-is-break"),
    pytest.param(
        doc(p(t("b", "strong"), t(" "), t("i", "em"), t(" "), t("s", "strike"), t(" "), t("c", "code"))),
        "**b** *i* ~~s~~ `c`",
        id="marks",
    ),
    pytest.param(doc(p(t("under", "underline"))), "under", id="underline-plain"),
    pytest.param(doc(p(t("red", {"type": "textColor", "attrs": {"color": "#ff0000"}}))), "red", id="color-plain"),
    pytest.param(doc(p(t("x", link("https://e.com")))), "[x](https://e.com)", id="link"),
    pytest.param(doc(p(t("https://e.com", link("https://e.com")))), "<https://e.com>", id="autolink"),
    pytest.param(
        doc(p(t("a", "strong"), t("b", "strong", "em"), t("c", "strong"))),
        "**a*b*c**",
        id="marks-merge-into-runs",
    ),
    pytest.param(doc(p(t("bold ", "strong"), t("x"))), "**bold** x", id="space-moved-out-of-mark"),
    pytest.param(doc(p(t("x", "code", link("u")))), "[`x`](u)", id="linked-code"),
    pytest.param(doc(p(t("a", "code"), t("b", "code"))), "`ab`", id="adjacent-code-merged"),
    pytest.param(doc(code("a = 1", "python")), "```python\na = 1\n```", id="code-block"),
    pytest.param(doc(code("x")), "```\nx\n```", id="code-block-no-language"),
    pytest.param(doc(code("```\ninner\n```", "md")), "````md\n```\ninner\n```\n````", id="code-block-with-fence"),
    pytest.param(doc(ul(li(p(t("a"))), li(p(t("b"))))), "- a\n- b", id="bullet-list"),
    pytest.param(doc(ol(li(p(t("a"))), li(p(t("b"))))), "1. a\n2. b", id="ordered-list"),
    pytest.param(doc(ol(li(p(t("a"))), order=4)), "4. a", id="ordered-start"),
    pytest.param(
        doc(ul(li(p(t("a")), ol(li(p(t("b")), ul(li(p(t("c"))))))))),
        "- a\n  1. b\n     - c",
        id="nested-lists",
    ),
    pytest.param(doc(ul(li(p(t("a")), p(t("b"))))), "- a\n\n  b", id="loose-item"),
    pytest.param(doc(ul(li(p(t("a")))), ul(li(p(t("b"))))), "- a\n\n* b", id="adjacent-lists-stay-apart"),
    pytest.param(doc(ul(li(p(t("a")), code("x")))), "- a\n  ```\n  x\n  ```", id="code-in-item"),
    pytest.param(doc(quote(p(t("q")), p(t("r")))), "> q\n>\n> r", id="blockquote"),
    pytest.param(doc(RULE), "---", id="rule"),
    pytest.param(
        doc(table(row(cell("a", True), cell("b", True)), row(cell("1"), cell("2|3")))),
        "| a | b |\n| --- | --- |\n| 1 | 2\\|3 |",
        id="table",
    ),
    pytest.param(
        doc(table(row(cell("a"), cell("b")), row(cell("1")))),
        "| a | b |\n| --- | --- |\n| 1 |  |",
        id="table-ragged-no-header",
    ),
    pytest.param(
        doc(
            table(
                row(
                    {"type": "tableCell", "content": [p(t("x")), p(t("y"))]},
                    {"type": "tableCell", "content": [ul(li(p(t("i"))), li(p(t("j"))))]},
                )
            )
        ),
        "| x<br>y | - i<br>- j |\n| --- | --- |",
        id="table-cell-blocks",
    ),
    pytest.param(
        doc({"type": "panel", "attrs": {"panelType": "info"}, "content": [p(t("Read this"))]}),
        "> **Info:** Read this",
        id="panel",
    ),
    pytest.param(
        doc({"type": "panel", "attrs": {"panelType": "custom"}, "content": [p(t("x"))]}),
        "> x",
        id="panel-without-label",
    ),
    pytest.param(
        doc(p(t("Hi "), {"type": "mention", "attrs": {"id": "1", "text": "@Jane Doe"}})),
        "Hi @Jane Doe",
        id="mention",
    ),
    pytest.param(doc(p({"type": "mention", "attrs": {"id": "1", "text": "Bob"}})), "@Bob", id="mention-no-at"),
    pytest.param(doc(p({"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}})), "😄", id="emoji-text"),
    pytest.param(doc(p({"type": "emoji", "attrs": {"shortName": ":smile:"}})), ":smile:", id="emoji-shortname"),
    pytest.param(
        doc(p({"type": "inlineCard", "attrs": {"url": "https://x.net/browse/A-1"}})),
        "<https://x.net/browse/A-1>",
        id="inline-card",
    ),
    pytest.param(
        doc(p({"type": "status", "attrs": {"text": "IN PROGRESS", "color": "blue"}})), "IN PROGRESS", id="status"
    ),
    pytest.param(doc(p({"type": "date", "attrs": {"timestamp": "1700000000000"}})), "2023-11-14", id="date"),
    pytest.param(doc(p({"type": "date", "attrs": {"timestamp": "soon"}})), "soon", id="date-invalid"),
    pytest.param(
        doc({"type": "mediaSingle", "content": [{"type": "media", "attrs": {"type": "file", "id": "1"}}]}),
        "[attachment]",
        id="media-single",
    ),
    pytest.param(
        doc({"type": "mediaGroup", "content": [{"type": "media", "attrs": {"id": "1", "alt": "log.txt"}}]}),
        "[attachment: log.txt]",
        id="media-group-alt",
    ),
    pytest.param(
        doc(
            {
                "type": "mediaSingle",
                "content": [{"type": "media", "attrs": {"type": "external", "url": "http://i/x.png"}}],
            }
        ),
        "![](http://i/x.png)",
        id="media-external",
    ),
    pytest.param(
        doc(
            {
                "type": "taskList",
                "attrs": {"localId": "l"},
                "content": [
                    {"type": "taskItem", "attrs": {"localId": "a", "state": "DONE"}, "content": [t("done")]},
                    {"type": "taskItem", "attrs": {"localId": "b", "state": "TODO"}, "content": [t("todo")]},
                ],
            }
        ),
        "- [x] done\n- [ ] todo",
        id="task-list",
    ),
    pytest.param(
        doc({"type": "expand", "attrs": {"title": "More"}, "content": [p(t("hidden"))]}),
        "**More**\n\nhidden",
        id="expand",
    ),
    pytest.param(doc({"type": "mysteryBlock", "content": [p(t("inside"))]}), "inside", id="unknown-block"),
    pytest.param(
        doc(p(t("a "), {"type": "mysteryInline", "attrs": {"text": "txt"}})),
        "a txt",
        id="unknown-inline-attrs-text",
    ),
    pytest.param(doc({"type": "extension", "attrs": {"extensionKey": "x"}}), "", id="extension-without-text"),
    pytest.param({"type": "paragraph", "content": [t("bare node")]}, "bare node", id="node-instead-of-doc"),
    pytest.param(
        '{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"j"}]}]}', "j", id="json-string"
    ),
    pytest.param("plain text", "plain text", id="non-json-string"),
    pytest.param(
        doc(p(t("*not bold* `x` [y](z) # h"))), "\\*not bold\\* \\`x\\` [y\\](z) # h", id="literal-markup-escaped"
    ),
    pytest.param(doc(p(t("# not a heading"))), "\\# not a heading", id="line-start-escaped"),
    pytest.param(doc(p(t("1. not a list"))), "1\\. not a list", id="ordered-marker-escaped"),
    pytest.param(doc(p(t("snake_case_name and _x_"))), "snake_case_name and \\_x\\_", id="underscores"),
]


@pytest.mark.parametrize(("adf", "expected"), FROM_ADF)
def test_adf_to_markdown(adf: Any, expected: str) -> None:
    assert adf_to_markdown(adf) == expected


ROUND_TRIP = [
    pytest.param("# Title\n\n###### Small", id="headings"),
    pytest.param("Plain **bold** *em* ~~strike~~ `code` text.", id="inline-marks"),
    pytest.param("***both*** and **bold *nested***", id="nested-marks"),
    pytest.param("line\\\nbreak", id="hard-break"),
    pytest.param("[link](https://e.com) and <https://auto.example>", id="links"),
    pytest.param("```python\ndef f():\n    return 1\n```", id="code-block"),
    pytest.param("- a\n- b\n  - c\n    1. d\n    2. e", id="nested-lists"),
    pytest.param("5. five\n6. six", id="ordered-start"),
    pytest.param("- [ ] todo\n- [x] done", id="tasks"),
    pytest.param("> quoted\n>\n> - item", id="blockquote"),
    pytest.param("before\n\n---\n\nafter", id="rule"),
    pytest.param("| h1 | h2 |\n| --- | --- |\n| a | b |\n| c<br>d |  |", id="table"),
    pytest.param("Literal \\*stars\\* and \\`ticks\\`\n\n\\# hash\n\n1\\. not a list", id="escapes"),
]


@pytest.mark.parametrize("markdown", ROUND_TRIP)
def test_round_trip(markdown: str) -> None:
    assert adf_to_markdown(markdown_to_adf(markdown)) == markdown


def test_image_round_trips_as_link() -> None:
    assert adf_to_markdown(markdown_to_adf("![alt](pic.png)")) == "[alt](pic.png)"


def test_soft_break_round_trips_as_space() -> None:
    assert adf_to_markdown(markdown_to_adf("a\nb")) == "a b"


def test_task_ids_are_unique_per_document() -> None:
    adf = markdown_to_adf("- [ ] a\n- [ ] b\n\ntext\n\n- [x] c")
    ids = [
        node["attrs"]["localId"]
        for block in adf["content"]
        if block["type"] == "taskList"
        for node in [block, *block["content"]]
    ]
    assert len(ids) == len(set(ids)) == 5
