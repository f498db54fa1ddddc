"""ClickUp's rich comment format, to and from Markdown.

ClickUp renders a comment's formatting only from its `comment` array: runs of text, each with
`attributes` (`bold`, `italic`, `code`, `link`: the address), and line formats carried by the `"\\n"`
that ends a line (`{"list": {"list": "bullet" | "ordered" | "checked" | "unchecked"}}`,
`{"code-block": {"code-block": "<language>"}}`); `comment_text` is plain text, and sent together with
the array it is shown a second time. ClickUp has no heading or table in comments: a heading is sent as a
bold line, a table as an aligned code block; struck-through text keeps its `~~`. Mentions arrive as
runs of `"type": "tag"` (read as `@name`), emoji as `"type": "emoticon"`.

Markdown in goes through the shared Markdown parser (`passthrough.markup`: linear, step-bounded, nesting
at most `MAX_DEPTH`); the walk over its model recurses at most that deep. Blocks out are read in one
pass over the runs, each line once, into the same model and written by the shared Markdown writer, so
text is escaped where it would otherwise read as markup. Reading never raises; beyond
`MAX_UPSTREAM_CHARS` the text is cut off with a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from passthrough.markup import MAX_DEPTH
from passthrough.markup._limits import (
    MAX_UPSTREAM_CHARS,
    TRUNCATED_NOTE,
    check_client_text,
    collecting_notes,
    cut,
    note,
    with_notes,
)
from passthrough.markup._markdown import parse_markdown
from passthrough.markup._markdown_render import render_markdown
from passthrough.markup._model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    CodeBlock,
    Emph,
    HardBreak,
    Heading,
    Image,
    Inline,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Rule,
    SoftBreak,
    Strike,
    Strong,
    Table,
    Text,
    blocks_to_inlines,
)

Run = dict[str, Any]
_LIST_KINDS = frozenset({"bullet", "ordered", "checked", "unchecked"})
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_MAX_EMOJI = 0x10FFFF


# ---------------------------------------------------------------------- Markdown -> runs


def markdown_to_comment(markdown: str) -> list[Run]:
    """The `comment` array for `markdown` (text a client sent: raises `TextTooLong`, `NestingTooDeep` or
    `TooComplex` beyond the markup limits)."""
    check_client_text(markdown)
    writer = _Writer()
    for index, block in enumerate(parse_markdown(markdown, strict=True)):
        if index:
            writer.newline({})  # an empty line between blocks, as people type them in ClickUp
        writer.block(block, 0, {})
    return writer.runs


def plain_text(runs: Iterable[Run]) -> str:
    """The text of `comment` runs without their formatting (what ClickUp shows as `comment_text`)."""
    return "".join(run.get("text", "") for run in runs if isinstance(run.get("text"), str))


class _Writer:
    def __init__(self) -> None:
        self.runs: list[Run] = []

    def emit(self, text: str, attributes: dict[str, Any]) -> None:
        if not text:
            return
        last = self.runs[-1] if self.runs else None
        if last is not None and last["attributes"] == attributes and "\n" not in last["text"] and "\n" not in text:
            last["text"] += text
        else:
            self.runs.append({"text": text, "attributes": dict(attributes)})

    def newline(self, line: dict[str, Any]) -> None:
        self.runs.append({"text": "\n", "attributes": dict(line)})

    def block(self, block: Block, depth: int, line: dict[str, Any]) -> None:
        if isinstance(block, Paragraph):
            self.inlines(block.children, {}, 0)
            self.newline(line)
        elif isinstance(block, Heading):  # ClickUp comments have no heading: a bold line
            self.inlines(block.children, {"bold": True}, 0)
            self.newline(line)
        elif isinstance(block, CodeBlock):
            self.code_lines(block.text.rstrip("\n").split("\n"), block.language)
        elif isinstance(block, BulletList | OrderedList):
            self.list_lines(block, depth)
        elif isinstance(block, BlockQuote):
            for child in block.children:
                self.block(child, depth, {"blockquote": True} if depth < MAX_DEPTH else line)
        elif isinstance(block, Rule):
            self.emit("---", {})
            self.newline(line)
        elif isinstance(block, Table):
            self.code_lines(_table_lines(block), "plain")

    def code_lines(self, lines: list[str], language: str) -> None:
        words = language.split()
        kind = {"code-block": {"code-block": words[0][:40] if words else "plain"}}
        for text in lines:
            self.emit(text, {})
            self.newline(kind)

    def list_lines(self, block: BulletList | OrderedList, depth: int) -> None:
        for item in block.items:
            kind = "ordered" if isinstance(block, OrderedList) else "bullet"
            if item.checked is not None:
                kind = "checked" if item.checked else "unchecked"
            line: dict[str, Any] = {"list": {"list": kind}}
            if depth:
                line["indent"] = depth
            rest = self.item_line(item, line)
            for child in rest:
                if isinstance(child, BulletList | OrderedList) and depth + 1 < MAX_DEPTH:
                    self.list_lines(child, depth + 1)
                elif isinstance(child, BulletList | OrderedList):
                    self.inlines(blocks_to_inlines([child]), {}, 0)
                    self.newline({})
                else:
                    self.block(child, depth + 1, {})

    def item_line(self, item: ListItem, line: dict[str, Any]) -> list[Block]:
        """The item's first paragraph as one list line; the blocks after it."""
        children = list(item.children)
        first = children[0] if children else None
        if isinstance(first, Paragraph | Heading):
            self.inlines(first.children, {"bold": True} if isinstance(first, Heading) else {}, 0)
            children = children[1:]
        self.newline(line)
        return children

    def inlines(self, nodes: Iterable[Inline], marks: dict[str, Any], depth: int) -> None:
        for node in nodes:
            if isinstance(node, Text):
                self.emit(node.text.replace("\n", " "), marks)
            elif isinstance(node, Code):
                self.emit(node.text.replace("\n", " "), {**marks, "code": True})
            elif isinstance(node, SoftBreak):
                self.emit(" ", marks)
            elif isinstance(node, HardBreak):
                self.newline({})
            elif isinstance(node, Image):
                self.emit(node.alt or node.src, _linked(marks, node.src))
            elif depth >= MAX_DEPTH:  # the parser flattens deeper spans; never recurse past it
                self.inlines(_flat(node), marks, depth)
            elif isinstance(node, Strong):
                self.inlines(node.children, {**marks, "bold": True}, depth + 1)
            elif isinstance(node, Emph):
                self.inlines(node.children, {**marks, "italic": True}, depth + 1)
            elif isinstance(node, Strike):  # no strike-through in ClickUp's documented format: keep the marks
                self.emit("~~", marks)
                self.inlines(node.children, marks, depth + 1)
                self.emit("~~", marks)
            elif isinstance(node, Link):
                self.inlines(node.children, _linked(marks, node.href), depth + 1)


