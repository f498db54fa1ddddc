from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from passthrough.markup import markdown_to_storage, storage_to_markdown


def _code(body: str, language: str = "") -> str:
    parameter = f'<ac:parameter ac:name="language">{language}</ac:parameter>' if language else ""
    return (
        f'<ac:structured-macro ac:name="code">{parameter}'
        f"<ac:plain-text-body><![CDATA[{body}]]></ac:plain-text-body></ac:structured-macro>"
    )


def _well_formed(storage: str) -> None:
    ET.fromstring(
        f'<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource">{storage}</root>'
    )


TO_STORAGE = [
    pytest.param("", "", id="empty"),
    pytest.param("Hello", "<p>Hello</p>", id="paragraph"),
    *[pytest.param("#" * n + " T", f"<h{n}>T</h{n}>", id=f"heading-{n}") for n in range(1, 7)],
    pytest.param("a\nb", "<p>a\nb</p>", id="soft-break"),
    pytest.param("a\\\nb", "<p>a<br />b</p>", id="hard-break"),
    pytest.param(
        "**b** *i* ~~s~~ `c`",
        "<p><strong>b</strong> <em>i</em> <s>s</s> <code>c</code></p>",
        id="inline-marks",
    ),
    pytest.param("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>", id="text-escaped"),
    pytest.param("`<tag>`", "<p><code>&lt;tag&gt;</code></p>", id="code-escaped"),
    pytest.param("[t](https://e.com?a=1&b=2)", '<p><a href="https://e.com?a=1&amp;b=2">t</a></p>', id="link"),
    pytest.param('[t](u "A \\"q\\"")', '<p><a href="u" title="A &quot;q&quot;">t</a></p>', id="link-title"),
    pytest.param("<https://e.com>", '<p><a href="https://e.com">https://e.com</a></p>', id="autolink"),
    pytest.param(
        "![alt](pic.png)",
        '<p><ac:image ac:alt="alt"><ri:attachment ri:filename="pic.png" /></ac:image></p>',
        id="image-attachment",
    ),
    pytest.param(
        "![](https://e.com/p.png)",
        '<p><ac:image><ri:url ri:value="https://e.com/p.png" /></ac:image></p>',
        id="image-url",
    ),
    pytest.param("```python\nif a < b:\n```", _code("if a < b:", "python"), id="code-block"),
    pytest.param("```py\nx\n```", _code("x", "python"), id="code-language-alias"),
    pytest.param("```\nplain\n```", _code("plain"), id="code-no-language"),
    pytest.param("    indented", _code("indented"), id="indented-code"),
    pytest.param("```\na]]>b\n```", _code("a]]]]><![CDATA[>b"), id="code-cdata-end"),
    pytest.param("- a\n- b", "<ul><li>a</li><li>b</li></ul>", id="bullet-list"),
    pytest.param("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>", id="ordered-list"),
    pytest.param("3. c", '<ol start="3"><li>c</li></ol>', id="ordered-start"),
    pytest.param("- a\n  1. b", "<ul><li>a<ol><li>b</li></ol></li></ul>", id="nested-lists"),
    pytest.param("- a\n\n  b", "<ul><li>a<p>b</p></li></ul>", id="loose-item"),
    pytest.param(
        "- [ ] todo\n- [x] done",
        "<ac:task-list>"
        "<ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body>todo</ac:task-body></ac:task>"
        "<ac:task><ac:task-id>2</ac:task-id><ac:task-status>complete</ac:task-status>"
        "<ac:task-body>done</ac:task-body></ac:task>"
        "</ac:task-list>",
        id="task-list",
    ),
    pytest.param("- [ ] a\n- b", "<ul><li>[ ] a</li><li>b</li></ul>", id="mixed-task-list"),
    pytest.param("> q", "<blockquote><p>q</p></blockquote>", id="blockquote"),
    pytest.param("---", "<hr />", id="rule"),
    pytest.param(
        "| h | i |\n|---|---|\n| a | b |",
        "<table><tbody><tr><th>h</th><th>i</th></tr><tr><td>a</td><td>b</td></tr></tbody></table>",
        id="table",
    ),
    pytest.param("<script>x</script>", "<p>&lt;script&gt;x&lt;/script&gt;</p>", id="raw-html-escaped"),
    pytest.param("bad\x0b\x1fchars\x00", "<p>badchars\ufffd</p>", id="invalid-xml-chars-dropped"),
]


@pytest.mark.parametrize(("markdown", "expected"), TO_STORAGE)
def test_markdown_to_storage(markdown: str, expected: str) -> None:
    result = markdown_to_storage(markdown)
    assert result == expected
    _well_formed(result)


