"""ADF nodes to the model.

ADF arrives from a remote service, so nothing about its shape is trusted: wrong
types are skipped, unknown nodes give their text, depth is capped and a node
budget bounds the work even for a self-referencing structure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeGuard

from ._limits import MAX_UPSTREAM_CHARS, TRUNCATED_NOTE, cut, note, note_flattened
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
    Strike,
    Strong,
    Table,
    Text,
    blocks_to_inlines,
    labelled_quote,
    squash_text,
    tidy,
)

_NODE_BUDGET = 200_000
_MAX_MARKS = 16
_INLINE_TYPES = frozenset(
    {
        "text",
        "hardBreak",
        "mention",
        "emoji",
        "inlineCard",
        "status",
        "date",
        "mediaInline",
        "placeholder",
        "inlineExtension",
    }
)
_MEDIA_TYPES = frozenset({"media", "mediaSingle", "mediaGroup", "mediaInline"})
_MARK_ORDER = {"link": 0, "strong": 1, "em": 2, "strike": 3}
_PANEL_LABELS = {
    "info": "Info",
    "note": "Note",
    "warning": "Warning",
    "success": "Success",
    "error": "Error",
    "tip": "Tip",
}

MarkKey = tuple[str, str, str]

# Parsed JSON is dicts and lists: checked first by their exact types, because an instance check against the
# abstract Mapping and Sequence alone took a quarter of the reader's time; other mappings and sequences still count.
_MAPPING = (dict, Mapping)


def _is_array(value: Any) -> TypeGuard[Sequence[Any]]:
    """A JSON array: a list, or another sequence that is not text."""
    return type(value) is list or (isinstance(value, Sequence) and not isinstance(value, str | bytes))


class _OverBudget(Exception):
    pass


class AdfReader:
    def __init__(self) -> None:
        self._budget = _NODE_BUDGET
        self._chars = MAX_UPSTREAM_CHARS  # text still to be read

    def document(self, node: Any) -> list[Block]:
        try:
            if isinstance(node, _MAPPING) and node.get("type") == "doc":
                return self._blocks(_content(node), 0)
            if _is_array(node):
                return self._blocks(node, 0)
            return self._blocks([node], 0)
        except _OverBudget:
            # too many nodes or too much text: the text alone, as far as the budget reaches
            text = cut(squash_text(adf_plain_text(node)), boundary=" ")
            note(TRUNCATED_NOTE)
            return [Paragraph([Text(text)])]

    def _spend(self) -> None:
        self._budget -= 1
        if self._budget < 0:
            raise _OverBudget

    def _plain(self, node: Any) -> str:
        text, used = _plain_text(node, max(self._budget, 0))
        self._budget -= used
        self._read(text)
        return squash_text(text)

    def _read(self, text: str) -> None:
        self._chars -= len(text)
        if self._budget < 0 or self._chars < 0:
            raise _OverBudget

    def _blocks(self, nodes: Sequence[Any], depth: int) -> list[Block]:
        out: list[Block] = []
        pending: list[Any] = []
        for node in nodes:
            if not isinstance(node, _MAPPING):
                continue
            if node.get("type") in _INLINE_TYPES:
                pending.append(node)
                continue
            if pending:
                out.append(Paragraph(self._inlines(pending, depth)))
                pending = []
            out.extend(self._block(node, depth + 1))
        if pending:
            out.append(Paragraph(self._inlines(pending, depth)))
        return out

    def _block(self, node: Mapping[str, Any], depth: int) -> list[Block]:
        self._spend()
        kind = node.get("type")
        attrs = _attrs(node)
        content = _content(node)
        if depth > MAX_DEPTH:
            note_flattened()
            text = self._plain(node)
            return [Paragraph([Text(text)])] if text else []
        if kind == "paragraph":
            return [Paragraph(self._inlines(content, depth))]
        if kind == "heading":
            return [Heading(_level(attrs.get("level")), self._inlines(content, depth))]
        if kind == "codeBlock":
            text = "".join(str(c.get("text", "")) for c in content if isinstance(c, _MAPPING))
            language = attrs.get("language")
            return [CodeBlock(text, language if isinstance(language, str) else "")]
        if kind in ("bulletList", "decisionList"):
            return [BulletList(self._items(content, depth))]
        if kind == "orderedList":
            order = attrs.get("order", 1)
            start = order if isinstance(order, int) and not isinstance(order, bool) else 1
            return [OrderedList(self._items(content, depth), start)]
        if kind == "taskList":
            return [BulletList(self._tasks(content, depth))]
        if kind == "blockquote":
            return [BlockQuote(self._blocks(content, depth))]
        if kind == "panel":
            label = _PANEL_LABELS.get(str(attrs.get("panelType", "")), "")
            return [labelled_quote(label, "", self._blocks(content, depth))]
        if kind in ("expand", "nestedExpand"):
            title = attrs.get("title")
            heading = [Paragraph([Strong([Text(title)])])] if isinstance(title, str) and title.strip() else []
            return heading + self._blocks(content, depth)
        if kind == "rule":
            return [Rule()]
        if kind == "table":
            return [self._table(content, depth)]
        if kind in _MEDIA_TYPES:
            return [Paragraph(self._media(node))]
        if kind in ("blockCard", "embedCard"):
            url = attrs.get("url")
            return [Paragraph([Link(url, [Text(url)])])] if isinstance(url, str) and url else []
        if kind in ("listItem", "taskItem", "decisionItem"):
            return self._item_blocks(node, depth)
        blocks = self._blocks(content, depth)
        fallback = attrs.get("text")
        if not blocks and isinstance(fallback, str) and fallback.strip():
            return [Paragraph([Text(fallback)])]
        return blocks

    def _items(self, content: Sequence[Any], depth: int) -> list[ListItem]:
        items: list[ListItem] = []
        for child in content:
            if not isinstance(child, _MAPPING):
                continue
            if child.get("type") in ("bulletList", "orderedList", "taskList") and items:
                items[-1].children.extend(self._block(child, depth + 1))
                continue
            items.append(ListItem(self._item_blocks(child, depth + 1)))
        return items

    def _tasks(self, content: Sequence[Any], depth: int) -> list[ListItem]:
        items: list[ListItem] = []
        for child in content:
            if not isinstance(child, _MAPPING):
                continue
            if child.get("type") == "taskList":
                nested = self._block(child, depth + 1)
                if items:
                    items[-1].children.extend(nested)
                else:
                    items.append(ListItem(nested))
                continue
            done = _attrs(child).get("state") == "DONE"
            items.append(ListItem(self._item_blocks(child, depth + 1), done))
        return items

    def _item_blocks(self, node: Mapping[str, Any], depth: int) -> list[Block]:
        self._spend()
        if depth > MAX_DEPTH:
            note_flattened()
            text = self._plain(node)
            return [Paragraph([Text(text)])] if text else []
        return self._blocks(_content(node), depth)

    def _table(self, content: Sequence[Any], depth: int) -> Table:
        rows: list[list[Cell]] = []
        for row in content:
            if not isinstance(row, _MAPPING):
                continue
            cells: list[Cell] = []
            for cell in _content(row):
                if isinstance(cell, _MAPPING):
                    self._spend()
                    inlines = blocks_to_inlines(self._blocks(_content(cell), depth + 1))
                    cells.append(Cell(inlines, header=cell.get("type") == "tableHeader"))
            if cells:
                rows.append(cells)
        return Table(rows)

    def _inlines(self, nodes: Sequence[Any], depth: int) -> list[Inline]:
        leaves: list[tuple[Inline, frozenset[MarkKey]]] = []
        for node in nodes:
            if not isinstance(node, _MAPPING):
                continue
            marks = _marks(node.get("marks"))
            code = _CODE in marks
            if code:
                marks = marks - _CODE_ONLY
            for leaf in self._leaf(node, depth + 1):
                if code and isinstance(leaf, Text):
                    leaf = Code(leaf.text)
                leaves.append((leaf, marks))
        return tidy(_group(leaves))

    def _leaf(self, node: Mapping[str, Any], depth: int) -> list[Inline]:
        self._spend()
        kind = node.get("type")
        if kind == "text":
            text = node.get("text")
            if not isinstance(text, str):
                return []
            self._read(text)
            if "\n" not in text:
                return [Text(text)]
            # Jira shows a newline inside a text node as a line break
            lines = text.replace("\r\n", "\n").split("\n")
            out: list[Inline] = [Text(lines[0])]
            for line in lines[1:]:
                out.extend((HardBreak(), Text(line)))
            return out
        if kind == "hardBreak":
            return [HardBreak()]
        attrs = _attrs(node)
        if kind == "mention":
            name = _first_str(attrs, "text", "displayName", "id")
            return [Text("@" + name.lstrip("@"))] if name else []
        if kind == "emoji":
            return [Text(_first_str(attrs, "text", "shortName"))]
        if kind == "inlineCard":
            url = attrs.get("url")
            return [Link(url, [Text(url)])] if isinstance(url, str) and url else []
        if kind == "status":
            return [Text(_first_str(attrs, "text"))]
        if kind == "date":
            return [Text(_iso_date(attrs.get("timestamp")))]
        if kind in _MEDIA_TYPES:
            return self._media(node)
        if kind == "placeholder":
            return []
        if depth > MAX_DEPTH:
            note_flattened()
            return [Text(self._plain(node))]
        content = _content(node)
        if content:
            if all(isinstance(c, _MAPPING) and c.get("type") in _INLINE_TYPES for c in content):
                return self._inlines(content, depth)
            return [HardBreak(), *blocks_to_inlines(self._blocks(content, depth)), HardBreak()]
        text = _first_str(attrs, "text")
        return [Text(text)] if text else []

    def _media(self, node: Mapping[str, Any]) -> list[Inline]:
        found: list[Inline] = []
        stack = [node]
        while stack:
            current = stack.pop()
            self._spend()
            attrs = _attrs(current)
            if current.get("type") in ("media", "mediaInline"):
                url: Any = attrs.get("url")
                alt = _first_str(attrs, "alt")
                if attrs.get("type") == "external" and isinstance(url, str) and url:
                    found.append(Image(url, alt))
                else:
                    found.append(Text(f"[attachment: {alt}]" if alt else "[attachment]"))
            stack.extend(reversed([c for c in _content(current) if isinstance(c, _MAPPING)]))
        if not found:
            return [Text("[attachment]")]
        out: list[Inline] = []
        for item in found:
            if out:
                out.append(Text(" "))
            out.append(item)
        return out


def _group(leaves: list[tuple[Inline, frozenset[MarkKey]]]) -> list[Inline]:
    """Nest flat, marked leaves, wrapping the longest runs that share a mark outermost."""
    out: list[Inline] = []
    index = 0
    while index < len(leaves):
        leaf, marks = leaves[index]
        if not marks:
            out.append(leaf)
            index += 1
            continue
        best: MarkKey | None = None
        best_length = 0
        for mark in sorted(marks, key=lambda m: (_MARK_ORDER.get(m[0], 9), m)):
            end = index
            while end < len(leaves) and mark in leaves[end][1]:
                end += 1
            if end - index > best_length:
                best, best_length = mark, end - index
        assert best is not None
        run = [(lf, ms - {best}) for lf, ms in leaves[index : index + best_length]]
        out.append(_wrap(best, _group(run)))
        index += best_length
    return out


def _wrap(mark: MarkKey, children: list[Inline]) -> Inline:
    kind, href, title = mark
    if kind == "link":
        return Link(href, children, title)
    if kind == "strong":
        return Strong(children)
    if kind == "em":
        return Emph(children)
    return Strike(children)


_CODE: MarkKey = ("code", "", "")
_CODE_ONLY = frozenset({_CODE})


def _marks(raw: Any) -> frozenset[MarkKey]:
    marks: set[MarkKey] = set()
    if not _is_array(raw):
        return frozenset()
    # a node may carry any number of marks; only a few kinds mean anything, and _group's
    # work grows with the square of their number, so only the first few are read
    for mark in raw[:_MAX_MARKS]:
        if not isinstance(mark, _MAPPING):
            continue
        kind = mark.get("type")
        if kind == "link":
            attrs = _attrs(mark)
            href = attrs.get("href")
            if isinstance(href, str) and href:
                marks.add(("link", href, _first_str(attrs, "title")))
        elif kind in ("strong", "em", "strike", "code"):
            marks.add((str(kind), "", ""))
    return frozenset(marks)


def _attrs(node: Mapping[str, Any]) -> Mapping[str, Any]:
    attrs = node.get("attrs")
    return attrs if isinstance(attrs, _MAPPING) else {}


def _content(node: Any) -> Sequence[Any]:
    content = node.get("content") if isinstance(node, _MAPPING) else None
    if _is_array(content):
        return content
    return []


def _first_str(attrs: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = attrs.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _level(value: Any) -> int:
    try:
        return min(max(int(value), 1), 6)
    except (TypeError, ValueError, OverflowError):
        return 1


def _iso_date(timestamp: Any) -> str:
    try:
        millis = float(timestamp)
        return datetime.fromtimestamp(millis / 1000, tz=UTC).date().isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return str(timestamp) if timestamp is not None else ""


def adf_plain_text(node: Any) -> str:
    """All text under ``node``, found without recursion and within a node budget."""
    return _plain_text(node, _NODE_BUDGET)[0]


def _plain_text(node: Any, limit: int) -> tuple[str, int]:
    parts: list[str] = []
    stack: list[Any] = [node]
    used = 0
    while stack and used < limit:
        used += 1
        current = stack.pop()
        if isinstance(current, str):
            parts.append(current)
            continue
        if not isinstance(current, _MAPPING):
            continue
        text = current.get("text")
        if isinstance(text, str):
            parts.append(text)
        else:
            label = _first_str(_attrs(current), "text", "shortName", "url")
            parts.append(label)
        if current.get("type") not in _INLINE_TYPES:
            stack.append("\n")
        stack.extend(reversed(_content(current)))
    text = "\n".join(line.strip() for line in "".join(parts).split("\n") if line.strip())
    return text, used