def _linked(marks: dict[str, Any], href: str) -> dict[str, Any]:
    """`marks` with a link to `href` when it is a web or mail address (nothing else is sent as a link)."""
    href = href.strip()
    return {**marks, "link": href} if href.lower().startswith(_LINK_SCHEMES) else marks


def _flat(node: Inline) -> list[Inline]:
    """The text of a span too deep to walk, without its marks (iterative)."""
    out: list[Inline] = []
    stack: list[Inline] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Strong | Emph | Strike | Link):
            stack.extend(reversed(current.children))
        else:
            out.append(current)
    return out


def _cell_text(nodes: list[Inline]) -> str:
    return "".join(n.text if isinstance(n, Text | Code) else " " for n in _flat(Strong(list(nodes))))


def _table_lines(table: Table) -> list[str]:
    rows = [[_cell_text(cell.children).strip() for cell in row] for row in table.rows]
    width = max((len(row) for row in rows), default=0)
    sizes = [max((len(row[i]) for row in rows if i < len(row)), default=0) for i in range(width)]
    lines = []
    for number, row in enumerate(rows):
        lines.append(" | ".join(row[i].ljust(sizes[i]) if i < len(row) else " " * sizes[i] for i in range(width)))
        if number == 0 and len(rows) > 1:
            lines.append("-+-".join("-" * size for size in sizes))
    return [line.rstrip() for line in lines]


# ---------------------------------------------------------------------- runs -> Markdown


def comment_to_markdown(runs: Any, fallback: Any = "") -> str:
    """A comment's `comment` runs as Markdown; `fallback` (its `comment_text`) when there are none. Never raises."""
    with collecting_notes() as notes:
        try:
            if isinstance(runs, list) and runs:
                return with_notes(render_markdown(_Reader().read(runs)), notes)
        except Exception:  # an answer of a shape we do not know: its plain text, never a failure
            return with_notes(cut(plain_text(r for r in runs if isinstance(r, dict)).strip()), notes)
        return with_notes(cut(fallback.strip()) if isinstance(fallback, str) else "", notes)


class _Line:
    __slots__ = ("format", "inlines")

    def __init__(self) -> None:
        self.inlines: list[Inline] = []
        self.format: dict[str, Any] = {}


