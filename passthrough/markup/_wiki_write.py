"""Model to Jira wiki markup (Jira Server/DC, REST v2 text fields)."""

from __future__ import annotations

import re
from typing import NamedTuple

from ._model import (
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
    tidy,
)
from ._wiki_syntax import PHRASE_CHARS, URL_RE, can_close, can_open

_ALWAYS_ESCAPED = frozenset("{}[]|")
_LINE_MARKER_RE = re.compile(r"(?:[*#]+|-)\s|-{4,}\s*$")
_BLOCK_WORD_RE = re.compile(r"(?:h[1-6]|bq)(?=\.)")
_DELIMITERS = {Strong: "*", Emph: "_", Strike: "-"}


def render_wiki(blocks: list[Block]) -> str:
    text = "\n\n".join(part for part in (_block(block) for block in blocks) if part)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return _inlines(block.children, "para")
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 6)
        return f"h{level}. {_inlines(block.children, 'line')}".rstrip()
    if isinstance(block, CodeBlock):
        body = block.text.rstrip("\n")
        if block.language:
            language = re.sub(r"[^\w#+.-]", "", block.language)
            return f"{{code:{language}}}\n{body}\n{{code}}" if language else f"{{code}}\n{body}\n{{code}}"
        return f"{{noformat}}\n{body}\n{{noformat}}"
    if isinstance(block, BulletList | OrderedList):
        return "\n".join(_list(block, ""))
    if isinstance(block, BlockQuote):
        return _quote(block)
    if isinstance(block, Rule):
        return "----"
    return _table(block)


def _quote(block: BlockQuote) -> str:
    children = _flatten_quotes(block.children)
    if len(children) == 1 and isinstance(children[0], Paragraph):
        if not any(isinstance(node, HardBreak) for node in children[0].children):
            return f"bq. {_inlines(children[0].children, 'line')}"
    inner = "\n\n".join(part for part in (_block(child) for child in children) if part)
    return f"{{quote}}\n{inner}\n{{quote}}" if inner else ""


def _flatten_quotes(blocks: list[Block]) -> list[Block]:
    # {quote} does not nest in wiki markup: an inner {quote} would close the outer one
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, BlockQuote):
            out.extend(_flatten_quotes(block.children))
        else:
            out.append(block)
    return out


def _list(block: BulletList | OrderedList, prefix: str) -> list[str]:
    marker = prefix + ("#" if isinstance(block, OrderedList) else "*")
    lines: list[str] = []
    for item in block.items:
        lines.extend(_item(item, marker))
    return lines


def _item(item: ListItem, marker: str) -> list[str]:
    inline: list[Inline] = []
    if item.checked is not None:
        inline.append(Text("[x] " if item.checked else "[ ] "))
    after: list[str] = []
    has_text = False
    for child in item.children:
        if isinstance(child, BulletList | OrderedList):
            after.extend(_list(child, marker))
        elif isinstance(child, Paragraph | Heading):
            if has_text:
                inline.append(HardBreak())
            inline.extend(child.children)
            has_text = True
        else:
            after.append(_block(child))
    text = _inlines(inline, "line")
    return [f"{marker} {text}".rstrip(), *after]


def _table(block: Table) -> str:
    lines: list[str] = []
    for row in block.rows:
        if not row:
            continue
        parts = []
        for cell in row:
            separator = "||" if cell.header else "|"
            parts.append(separator + (_inlines(cell.children, "line") or " "))
        parts.append("||" if row[-1].header else "|")
        lines.append("".join(parts))
    return "\n".join(lines)


class _Wrapped(NamedTuple):
    delimiter: str
    inner: str


