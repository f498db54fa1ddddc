from __future__ import annotations

import pytest

from passthrough.markup import markdown_to_wiki, wiki_to_markdown

TO_WIKI = [
    pytest.param("", "", id="empty"),
    pytest.param("Hello", "Hello", id="paragraph"),
    pytest.param("one\n\ntwo", "one\n\ntwo", id="paragraphs"),
    *[pytest.param("#" * n + " Title", f"h{n}. Title", id=f"heading-{n}") for n in range(1, 7)],
    pytest.param("a\nb", "a b", id="soft-break-is-space"),
    pytest.param("a\\\nb", "a\nb", id="hard-break-is-newline"),
    pytest.param("**b** *i* ~~s~~ `c`", "*b* _i_ -s- {{c}}", id="inline-marks"),
    pytest.param("***both***", "_*both*_", id="nested-marks"),
    pytest.param("a**b**c and **x**y", "a{*}b{*}c and {*}x{*}y", id="intraword-marks-braced"),
    pytest.param("[x]()", "x", id="empty-link-is-text"),
    pytest.param("[text](https://e.com)", "[text|https://e.com]", id="link"),
    pytest.param("[a|b \\[c\\]](http://u)", "[a\\|b \\[c\\]|http://u]", id="link-text-escaped"),
    pytest.param("[t](<http://u/a b|c>)", "[t|http://u/a%20b%7Cc]", id="link-url-encoded"),
    pytest.param("<https://e.com>", "[https://e.com]", id="autolink"),
    pytest.param("<me@e.com>", "[mailto:me@e.com]", id="email-autolink"),
    pytest.param("[**b** t](u)", "[*b* t|u]", id="formatted-link-text"),
    pytest.param("![alt](pic.png)", "!pic.png|alt=alt!", id="image"),
    pytest.param("![](https://e.com/p.png)", "!https://e.com/p.png!", id="image-url"),
    pytest.param("```python\nx = {1}\n```", "{code:python}\nx = {1}\n{code}", id="code-block"),
    pytest.param("```\nraw *x*\n```", "{noformat}\nraw *x*\n{noformat}", id="code-block-no-language"),
    pytest.param("    indented", "{noformat}\nindented\n{noformat}", id="indented-code"),
    pytest.param("- a\n- b", "* a\n* b", id="bullet-list"),
    pytest.param("1. a\n2. b", "# a\n# b", id="ordered-list"),
    pytest.param("- a\n  - b\n    1. c\n- d", "* a\n** b\n**# c\n* d", id="nested-lists"),
    pytest.param("1. a\n   - b", "# a\n#* b", id="bullet-in-ordered"),
    pytest.param("- a\n\n  more", "* a\\\\more", id="item-with-two-paragraphs"),
    pytest.param("- [ ] todo\n- [x] done", "* \\[ \\] todo\n* \\[x\\] done", id="tasks"),
    pytest.param("> quoted", "bq. quoted", id="blockquote-short"),
    pytest.param("> a\n>\n> b", "{quote}\na\n\nb\n{quote}", id="blockquote-long"),
    pytest.param("> a\n> > b", "{quote}\na\n\nb\n{quote}", id="blockquote-nested-flattened"),
    pytest.param("---", "----", id="rule"),
    pytest.param(
        "| h1 | h2 |\n|---|---|\n| a | b |\n| c<br>d |  |",
        "||h1||h2||\n|a|b|\n|c\\\\d| |",
        id="table",
    ),
    pytest.param("| a \\| b |\n|---|\n| x |", "||a \\| b||\n|x|", id="table-pipe"),
    pytest.param("a \\* b *c* d", "a * b _c_ d", id="lone-star-kept"),
    pytest.param("\\*not bold\\*", "\\*not bold\\*", id="literal-stars"),
    pytest.param("\\_x\\_ snake_case", "\\_x\\_ snake_case", id="underscores"),
    pytest.param("well-known -x- 2020-01-02", "well-known \\-x\\- 2020-01-02", id="dashes"),
    pytest.param("{macro} [not link] a|b", "\\{macro\\} \\[not link\\] a\\|b", id="always-escaped"),
    pytest.param("C++ and x^2", "C++ and x^2", id="harmless-runs"),
    pytest.param("Wow! !img.png!", "Wow! \\!img.png!", id="image-like"),
    pytest.param("\\- item", "\\- item", id="line-start-dash"),
    pytest.param("\\# item", "\\# item", id="line-start-hash"),
    pytest.param("h1. not heading", "h1\\. not heading", id="line-start-heading-word"),
    pytest.param("see https://e.com/a_b_c.", "see https://e.com/a_b_c.", id="bare-url-untouched"),
    pytest.param("<b>html</b>", "<b>html</b>", id="html-as-text"),
]