FROM_STORAGE = [
    pytest.param(None, "", id="none"),
    pytest.param("", "", id="empty"),
    pytest.param("<p>Hello</p>", "Hello", id="paragraph"),
    pytest.param("plain text", "plain text", id="bare-text"),
    *[pytest.param(f"<h{n}>T</h{n}>", "#" * n + " T", id=f"heading-{n}") for n in range(1, 7)],
    pytest.param("<p>a\n  b</p>", "a b", id="whitespace-collapsed"),
    pytest.param("<p>a<br/>b</p><p>c<br>d</p>", "a\\\nb\n\nc\\\nd", id="line-breaks"),
    pytest.param(
        "<p><strong>b</strong> <b>b</b> <em>i</em> <i>i</i> <s>s</s> <del>d</del> <u>u</u> <code>c</code></p>",
        "**b** **b** *i* *i* ~~s~~ ~~d~~ u `c`",
        id="inline-marks",
    ),
    pytest.param('<p><span style="text-decoration: line-through;">x</span></p>', "~~x~~", id="line-through-span"),
    pytest.param("<p>&nbsp;</p><p>a&nbsp;&amp;&lt;b&gt;&copy;</p>", "a &\\<b>©", id="entities"),
    pytest.param('<p><a href="https://e.com">t</a></p>', "[t](https://e.com)", id="link"),
    pytest.param('<p><a name="anchor">x</a></p>', "x", id="anchor-without-href"),
    pytest.param('<p><img src="x.png" alt="A"/></p>', "![A](x.png)", id="img"),
    pytest.param(_code("a < b\n  c", "java"), "```java\na < b\n  c\n```", id="code-macro"),
    pytest.param(_code("\nx\n"), "```\nx\n```", id="code-macro-trims-newlines"),
    pytest.param(
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a]]]]><![CDATA[>b]]>'
        "</ac:plain-text-body></ac:structured-macro>",
        "```\na]]>b\n```",
        id="code-macro-split-cdata",
    ),
    pytest.param(
        '<ac:structured-macro ac:name="noformat"><ac:plain-text-body><![CDATA[*raw*]]>'
        "</ac:plain-text-body></ac:structured-macro>",
        "```\n*raw*\n```",
        id="noformat-macro",
    ),
    pytest.param("<pre>  x\n  y</pre>", "```\n  x\n  y\n```", id="pre"),
    *[
        pytest.param(
            f'<ac:structured-macro ac:name="{name}"><ac:rich-text-body><p>Body</p></ac:rich-text-body>'
            "</ac:structured-macro>",
            f"> **{label}:** Body",
            id=f"panel-{name}",
        )
        for name, label in [("info", "Info"), ("note", "Note"), ("warning", "Warning"), ("tip", "Tip")]
    ],
    pytest.param(
        '<ac:structured-macro ac:name="note"><ac:parameter ac:name="title">Heads up</ac:parameter>'
        "<ac:rich-text-body><p>Body</p></ac:rich-text-body></ac:structured-macro>",
        "> **Note: Heads up**\n>\n> Body",
        id="panel-title",
    ),
    pytest.param(
        '<ac:structured-macro ac:name="panel"><ac:rich-text-body><p>Boxed</p></ac:rich-text-body>'
        "</ac:structured-macro>",
        "> Boxed",
        id="panel-plain",
    ),
    pytest.param(
        '<p>See <ac:link><ri:page ri:content-title="Other Page" /></ac:link>.</p>',
        "See Other Page.",
        id="page-link-title",
    ),
    pytest.param(
        '<p><ac:link><ri:page ri:content-title="P" ri:space-key="S" />'
        "<ac:plain-text-link-body><![CDATA[the text]]></ac:plain-text-link-body></ac:link></p>",
        "the text",
        id="page-link-body",
    ),
    pytest.param(
        '<p><ac:link><ri:page ri:content-title="P" /><ac:link-body><strong>rich</strong></ac:link-body></ac:link></p>',
        "**rich**",
        id="page-link-rich-body",
    ),
    pytest.param('<p><ac:link><ri:user ri:username="jdoe" /></ac:link></p>', "@jdoe", id="user-link"),
    pytest.param('<p><ac:link><ri:attachment ri:filename="r.pdf" /></ac:link></p>', "r.pdf", id="attachment-link"),
    pytest.param('<p><ac:link><ri:url ri:value="https://e.com" /></ac:link></p>', "<https://e.com>", id="url-link"),
    pytest.param(
        '<p><ac:image ac:width="300"><ri:attachment ri:filename="d.png" /></ac:image></p>',
        "![](d.png)",
        id="image-attachment",
    ),
    pytest.param(
        '<ac:image ac:alt="Logo"><ri:url ri:value="https://e.com/l.png" /></ac:image>',
        "![Logo](https://e.com/l.png)",
        id="image-url",
    ),
    pytest.param(
        "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status>"
        "<ac:task-body>Done</ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id>"
        "<ac:task-status>incomplete</ac:task-status><ac:task-body>Open <strong>it</strong></ac:task-body>"
        "</ac:task></ac:task-list>",
        "- [x] Done\n- [ ] Open **it**",
        id="task-list",
    ),
    pytest.param('<ac:structured-macro ac:name="toc" />', "[macro: toc]", id="macro-placeholder"),
    pytest.param(
        '<ac:structured-macro ac:name="mystery"><ac:plain-text-body><![CDATA[body text]]>'
        "</ac:plain-text-body></ac:structured-macro>",
        "body text",
        id="macro-plain-body",
    ),
    pytest.param(
        '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">More</ac:parameter>'
        "<ac:rich-text-body><p>hidden</p></ac:rich-text-body></ac:structured-macro>",
        "**More**\n\nhidden",
        id="macro-rich-body",
    ),
    pytest.param(
        '<p>State: <ac:structured-macro ac:name="status"><ac:parameter ac:name="title">DONE</ac:parameter>'
        '</ac:structured-macro> for <ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">AB-1'
        "</ac:parameter></ac:structured-macro></p>",
        "State: DONE for AB-1",
        id="inline-macros",
    ),
    pytest.param(
        '<p><ac:emoticon ac:name="smile" ac:emoji-fallback="🙂" /> <ac:emoticon ac:name="tick" /></p>',
        "🙂 :tick:",
        id="emoticons",
    ),
    pytest.param('<p><time datetime="2024-05-01" /></p>', "2024-05-01", id="time"),
    pytest.param("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n  - b\n- c", id="nested-list"),
    pytest.param("<ul><li><p>a</p><p>b</p></li></ul>", "- a\n\n  b", id="list-item-paragraphs"),
    pytest.param('<ol start="2"><li>b</li></ol>', "2. b", id="ordered-start"),
    pytest.param("<blockquote><p>q</p></blockquote>", "> q", id="blockquote"),
    pytest.param("<p>a</p><hr/><p>b</p>", "a\n\n---\n\nb", id="rule"),
    pytest.param(
        "<table><tbody><tr><th><p>H</p></th><th>I</th></tr><tr><td><p>a</p><p>b</p></td><td>c|d</td></tr>"
        "</tbody></table>",
        "| H | I |\n| --- | --- |\n| a<br>b | c\\|d |",
        id="table",
    ),
    pytest.param(
        "<table><thead><tr><th>H</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table>",
        "| H |\n| --- |\n| x |",
        id="table-thead",
    ),
    pytest.param(
        "<ac:layout><ac:layout-section><ac:layout-cell><p>left</p></ac:layout-cell>"
        "<ac:layout-cell><p>right</p></ac:layout-cell></ac:layout-section></ac:layout>",
        "left\n\nright",
        id="layout",
    ),
    pytest.param("<p>Unclosed <b>bold", "Unclosed **bold**", id="unclosed-tags"),
    pytest.param("<p>a</div></span>b</p>", "ab", id="stray-end-tags"),
    pytest.param("<p>*literal* [x](y)</p>", "\\*literal\\* [x\\](y)", id="markdown-chars-escaped"),
]