def _inlines(nodes: list[Inline], ctx: str, before: str | None = None, after: str = "") -> str:
    items = tidy(nodes) if before is None else nodes
    last = before if before is not None else ("\n" if ctx == "para" else " ")
    pieces = [node if isinstance(node, Text) else _inline(node, ctx) for node in items]
    next_chars = _next_chars(pieces, after)
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if isinstance(piece, Text | _Wrapped):
            next_char = next_chars[index]
            if isinstance(piece, Text):
                piece = _escape(piece.text, last, next_char)
            elif last.isalnum() or next_char.isalnum():
                # inside a word the marks only count when braced: a{*}b{*}c
                piece = f"{{{piece.delimiter}}}{piece.inner}{{{piece.delimiter}}}"
            else:
                piece = f"{piece.delimiter}{piece.inner}{piece.delimiter}"
        elif piece == "\n" and last == "\n":
            piece = "\\\\"
        if piece:
            out.append(piece)
            last = piece[-1]
    return "".join(out)


def _next_chars(pieces: list[str | Text | _Wrapped], after: str) -> list[str]:
    """For each piece, the first character of the next piece that is text, marks or not empty,
    found in one backward pass rather than by a look ahead from every piece."""
    chars = [""] * len(pieces)
    following = _first_char(after)
    for index in range(len(pieces) - 1, -1, -1):
        chars[index] = following
        piece = pieces[index]
        if not isinstance(piece, str) or piece:
            following = _first_char(piece)
    return chars


def _first_char(piece: str | Text | _Wrapped) -> str:
    if isinstance(piece, Text):
        return piece.text[:1]
    if isinstance(piece, _Wrapped):
        return piece.delimiter
    return piece[:1]


def _inline(node: Inline, ctx: str) -> str | _Wrapped:
    if isinstance(node, HardBreak):
        return "\n" if ctx == "para" else "\\\\"
    if isinstance(node, SoftBreak):
        return " "
    if isinstance(node, Code):
        text = node.text.replace("\n", " ")
        return "{{" + _escape(text, "{", "}") + "}}" if text.strip() else text
    if isinstance(node, Link):
        return _link(node, ctx)
    if isinstance(node, Image):
        src = _url(node.src)
        alt = node.alt.strip()
        if alt and not re.search(r"[!|,=\n]", alt):
            return f"!{src}|alt={alt}!"
        return f"!{src}!"
    if isinstance(node, Text):
        return _escape(node.text, " ", "")
    delimiter = _DELIMITERS[type(node)]
    inner = _inlines(node.children, ctx, delimiter, delimiter)
    return _Wrapped(delimiter, inner) if inner else ""


def _link(node: Link, ctx: str) -> str:
    href = _url(node.href)
    only = node.children[0] if len(node.children) == 1 else None
    if isinstance(only, Text) and only.text in (node.href, href, node.href.removeprefix("mailto:")):
        return f"[{href}]"
    inner = _inlines([_no_breaks(child) for child in node.children], "line", "[", "|")
    return f"[{inner}|{href}]" if inner else f"[{href}]"


def _no_breaks(node: Inline) -> Inline:
    return Text(" ") if isinstance(node, HardBreak | SoftBreak) else node


def _url(url: str) -> str:
    return url.replace(" ", "%20").replace("|", "%7C").replace("]", "%5D").replace("!", "%21")


def _escape(text: str, before: str, after: str) -> str:
    """Backslash-escape what Jira would otherwise read as markup; bare URLs stay intact
    because Jira links them as they are."""
    line_start = before == "\n"
    if line_start:
        text = text.lstrip(" \t")
    if not text:
        return ""
    forced: set[int] = set()
    if line_start:
        if _LINE_MARKER_RE.match(text):
            forced.add(0)
        word = _BLOCK_WORD_RE.match(text)
        if word:
            forced.add(word.end())
    protected = [False] * len(text)
    for match in URL_RE.finditer(text):
        protected[match.start() : match.end()] = [True] * (match.end() - match.start())
    out: list[str] = []
    for index, char in enumerate(text):
        prev = text[index - 1] if index else before
        nxt = text[index + 1] if index + 1 < len(text) else after
        if protected[index]:
            out.append(char)
            continue
        escape = index in forced or char in _ALWAYS_ESCAPED
        if char in PHRASE_CHARS:
            escape = escape or can_open(char, prev, nxt) or can_close(char, prev, nxt)
        elif char == "!":
            escape = bool(nxt) and not nxt.isspace()
        if escape:
            out.append("\\")
        out.append(char)
    return "".join(out)
