"""Markdown in: markdown-it-py (CommonMark plus tables and strikethrough) to the model."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from ._model import (
    MAX_DEPTH,
    Block,
    BlockQuote,
    BulletList,
    Cell,
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
    plain_text,
    split_task_marker,
    squash_text,
)

# markdown-it drops content nested deeper than maxNesting; keep that in line with our own cap.
_PARSER = MarkdownIt("commonmark", {"maxNesting": MAX_DEPTH}).enable(["table", "strikethrough"])
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TASK_SOURCE_RE = re.compile(r"\[[ xX]\](?:\s|$)")


def parse_markdown(markdown: str) -> list[Block]:
    if not isinstance(markdown, str) or not markdown.strip():
        return []
    root = SyntaxTreeNode(_PARSER.parse(markdown))
    return _blocks(root.children, 0)


def _blocks(nodes: list[SyntaxTreeNode], depth: int) -> list[Block]:
    out: list[Block] = []
    for node in nodes:
        out.extend(_block(node, depth + 1))
    return out


def _block(node: SyntaxTreeNode, depth: int) -> list[Block]:
    kind = node.type
    if depth > MAX_DEPTH:
        return [Paragraph([Text(squash_text(_source_text(node)))])]
    if kind == "paragraph":
        return [Paragraph(_inline_children(node, depth))]
    if kind == "heading":
        level = int(node.tag[1:]) if node.tag[1:].isdigit() else 1
        return [Heading(level, _inline_children(node, depth))]
    if kind == "fence":
        info = node.info.strip()
        return [CodeBlock(_strip_newline(node.content), info.split()[0] if info else "")]
    if kind == "code_block":
        return [CodeBlock(_strip_newline(node.content))]
    if kind in ("bullet_list", "ordered_list"):
        items = [_item(child, depth) for child in node.children if child.type == "list_item"]
        if kind == "bullet_list":
            return [BulletList(items)]
        start = node.attrs.get("start", 1)
        return [OrderedList(items, start if isinstance(start, int) else 1)]
    if kind == "blockquote":
        return [BlockQuote(_blocks(node.children, depth))]
    if kind == "hr":
        return [Rule()]
    if kind == "table":
        return [_table(node, depth)]
    if kind == "html_block":
        return [Paragraph([Text(node.content.strip())])]
    return _blocks(node.children, depth)


def _item(node: SyntaxTreeNode, depth: int) -> ListItem:
    blocks = _blocks(node.children, depth)
    first = node.children[0] if node.children else None
    inline = first.children[0] if first is not None and first.type == "paragraph" and first.children else None
    if blocks and isinstance(blocks[0], Paragraph) and inline is not None:
        # the raw source tells a real marker from an escaped one (``\[ ]``)
        if _TASK_SOURCE_RE.match(inline.content):
            checked, rest = split_task_marker(blocks[0].children)
            if checked is not None:
                return ListItem([Paragraph(rest), *blocks[1:]], checked)
    return ListItem(blocks)


def _table(node: SyntaxTreeNode, depth: int) -> Table:
    rows: list[list[Cell]] = []
    for section in node.children:
        for row in section.children:
            cells = [
                Cell(_inline_children(cell, depth), header=cell.type == "th")
                for cell in row.children
                if cell.type in ("th", "td")
            ]
            rows.append(cells)
    return Table(rows)


def _inline_children(node: SyntaxTreeNode, depth: int) -> list[Inline]:
    out: list[Inline] = []
    for child in node.children:
        if child.type == "inline":
            out.extend(_inlines(child.children, depth))
    return out


def _inlines(nodes: list[SyntaxTreeNode], depth: int) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        out.extend(_inline(node, depth + 1))
    return out


def _inline(node: SyntaxTreeNode, depth: int) -> list[Inline]:
    kind = node.type
    if kind == "text":
        return [Text(node.content)]
    if depth > MAX_DEPTH:
        return [Text(_source_text(node))]
    if kind == "softbreak":
        return [SoftBreak()]
    if kind == "hardbreak":
        return [HardBreak()]
    if kind == "code_inline":
        return [Code(node.content)]
    if kind == "strong":
        return [Strong(_inlines(node.children, depth))]
    if kind == "em":
        return [Emph(_inlines(node.children, depth))]
    if kind == "s":
        return [Strike(_inlines(node.children, depth))]
    if kind == "link":
        href = str(node.attrs.get("href", ""))
        return [Link(href, _inlines(node.children, depth), str(node.attrs.get("title", "")))]
    if kind == "image":
        alt = plain_text(_inlines(node.children, depth))
        return [Image(str(node.attrs.get("src", "")), alt, str(node.attrs.get("title", "")))]
    if kind == "html_inline":
        return [HardBreak()] if _BR_RE.fullmatch(node.content.strip()) else [Text(node.content)]
    return _inlines(node.children, depth)


def _source_text(node: SyntaxTreeNode) -> str:
    parts: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in ("text", "code_inline", "fence", "code_block", "html_block", "html_inline"):
            parts.append(current.content)
        elif current.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        stack.extend(reversed(current.children))
    return "".join(parts)


def _strip_newline(text: str) -> str:
    return text[:-1] if text.endswith("\n") else text
