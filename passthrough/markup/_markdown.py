"""Markdown in: markdown-it-py (CommonMark plus tables and strikethrough) to the model.

The flat token stream is walked with an explicit stack rather than through
``SyntaxTreeNode``, which recurses once per nesting level: markdown-it bounds block
nesting, but not emphasis, so ``**`` repeated thousands of times would otherwise
exhaust the interpreter stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ._limits import BASE_STEPS, STEPS_PER_CHAR, NestingTooDeep, TooComplex
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
    split_task_marker,
)

# markdown-it drops block content nested deeper than maxNesting; keep that in line with our own cap.
_PARSER = MarkdownIt("commonmark", {"maxNesting": MAX_DEPTH}).enable(["table", "strikethrough"])


def _counted(rule: Any) -> Any:
    """``rule``, spending one of the parse's steps (kept in its env) each time it is tried."""

    def counted(state: Any, *args: Any) -> Any:
        env = state.env
        env["steps"] -= 1
        if env["steps"] < 0:
            raise TooComplex(env["length"])
        return rule(state, *args)

    return counted


for _ruler in (_PARSER.block.ruler, _PARSER.inline.ruler):
    for _rule in _ruler.__rules__:
        _rule.fn = _counted(_rule.fn)
    _ruler.__compile__()

_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TASK_SOURCE_RE = re.compile(r"\[[ xX]\](?:\s|$)")
_TRANSPARENT = ("thead", "tbody")
# markdown-it stops reading what is inside a container that opens at level maxNesting - 1
_CONTAINERS = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"})


@dataclass
class _Frame:
    kind: str
    token: Token | None = None
    children: list[Any] = field(default_factory=list)
    task_source: str | None = None  # raw source of a list item's first paragraph


def parse_markdown(markdown: str, strict: bool = False) -> list[Block]:
    """The model of ``markdown``.  Content nested deeper than ``MAX_DEPTH`` is dropped (blocks,
    by markdown-it) or flattened (spans); with ``strict`` it raises `NestingTooDeep` instead.
    Raises `TooComplex` when parsing would take more steps than the text's length allows."""
    if not isinstance(markdown, str) or not markdown.strip():
        return []
    stack = [_Frame("root")]
    env = {"steps": BASE_STEPS + STEPS_PER_CHAR * len(markdown), "length": len(markdown)}
    for token in _PARSER.parse(markdown, env):
        kind = token.type
        if strict and token.nesting == 1 and token.level >= MAX_DEPTH - 1 and kind in _CONTAINERS:
            raise NestingTooDeep
        if token.nesting == 1:
            kind = kind.removesuffix("_open")
            if kind not in _TRANSPARENT:
                stack.append(_Frame(kind, token))
        elif token.nesting == -1:
            kind = kind.removesuffix("_close")
            if kind not in _TRANSPARENT and len(stack) > 1:
                frame = stack.pop()
                node = _close_block(frame)
                if node is not None:
                    stack[-1].children.append(node)
        elif kind == "inline":
            top = stack[-1]
            if top.kind == "paragraph" and len(stack) > 1:
                parent = stack[-2]
                if parent.kind == "list_item" and not parent.children and parent.task_source is None:
                    parent.task_source = token.content
            top.children.extend(_inline_tokens(token.children or [], strict))
        else:
            block = _leaf_block(token)
            if block is not None:
                stack[-1].children.append(block)
    return [node for node in stack[0].children if not isinstance(node, Inline | ListItem | list | Cell)]