@pytest.mark.parametrize(("markdown", "expected"), TO_WIKI)
def test_markdown_to_wiki(markdown: str, expected: str) -> None:
    assert markdown_to_wiki(markdown) == expected


FROM_WIKI = [
    pytest.param(None, "", id="none"),
    pytest.param("", "", id="empty"),
    pytest.param("Hello", "Hello", id="paragraph"),
    *[pytest.param(f"h{n}. Title", "#" * n + " Title", id=f"heading-{n}") for n in range(1, 7)],
    pytest.param("h3.Title", "h3.Title", id="heading-needs-space"),
    pytest.param("line one\nline two", "line one\\\nline two", id="newline-is-break"),
    pytest.param("a\\\\b", "a\\\nb", id="double-backslash-break"),
    pytest.param("one\n\ntwo", "one\n\ntwo", id="paragraphs"),
    pytest.param("*b* _i_ -s- {{c}}", "**b** *i* ~~s~~ `c`", id="inline-marks"),
    pytest.param("+under+ ^sup^ ~sub~", "under sup sub", id="plain-marks"),
    pytest.param("_*both*_", "***both***", id="nested-marks"),
    pytest.param("*bold with _italic_ inside*", "**bold with *italic* inside**", id="marks-nest"),
    pytest.param("snake_case_name", "snake_case_name", id="intraword-underscore"),
    pytest.param("a{*}b{*}c {_}x{_}y", "a**b**c *x*y", id="braced-marks"),
    pytest.param("{*}open", "{\\*}open", id="braced-unclosed"),
    pytest.param("well-known 2020-01-02 a - b", "well-known 2020-01-02 a - b", id="dashes-not-strike"),
    pytest.param("a * b * c", "a * b * c", id="spaced-stars"),
    pytest.param("*unclosed", "\\*unclosed", id="unclosed-mark"),
    pytest.param("{{a*b*}}", "`a*b*`", id="monospace-raw"),
    pytest.param("[text|https://e.com]", "[text](https://e.com)", id="link"),
    pytest.param("[https://e.com]", "<https://e.com>", id="bare-link"),
    pytest.param("[*b*|https://e.com|tip]", "[**b**](https://e.com)", id="link-with-tip"),
    pytest.param("[www.e.com]", "[www.e.com](http://www.e.com)", id="www-link"),
    pytest.param("[mailto:me@e.com]", "<mailto:me@e.com>", id="mailto"),
    pytest.param("[not a link]", "[not a link]", id="brackets-not-link"),
    pytest.param("[~jdoe] and [~accountid:5b10a2]", "@jdoe and @5b10a2", id="mentions"),
    pytest.param("[^report.pdf]", "report.pdf", id="attachment-link"),
    pytest.param("see https://e.com/x_y_z.", "see <https://e.com/x_y_z>.", id="bare-url"),
    pytest.param("!pic.png!", "![](pic.png)", id="image"),
    pytest.param("!pic.png|thumbnail!", "![](pic.png)", id="image-thumbnail"),
    pytest.param("!pic.png|alt=A cat, width=300!", "![A cat](pic.png)", id="image-alt"),
    pytest.param("Wow! Great!", "Wow! Great!", id="exclamations"),
    pytest.param("{color:red}red{color} text", "red text", id="color"),
    pytest.param("\\*lit\\* \\{x\\}", "\\*lit\\* {x}", id="escapes"),
    pytest.param("{code:python}\nx = 1\n{code}", "```python\nx = 1\n```", id="code"),
    pytest.param("{code:language=java|title=A.java}\nint x;\n{code}", "```java\nint x;\n```", id="code-params"),
    pytest.param("{code}\nplain *x*\n{code}", "```\nplain *x*\n```", id="code-no-language"),
    pytest.param("{code}inline{code}", "```\ninline\n```", id="code-one-line"),
    pytest.param("{noformat}\n*raw*\n{noformat}", "```\n*raw*\n```", id="noformat"),
    pytest.param("{code}\nnever closed", "```\nnever closed\n```", id="code-unclosed"),
    pytest.param("before\n{code}\nx\n{code}\nafter", "before\n\n```\nx\n```\n\nafter", id="code-between-text"),
    pytest.param("* a\n* b", "- a\n- b", id="bullet-list"),
    pytest.param("# a\n# b", "1. a\n2. b", id="ordered-list"),
    pytest.param("- a\n- b", "- a\n- b", id="dash-list"),
    pytest.param("* a\n** b\n*# c\n* d", "- a\n  - b\n  1. c\n- d", id="nested-lists"),
    pytest.param("** deep", "- - deep", id="list-starting-deep"),
    pytest.param("# a\n* b", "1. a\n\n- b", id="list-type-change"),
    pytest.param("* [ ] todo\n* [x] done", "- [ ] todo\n- [x] done", id="tasks"),
    pytest.param("*bold* line", "**bold** line", id="bold-not-list"),
    pytest.param("bq. quoted", "> quoted", id="bq"),
    pytest.param("bq. a\nbq. b", "> a\n>\n> b", id="bq-lines-merge"),
    pytest.param("{quote}\na\n\nb\n{quote}", "> a\n>\n> b", id="quote"),
    pytest.param("{quote}short{quote}", "> short", id="quote-one-line"),
    pytest.param("{info}\nCareful\n{info}", "> **Info:** Careful", id="info-panel"),
    pytest.param("{warning:title=Hot}\nCareful\n{warning}", "> **Warning: Hot**\n>\n> Careful", id="titled-panel"),
    pytest.param("{panel:title=Box}\ntext\n{panel}", "> **Box**\n>\n> text", id="panel"),
    pytest.param("----", "---", id="rule"),
    pytest.param("||h1||h2||\n|a|b|", "| h1 | h2 |\n| --- | --- |\n| a | b |", id="table"),
    pytest.param("| a | b |", "| a | b |\n| --- | --- |", id="table-no-header"),
    pytest.param("||h||\n|[x|http://e.com]|", "| h |\n| --- |\n| [x](http://e.com) |", id="table-link-pipe"),
    pytest.param("|a\\\\b|c \\| d|", "| a<br>b | c \\| d |\n| --- | --- |", id="table-escapes"),
    pytest.param("|one|\n|two|three|", "| one |  |\n| --- | --- |\n| two | three |", id="table-ragged"),
]


