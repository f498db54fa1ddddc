"""A small document model shared by every converter.

Each format is read into this model and written out of it, so that six
directions need only one reader and one writer per format.  Table cells hold
inline content only, because a GitHub pipe table cannot hold more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

MAX_DEPTH = 50
"""Nesting beyond this depth is flattened to plain text instead of recursed into."""


@dataclass
class Text:
    text: str


@dataclass
class Code:
    text: str


@dataclass
class HardBreak:
    pass


@dataclass
class SoftBreak:
    pass


@dataclass
class Span:
    children: list[Inline]


@dataclass
class Strong(Span):
    pass


@dataclass
class Emph(Span):
    pass


@dataclass
class Strike(Span):
    pass


@dataclass
class Link:
    href: str
    children: list[Inline]
    title: str = ""


@dataclass
class Image:
    src: str
    alt: str = ""
    title: str = ""


Inline: TypeAlias = Text | Code | HardBreak | SoftBreak | Strong | Emph | Strike | Link | Image


@dataclass
class Paragraph:
    children: list[Inline]


@dataclass
class Heading:
    level: int
    children: list[Inline]


@dataclass
class CodeBlock:
    text: str
    language: str = ""


@dataclass
class ListItem:
    children: list[Block]
    checked: bool | None = None


@dataclass
class BulletList:
    items: list[ListItem]


@dataclass
class OrderedList:
    items: list[ListItem]
    start: int = 1


@dataclass
class BlockQuote:
    children: list[Block]


@dataclass
class Rule:
    pass


@dataclass
class Cell:
    children: list[Inline]
    header: bool = False


@dataclass
class Table:
    rows: list[list[Cell]] = field(default_factory=list)


Block: TypeAlias = Paragraph | Heading | CodeBlock | BulletList | OrderedList | BlockQuote | Rule | Table

_BREAKS = (HardBreak, SoftBreak)
_TASK_RE = re.compile(r"\[([ xX])\](?:[ \t]+|$)")
# The functions below run for every paragraph, list item and cell of every conversion, so
# they look at ``type(node)`` first (text and code are most nodes) and keep a node rather
# than copy it when nothing in it changes (none of them changes a node it was given; the
# Span, Link and list objects they change are ones they made).


def is_blank(nodes: Sequence[Inline]) -> bool:
    for node in nodes:
        if type(node) is Text:
            if node.text.strip():
                return False
        elif type(node) not in _BREAKS:
            return False
    return True


def normalize(nodes: Iterable[Inline], _inside: frozenset[type] = frozenset()) -> list[Inline]:
    """Merge adjacent text and like spans, unwrap a span nested in its own kind, split
    newlines in text into soft breaks, and move whitespace and breaks out of span edges
    (``**a **`` cannot be written in Markdown, ``**a** `` can).

    Linear in the number of nodes: adjacent text is first kept as separate pieces and
    joined once at the end, and like spans are merged by extending the earlier one in
    place, not by normalizing their concatenation again (which made a run of ``n``
    links to one address cost ``n**2``)."""
    return _join(_normalize(nodes, _inside))


def _normalize(nodes: Iterable[Inline], inside: frozenset[type]) -> list[Inline]:
    # every Span and Link in the result is a new object, so _append may extend it in place;
    # a Text may be one of ``nodes`` (_join makes new ones of all of them)
    out: list[Inline] = []
    for node in nodes:
        if type(node) is Text:
            text = node.text
            if "\n" in text or "\r" in text:
                lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                for index, line in enumerate(lines):
                    if index:
                        out.append(SoftBreak())
                    if line:
                        out.append(Text(line))
            elif text:
                out.append(node)
        elif type(node) is Code:
            if node.text:
                out.append(node)
        elif isinstance(node, Span | Link):
            kind = type(node)
            inner = _normalize(node.children, inside | {kind})
            if kind in inside or (isinstance(node, Link) and not node.href.strip()):
                for child in inner:
                    _append(out, child)
                continue
            tail: list[Inline] = []
            if inner and (_at_edge(inner[0], True) or _at_edge(inner[-1], False)):
                head, inner, tail = _split_edges(inner)
                out.extend(head)
            if inner:
                if isinstance(node, Link):
                    _append(out, Link(node.href, inner, node.title))
                else:
                    _append(out, type(node)(inner))
            elif isinstance(node, Link) and node.href:
                _append(out, Link(node.href, [Text(node.href)], node.title))
            out.extend(tail)
        else:
            out.append(node)
    return out


def _at_edge(node: Inline, start: bool) -> bool:
    """Whether `_split_edges` would move ``node``, or part of it, out of a span."""
    if type(node) is Text:
        return (node.text[:1] if start else node.text[-1:]).isspace()
    return type(node) in _BREAKS


def _append(out: list[Inline], node: Inline) -> None:
    """Add ``node`` to normalized ``out``; adjacent text and code stay separate pieces until `_join`."""
    if out:
        last = out[-1]
        kind = type(node)
        if kind is type(last):
            if isinstance(node, Span) and isinstance(last, Span):
                _extend(last.children, node.children)
                return
            if isinstance(node, Link) and isinstance(last, Link) and (last.href, last.title) == (node.href, node.title):
                _extend(last.children, node.children)
                return
    out.append(node)


def _extend(children: list[Inline], more: list[Inline]) -> None:
    # both lists are normalized: only their first and last pieces can merge
    if more:
        _append(children, more[0])
        children.extend(more[1:])


def _join(nodes: list[Inline]) -> list[Inline]:
    """Join adjacent text pieces and adjacent code pieces, at every level, in one pass each."""
    out: list[Inline] = []
    texts: list[str] = []
    codes: list[str] = []
    for node in nodes:
        if type(node) is Text:
            if codes:
                out.append(Code("".join(codes)))
                codes = []
            texts.append(node.text)
            continue
        if texts:
            out.append(Text("".join(texts)))
            texts = []
        if type(node) is Code:
            codes.append(node.text)
            continue
        if codes:
            out.append(Code("".join(codes)))
            codes = []
        if isinstance(node, Span | Link):
            node.children = _join(node.children)
        out.append(node)
    if texts:
        out.append(Text("".join(texts)))
    if codes:
        out.append(Code("".join(codes)))
    return out


def _split_edges(nodes: list[Inline]) -> tuple[list[Inline], list[Inline], list[Inline]]:
    head: list[Inline] = []
    tail: list[Inline] = []
    body = list(nodes)
    start, end = 0, len(body)
    while start < end:
        first = body[start]
        if isinstance(first, _BREAKS):
            head.append(first)
            start += 1
        elif isinstance(first, Text) and first.text[:1].isspace():
            stripped = first.text.lstrip()
            head.append(Text(first.text[: len(first.text) - len(stripped)]))
            if stripped:
                body[start] = Text(stripped)
                break
            start += 1
        else:
            break
    while end > start:
        last = body[end - 1]
        if isinstance(last, _BREAKS):
            tail.append(last)
            end -= 1
        elif isinstance(last, Text) and last.text[-1:].isspace():
            stripped = last.text.rstrip()
            tail.append(Text(last.text[len(stripped) :]))
            if stripped:
                body[end - 1] = Text(stripped)
                break
            end -= 1
        else:
            break
    tail.reverse()
    return head, body[start:end], tail


class Tidied(list[Inline]):
    """The list `tidy` returns: `tidy` of it (without ``collapse``) is itself, so it is given back as it is
    (the Markdown renderer tidies every paragraph it is given, and the readers give it tidied ones).
    Nothing changes such a list after `tidy`; a changed or rebuilt one is a plain list, tidied again."""

    __slots__ = ()


def tidy(nodes: Iterable[Inline], collapse: bool = False) -> list[Inline]:
    """Normalize a paragraph's inlines and strip whitespace at its edges and around breaks.

    ``collapse`` squeezes runs of whitespace the way HTML renders them.
    """
    if type(nodes) is Tidied and not collapse:
        return nodes
    if type(nodes) is list:
        for node in nodes:
            if type(node) is not Text:
                break
        else:
            # plain text only (most paragraphs, list items and cells): the steps below come down to this
            text = "".join([node.text for node in nodes])
            if collapse and not _single_spaced(text):
                text = _WHITESPACE.sub(" ", text)
            if "\n" not in text and "\r" not in text:
                text = text.strip()
                return Tidied([Text(text)] if text else ())
    if collapse:
        nodes = [_collapse(node) for node in nodes]
    result = _join(_normalize(nodes, frozenset()))
    if collapse:
        result = [_collapse(node) for node in result]
    start, end = 0, len(result)
    while start < end and _blank(result[start]):
        start += 1
    while end > start and _blank(result[end - 1]):
        end -= 1
    if start or end < len(result):
        result = result[start:end]
    for index, node in enumerate(result):
        if type(node) in _BREAKS:
            before = result[index - 1] if index else None
            if type(before) is Text:
                result[index - 1] = Text(before.text.rstrip())
            after = result[index + 1] if index + 1 < len(result) else None
            if type(after) is Text:
                result[index + 1] = Text(after.text.lstrip())
    if result and type(first := result[0]) is Text:
        result[0] = Text(first.text.lstrip())
    if result and type(last := result[-1]) is Text:
        result[-1] = Text(last.text.rstrip())
    return Tidied([node for node in result if type(node) is not Text or node.text])


def _blank(node: Inline) -> bool:
    if type(node) is Text:
        return not node.text.strip()
    return type(node) in _BREAKS


_WHITESPACE = re.compile(r"\s+")


def _single_spaced(text: str) -> bool:
    """Whether `text` has no white space but single ASCII spaces, so that collapsing leaves it as it is: every
    other white space character (tabs, newlines, no-break and other Unicode spaces) is not printable."""
    return text.isprintable() and "  " not in text


def _collapse(node: Inline) -> Inline:
    if type(node) is Text:
        if _single_spaced(node.text):
            return node
        collapsed = _WHITESPACE.sub(" ", node.text)
        return node if collapsed == node.text else Text(collapsed)
    if isinstance(node, Span):
        return type(node)([_collapse(child) for child in node.children])
    if isinstance(node, Link):
        return Link(node.href, [_collapse(child) for child in node.children], node.title)
    return node


def split_task_marker(nodes: list[Inline]) -> tuple[bool | None, list[Inline]]:
    """Detect a GitHub-style ``[ ]`` / ``[x]`` marker at the start of a list item."""
    nodes = normalize(nodes)
    if not nodes or not isinstance(nodes[0], Text):
        return None, nodes
    match = _TASK_RE.match(nodes[0].text)
    if match is None:
        return None, nodes
    rest = nodes[0].text[match.end() :]
    remaining: list[Inline] = [Text(rest), *nodes[1:]] if rest else list(nodes[1:])
    return match.group(1) != " ", remaining


def labelled_quote(kind: str, title: str, blocks: list[Block]) -> BlockQuote:
    """A panel or admonition as a blockquote led by a bold label: ``**Note:** text``,
    or a bold title paragraph when the panel has a title."""
    if title:
        label = f"{kind}: {title}" if kind else title
        return BlockQuote([Paragraph([Strong([Text(label)])]), *blocks])
    if not kind:
        return BlockQuote(blocks or [Paragraph([])])
    strong = Strong([Text(kind + ":")])
    if blocks and isinstance(blocks[0], Paragraph) and blocks[0].children:
        first = Paragraph([strong, Text(" "), *blocks[0].children])
        return BlockQuote([first, *blocks[1:]])
    return BlockQuote([Paragraph([strong]), *blocks])


def blocks_to_inlines(blocks: Iterable[Block], depth: int = 0) -> list[Inline]:
    """Flatten blocks into one line-broken run of inlines, e.g. for a table cell."""
    out: list[Inline] = []
    for block in blocks:
        part: list[Inline] = []
        if isinstance(block, Paragraph | Heading):
            part = list(block.children)
        elif isinstance(block, CodeBlock):
            for index, line in enumerate(block.text.split("\n")):
                if index:
                    part.append(HardBreak())
                if line:
                    part.append(Code(line))
        elif isinstance(block, BulletList | OrderedList):
            for index, item in enumerate(block.items):
                if index:
                    part.append(HardBreak())
                marker = f"{block.start + index}. " if isinstance(block, OrderedList) else "- "
                part.append(Text(marker))
                if depth < MAX_DEPTH:
                    part.extend(blocks_to_inlines(item.children, depth + 1))
        elif isinstance(block, BlockQuote):
            if depth < MAX_DEPTH:
                part = blocks_to_inlines(block.children, depth + 1)
        elif isinstance(block, Table):
            for index, row in enumerate(block.rows):
                if index:
                    part.append(HardBreak())
                for position, cell in enumerate(row):
                    if position:
                        part.append(Text(" | "))
                    part.extend(cell.children)
        if part and not is_blank(part):
            if out:
                out.append(HardBreak())
            out.extend(part)
    return out


def squash_text(text: str) -> str:
    return " ".join(text.split())