def _close_block(frame: _Frame) -> Any:
    kind = frame.kind
    children = frame.children
    if kind == "paragraph":
        return Paragraph(children)
    if kind == "heading":
        tag = frame.token.tag if frame.token else "h1"
        return Heading(int(tag[1:]) if tag[1:].isdigit() else 1, children)
    if kind == "blockquote":
        return BlockQuote(_blocks(children))
    if kind == "list_item":
        return _item(frame)
    if kind == "bullet_list":
        return BulletList([c for c in children if isinstance(c, ListItem)])
    if kind == "ordered_list":
        start = frame.token.attrs.get("start", 1) if frame.token else 1
        items = [c for c in children if isinstance(c, ListItem)]
        return OrderedList(items, start if isinstance(start, int) else 1)
    if kind in ("th", "td"):
        return Cell(children, header=kind == "th")
    if kind == "tr":
        return [c for c in children if isinstance(c, Cell)]
    if kind == "table":
        return Table([row for row in children if isinstance(row, list)])
    return None


def _blocks(children: list[Any]) -> list[Block]:
    return [c for c in children if not isinstance(c, Inline | ListItem | list | Cell)]


def _item(frame: _Frame) -> ListItem:
    blocks = _blocks(frame.children)
    # the raw source tells a real task marker from an escaped one (``\[ ]``)
    if blocks and isinstance(blocks[0], Paragraph) and _TASK_SOURCE_RE.match(frame.task_source or ""):
        checked, rest = split_task_marker(blocks[0].children)
        if checked is not None:
            return ListItem([Paragraph(rest), *blocks[1:]], checked)
    return ListItem(blocks)


def _leaf_block(token: Token) -> Block | None:
    if token.type == "fence":
        info = token.info.strip()
        return CodeBlock(_strip_newline(token.content), info.split()[0] if info else "")
    if token.type == "code_block":
        return CodeBlock(_strip_newline(token.content))
    if token.type == "hr":
        return Rule()
    if token.type == "html_block":
        return Paragraph([Text(token.content.strip())])
    return None


def parse_inline_tokens(tokens: list[Token]) -> list[Inline]:
    return _inline_tokens(tokens, False)


def _inline_tokens(tokens: list[Token], strict: bool) -> list[Inline]:
    stack = [_Frame("root")]
    # Past the depth cap a span is dropped but its text kept: its content goes straight into
    # the deepest frame kept.  (A frame per dropped span, handing its children up when it
    # closed, copied the same nodes once per level: ``"*" * n + "a" + "*" * n`` was quadratic.)
    dropped = 0
    for token in tokens:
        if token.nesting == 1:
            if len(stack) > MAX_DEPTH:
                if strict:
                    raise NestingTooDeep
                dropped += 1
            else:
                stack.append(_Frame(token.type.removesuffix("_open"), token))
        elif token.nesting == -1:
            if dropped:
                dropped -= 1
            elif len(stack) > 1:
                frame = stack.pop()
                stack[-1].children.extend(_close_inline(frame))
        else:
            stack[-1].children.extend(_leaf_inline(token))
    while len(stack) > 1:
        frame = stack.pop()
        stack[-1].children.extend(frame.children)
    return stack[0].children


def _close_inline(frame: _Frame) -> list[Inline]:
    children: list[Inline] = frame.children
    if frame.kind == "strong":
        return [Strong(children)]
    if frame.kind == "em":
        return [Emph(children)]
    if frame.kind == "s":
        return [Strike(children)]
    if frame.kind == "link" and frame.token is not None:
        attrs = frame.token.attrs
        return [Link(str(attrs.get("href", "")), children, str(attrs.get("title", "") or ""))]
    return children


def _leaf_inline(token: Token) -> list[Inline]:
    kind = token.type
    if kind == "text":
        return [Text(token.content)]
    if kind == "softbreak":
        return [SoftBreak()]
    if kind == "hardbreak":
        return [HardBreak()]
    if kind == "code_inline":
        return [Code(token.content)]
    if kind == "image":
        alt = "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))
        attrs = token.attrs
        return [Image(str(attrs.get("src", "")), alt, str(attrs.get("title", "") or ""))]
    if kind == "html_inline":
        return [HardBreak()] if _BR_RE.fullmatch(token.content.strip()) else [Text(token.content)]
    return [Text(token.content)] if token.content else []


def _strip_newline(text: str) -> str:
    return text[:-1] if text.endswith("\n") else text