@pytest.mark.parametrize(("storage", "expected"), FROM_STORAGE)
def test_storage_to_markdown(storage: str | None, expected: str) -> None:
    assert storage_to_markdown(storage) == expected


ROUND_TRIP = [
    pytest.param("# Title\n\n###### Small", id="headings"),
    pytest.param("Plain **bold** *em* ~~strike~~ `code` text.", id="inline-marks"),
    pytest.param("***both*** and **bold *nested***", id="nested-marks"),
    pytest.param("line\\\nbreak", id="hard-break"),
    pytest.param("[link](https://e.com) and <https://auto.example>", id="links"),
    pytest.param("![alt](pic.png) and ![](https://e.com/x.png)", id="images"),
    pytest.param("```python\nif a < b and c > d:\n    s = ']]>'\n```", id="code-block"),
    pytest.param("- a\n- b\n  - c\n    1. d\n    2. e", id="nested-lists"),
    pytest.param("7. seven\n8. eight", id="ordered-start"),
    pytest.param("- [ ] todo\n- [x] done", id="tasks"),
    pytest.param("> quoted\n>\n> - item", id="blockquote"),
    pytest.param("before\n\n---\n\nafter", id="rule"),
    pytest.param("| h1 | h2 |\n| --- | --- |\n| a | b |\n| c<br>d |  |", id="table"),
    pytest.param("Text with & and \\<tag> and \\&amp; and \\*stars\\*", id="escapes"),
]


@pytest.mark.parametrize("markdown", ROUND_TRIP)
def test_round_trip(markdown: str) -> None:
    assert storage_to_markdown(markdown_to_storage(markdown)) == markdown