class _Reader:
    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self.current = _Line()
        self.size = 0

    def read(self, runs: list[Any]) -> list[Block]:
        for run in runs:
            if self.size > MAX_UPSTREAM_CHARS:
                note(TRUNCATED_NOTE)
                break
            self.size += 1
            if isinstance(run, dict):
                self.run(run)
        if self.current.inlines:
            self.lines.append(self.current)
        return _blocks(self.lines)

    def run(self, run: dict[str, Any]) -> None:
        kind = run.get("type")
        attributes = _obj(run.get("attributes"))
        if kind == "tag":
            user = _obj(run.get("user"))
            name = user.get("username") or user.get("email") or user.get("id") or run.get("text") or "someone"
            self.inline(Text(f"@{name}".replace("@@", "@", 1)), {})
            return
        if kind == "emoticon":
            self.inline(Text(_emoji(run)), {})
            return
        text = run.get("text")
        if not isinstance(text, str):
            return
        self.size += len(text)
        pieces = text.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                self.end_line(attributes)
            if piece:
                self.inline(Text(piece), attributes)

    def inline(self, node: Inline, attributes: dict[str, Any]) -> None:
        if attributes.get("code") is True and isinstance(node, Text):
            node = Code(node.text)
        if attributes.get("strikethrough") is True or attributes.get("strike") is True:
            node = Strike([node])
        if attributes.get("italic") is True:
            node = Emph([node])
        if attributes.get("bold") is True:
            node = Strong([node])
        link = attributes.get("link")
        href = link.get("url") if isinstance(link, dict) else link
        if isinstance(href, str) and href.strip():
            node = Link(href.strip(), [node])
        self.current.inlines.append(node)

    def end_line(self, attributes: dict[str, Any]) -> None:
        self.current.format = attributes
        self.lines.append(self.current)
        self.current = _Line()


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _emoji(run: dict[str, Any]) -> str:
    emoticon = _obj(run.get("emoticon"))
    code = emoticon.get("code")
    if isinstance(code, str) and 0 < len(code) <= 6 and all(c in "0123456789abcdefABCDEF" for c in code):
        value = int(code, 16)
        if value <= _MAX_EMOJI and not 0xD800 <= value <= 0xDFFF:
            return chr(value)
    text = run.get("text")
    return text if isinstance(text, str) else ""


def _line_kind(line: _Line) -> tuple[str, str]:
    """(kind, detail) of a line: ("list", "bullet"), ("code", "python"), ("quote", ""), ("heading", "2"), ..."""
    f = line.format
    listed = f.get("list")
    kind = listed.get("list") if isinstance(listed, dict) else listed
    if isinstance(kind, str) and kind in _LIST_KINDS:
        return "list", kind
    code = f.get("code-block")
    if code:
        language = code.get("code-block") if isinstance(code, dict) else code
        return "code", language if isinstance(language, str) and language != "plain" else ""
    if f.get("blockquote"):
        return "quote", ""
    header = f.get("header")
    if isinstance(header, int) and not isinstance(header, bool) and 1 <= header <= 6:
        return "heading", str(header)
    return "text", ""


def _indent(line: _Line) -> int:
    indent = line.format.get("indent")
    return min(indent, 8) if isinstance(indent, int) and not isinstance(indent, bool) and indent > 0 else 0


def _blocks(lines: list[_Line]) -> list[Block]:
    """Lines grouped into blocks in one pass: runs of list lines into lists, of code lines into a code block,
    of quoted lines into a quote; each other line a paragraph (empty lines only separate)."""
    out: list[Block] = []
    index = 0
    while index < len(lines):
        kind, detail = _line_kind(lines[index])
        end = index + 1
        while end < len(lines) and _line_kind(lines[end])[0] == kind and kind in ("list", "code", "quote"):
            end += 1
        group = lines[index:end]
        if kind == "list":
            out.extend(_lists(group))
        elif kind == "code":
            out.append(CodeBlock("\n".join(_plain(line.inlines) for line in group), detail))
        elif kind == "quote":
            out.append(BlockQuote([Paragraph(line.inlines) for line in group if line.inlines]))
        elif kind == "heading":
            out.append(Heading(int(detail), lines[index].inlines))
        elif lines[index].inlines:
            out.append(Paragraph(lines[index].inlines))
        index = end
    return out


def _plain(nodes: list[Inline]) -> str:
    return "".join(n.text if isinstance(n, Text | Code) else "" for node in nodes for n in _flat(node))


def _lists(group: list[_Line]) -> list[Block]:
    """Consecutive list lines as lists, nested by their indent (a stack, no recursion)."""
    roots: list[Block] = []
    stack: list[tuple[int, BulletList | OrderedList]] = []  # (indent, list) from the outermost
    for line in group:
        _, kind = _line_kind(line)
        level = _indent(line)
        item = ListItem([Paragraph(line.inlines)], None if kind in ("bullet", "ordered") else kind == "checked")
        while stack and stack[-1][0] > level:
            stack.pop()
        ordered = kind == "ordered"
        top = stack[-1] if stack else None
        if top is not None and top[0] == level and isinstance(top[1], OrderedList) == ordered:
            top[1].items.append(item)
            continue
        if top is not None and top[0] == level:
            stack.pop()
        fresh: BulletList | OrderedList = OrderedList([item]) if ordered else BulletList([item])
        parent = stack[-1][1] if stack else None
        if parent is not None and parent.items:
            parent.items[-1].children.append(fresh)
        else:
            roots.append(fresh)
        stack.append((level, fresh))
    return roots