@pytest.mark.parametrize(("wiki", "expected"), FROM_WIKI)
def test_wiki_to_markdown(wiki: str | None, expected: str) -> None:
    assert wiki_to_markdown(wiki) == expected


ROUND_TRIP = [
    pytest.param("# Title\n\n###### Small", id="headings"),
    pytest.param("Plain **bold** *em* ~~strike~~ `code` text.", id="inline-marks"),
    pytest.param("***both*** and **bold *nested***", id="nested-marks"),
    pytest.param("intra**word**marks and ~~mid~~dle", id="intraword-marks"),
    pytest.param("line\\\nbreak", id="hard-break"),
    pytest.param("[link](https://e.com) and <https://auto.example>", id="links"),
    pytest.param("[a|b \\[c\\]](http://u) and [x|y]", id="link-like-text"),
    pytest.param("![alt](pic.png) and ![](https://e.com/x.png)", id="images"),
    pytest.param("```python\ndef f():\n    return {'a': 1}\n```", id="code-block"),
    pytest.param("```\nno language\n```", id="code-block-no-language"),
    pytest.param("- a\n- b\n  - c\n    1. d\n    2. e", id="nested-lists"),
    pytest.param("- [ ] todo\n- [x] done", id="tasks"),
    pytest.param("> quoted", id="blockquote"),
    pytest.param("> a\n>\n> b", id="blockquote-long"),
    pytest.param("before\n\n---\n\nafter", id="rule"),
    pytest.param("| h1 | h2 |\n| --- | --- |\n| a | b |\n| c<br>d |  |", id="table"),
    pytest.param("Literal \\*stars\\* and \\_under\\_ and {braces} and [brackets]", id="literals"),
    pytest.param("snake_case and C++ and well-known and 2 * 3", id="harmless-text"),
    pytest.param("\\# not heading\n\n\\- not list\n\nh1. not heading", id="line-starts"),
]


@pytest.mark.parametrize("markdown", ROUND_TRIP)
def test_round_trip(markdown: str) -> None:
    assert wiki_to_markdown(markdown_to_wiki(markdown)) == markdown


WIKI_ROUND_TRIP = [
    pytest.param("h2. Title\n\n*bold* _em_ -strike- {{code}}", id="basics"),
    pytest.param("* a\n** b\n*# c", id="lists"),
    pytest.param("||h||\n|c|", id="table"),
    pytest.param("{code:java}\nint x;\n{code}", id="code"),
    pytest.param("[text|https://e.com]", id="link"),
]


@pytest.mark.parametrize("wiki", WIKI_ROUND_TRIP)
def test_wiki_round_trip(wiki: str) -> None:
    assert markdown_to_wiki(wiki_to_markdown(wiki)) == wiki


def test_bare_urls_become_links_as_jira_renders_them() -> None:
    assert wiki_to_markdown(markdown_to_wiki("see http://e.com/a_b.")) == "see <http://e.com/a_b>."
