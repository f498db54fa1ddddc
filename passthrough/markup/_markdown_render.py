"""Markdown out: the model written as tidy CommonMark (GitHub pipe tables, ``~~strike~~``).

Text is escaped only where it could otherwise be read back as markup, so that
ordinary prose stays readable.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from ._model import (
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
    tidy,
)

_PUNCTUATION = frozenset(string.punctuation)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_AUTOLINK_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*")
_EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_LINE_START_RE = re.compile(r"(?:#{1,6}|[-+*])(?=\s|$)|>")
_ORDERED_START_RE = re.compile(r"\d{1,9}(?=[.)](?:\s|$))")
_SETEXT_RE = re.compile(r"(?:=+|-+)\s*")
_TASK_LIKE_RE = re.compile(r"\[[ xX]\](?:\s|$)")
_SPLITTING_BLOCKS = (BulletList, OrderedList, CodeBlock)


@dataclass(frozen=True)
class _Ctx:
    kind: str  # "para", "heading" or "cell"
    in_link: bool = False


def render_markdown(blocks: list[Block]) -> str:
    text = _blocks(blocks)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _blocks(blocks: list[Block]) -> str:
    parts: list[str] = []
    previous: Block | None = None
    for block in blocks:
        # a second list right after a list of the same kind would merge into it
        alternate = type(previous) is type(block) and isinstance(block, BulletList | OrderedList)
        rendered = _block(block, alternate)
        if rendered:
            parts.append(rendered)
            previous = block
    return "\n\n".join(parts)


def _block(block: Block, alternate: bool = False) -> str:
    if isinstance(block, Paragraph):
        return _inlines(block.children, _Ctx("para"), "\n")
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 6)
        content = _inlines(block.children, _Ctx("heading"), " ")
        return "#" * level + (" " + content if content else "")
    if isinstance(block, CodeBlock):
        return _code_block(block)
    if isinstance(block, BulletList | OrderedList):
        return _list(block, alternate)
    if isinstance(block, BlockQuote):
        inner = _blocks(block.children)
        if not inner:
            return ""
        return "\n".join(f"> {line}" if line.strip() else ">" for line in inner.split("\n"))
    if isinstance(block, Rule):
        return "---"
    return _table(block)


def _code_block(block: CodeBlock) -> str:
    runs = [len(run) for run in re.findall(r"`+", block.text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    words = block.language.replace("`", "").split()
    language = words[0] if words else ""
    body = block.text.rstrip("\n")
    return f"{fence}{language}\n{body}\n{fence}" if body else f"{fence}{language}\n{fence}"


def _list(block: BulletList | OrderedList, alternate: bool) -> str:
    loose = any(_needs_blank_line(item) for item in block.items)
    rendered: list[str] = []
    for index, item in enumerate(block.items):
        if isinstance(block, OrderedList):
            number = min(max(block.start, 0), 999_999_999) + index
            marker = f"{number}{')' if alternate else '.'} "
        else:
            marker = "* " if alternate else "- "
        body = _item_body(item, loose)
        lines = body.split("\n")
        indent = " " * len(marker)
        rest = [indent + line if line.strip() else "" for line in lines[1:]]
        rendered.append("\n".join([marker + lines[0], *rest]))
    return ("\n\n" if loose else "\n").join(rendered)


def _needs_blank_line(item: ListItem) -> bool:
    blocks = item.children
    return any(not isinstance(after, _SPLITTING_BLOCKS) for after in blocks[1:])


def _item_body(item: ListItem, loose: bool) -> str:
    parts = [_block(child) for child in item.children]
    if item.checked is not None:
        box = "[x]" if item.checked else "[ ]"
        if item.children and isinstance(item.children[0], Paragraph):
            parts[0] = f"{box} {parts[0]}" if parts[0] else box
        else:
            parts.insert(0, box)
    return ("\n\n" if loose else "\n").join(part for part in parts if part)


def _table(block: Table) -> str:
    width = max((len(row) for row in block.rows), default=0)
    if width == 0:
        return ""
    rows = [[_cell(cell) for cell in row] + [""] * (width - len(row)) for row in block.rows]
    lines = [_row(rows[0]), _row(["---"] * width)]
    lines.extend(_row(row) for row in rows[1:])
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(cell: Cell) -> str:
    return _inlines(cell.children, _Ctx("cell"), " ").replace("|", "\\|")


def _inlines(nodes: list[Inline], ctx: _Ctx, before: str, after: str = "", top: bool = True) -> str:
    items = tidy(nodes) if top else nodes
    if len(items) == 1 and type(items[0]) is Text:  # one run of text (most paragraphs, items and cells)
        return _escape(items[0].text, before, after[:1], ctx)
    pieces: list[str | Text] = [item if isinstance(item, Text) else _inline(item, ctx) for item in items]
    next_chars = _next_chars(pieces, after)
    out: list[str] = []
    last = before
    for index, piece in enumerate(pieces):
        if isinstance(piece, Text):
            piece = _escape(piece.text, last, next_chars[index], ctx)
        if piece:
            out.append(piece)
            last = piece[-1]
    return "".join(out)


def _next_chars(pieces: list[str | Text], after: str) -> list[str]:
    """For each piece, the first character of the next piece that is text or not empty.

    One backward pass: looking ahead from every piece separately made a paragraph of
    ``n`` pieces (lines, breaks, links) cost ``n**2``."""
    chars = [""] * len(pieces)
    following = after[:1]
    for index in range(len(pieces) - 1, -1, -1):
        chars[index] = following
        piece = pieces[index]
        if isinstance(piece, Text):
            following = piece.text[:1]
        elif piece:
            following = piece[:1]
    return chars


def _inline(node: Inline, ctx: _Ctx) -> str:
    if isinstance(node, HardBreak):
        return {"para": "\\\n", "heading": " ", "cell": "<br>"}[ctx.kind]
    if isinstance(node, SoftBreak):
        return "\n" if ctx.kind == "para" else " "
    if isinstance(node, Code):
        return _code_span(node.text)
    if isinstance(node, Strong):
        return _wrap("**", node.children, ctx)
    if isinstance(node, Emph):
        return _wrap("*", node.children, ctx)
    if isinstance(node, Strike):
        return _wrap("~~", node.children, ctx)
    if isinstance(node, Link):
        return _link(node, ctx)
    if isinstance(node, Image):
        alt = _escape(node.alt, "[", "]", _Ctx(ctx.kind, in_link=True))
        return f"![{alt}]({_destination(node.src)}{_title(node.title)})"
    return _escape(node.text, " ", "", ctx)


def _wrap(delimiter: str, children: list[Inline], ctx: _Ctx) -> str:
    inner = _inlines(children, ctx, delimiter[-1], delimiter[0], top=False)
    return f"{delimiter}{inner}{delimiter}" if inner else ""


def _link(node: Link, ctx: _Ctx) -> str:
    text = "".join(c.text for c in node.children if isinstance(c, Text)) if len(node.children) == 1 else None
    if text and not node.title:
        if text == node.href and _AUTOLINK_RE.fullmatch(text):
            return f"<{text}>"
        if node.href == f"mailto:{text}" and _EMAIL_RE.fullmatch(text):
            return f"<{text}>"
    inner = _inlines(node.children, _Ctx(ctx.kind, in_link=True), "[", "]", top=False)
    return f"[{inner}]({_destination(node.href)}{_title(node.title)})"


def _destination(href: str) -> str:
    cleaned = "".join(ch for ch in href if ch not in "\r\n").replace(" ", "%20")
    return re.sub(r"([()<>\\])", r"\\\1", cleaned)


def _title(title: str) -> str:
    if not title:
        return ""
    escaped = title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f' "{escaped}"'


def _code_span(text: str) -> str:
    text = text.replace("\r", "").replace("\n", " ")
    if not text:
        return ""
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = text[0] == "`" or text[-1] == "`" or (text[0] == " " and text[-1] == " " and text.strip(" "))
    return f"{fence} {text} {fence}" if pad else f"{fence}{text}{fence}"


_MAY_ESCAPE = re.compile(r"[`\\*_~\[\]!<&]")


def _escape(text: str, before: str, after: str, ctx: _Ctx) -> str:
    line_start = before == "\n"
    if line_start:
        text = text.lstrip(" \t")
    if not text:
        return ""
    forced = _line_start_escape(text) if line_start and ctx.kind == "para" else -1
    trailing = _trailing_hashes(text, after) if ctx.kind == "heading" else -1
    if forced < 0 and trailing < 0 and _MAY_ESCAPE.search(text) is None:
        return text  # the common case, without a look at every character
    out: list[str] = []
    for index, char in enumerate(text):
        prev = text[index - 1] if index else before
        nxt = text[index + 1] if index + 1 < len(text) else after
        if index in (forced, trailing) or _needs_escape(char, prev, nxt, text, index, ctx):
            out.append("\\")
        out.append(char)
    return "".join(out)


def _needs_escape(char: str, prev: str, nxt: str, text: str, index: int, ctx: _Ctx) -> bool:
    if char in "`":
        return True
    if char == "\\":
        return nxt in _PUNCTUATION or nxt in ("", "\n")
    if char == "*":
        return not (_space(prev) and _space(nxt))
    if char == "_":
        both_words = prev.isalnum() and nxt.isalnum()
        return not both_words and not (_space(prev) and _space(nxt))
    if char == "~":
        return "~" in (prev, nxt)
    if char in "[]":
        return ctx.in_link or (char == "]" and nxt in ("(", "[", ":"))
    if char == "!":
        return nxt == "["
    if char == "<":
        return nxt.isalpha() or nxt in ("/", "!", "?")
    if char == "&":
        return _ENTITY_RE.match(text, index) is not None
    return False


def _space(char: str) -> bool:
    return not char or char.isspace()


def _line_start_escape(text: str) -> int:
    """Index of the character to escape so a line does not read as a block marker."""
    if _LINE_START_RE.match(text) or _SETEXT_RE.fullmatch(text) or _TASK_LIKE_RE.match(text):
        return 0
    ordered = _ORDERED_START_RE.match(text)
    if ordered:
        return ordered.end()
    return -1


def _trailing_hashes(text: str, after: str) -> int:
    if after:
        return -1
    stripped = text.rstrip("#")
    if stripped == text or (stripped and not stripped[-1].isspace()):
        return -1
    return len(stripped)
