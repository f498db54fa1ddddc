"""Crude conversion between Jira wiki markup and Atlassian Document Format (ADF).

The fakes keep rich text the way it was written (ADF from Cloud v3, wiki markup from v2) and convert
only when a different API version reads it.  Only the constructs the fakes' seed data and tests use are
mapped (headings, paragraphs, bullet/ordered lists, code blocks, quotes, rules, a few inline marks); this
is not a faithful converter and does not try to be.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

AdfNode = dict[str, Any]

_HEADING = re.compile(r"^h([1-6])\.\s+(.*)$")
_LIST_ITEM = re.compile(r"^([*#-]+)\s+(.*)$")
_CODE_OPEN = re.compile(r"^\{(code|noformat)(?::([^}]*))?\}(.*)$")
_INLINE = re.compile(
    r"\{\{(?P<code>.+?)\}\}"
    r"|(?<![\w*])\*(?P<strong>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<em>[^_\s](?:[^_]*[^_\s])?)_(?![\w_])"
    r"|\[(?P<label>[^\]|]+)\|(?P<href>[^\]]+)\]"
)


def is_adf(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("type") == "doc"


# --------------------------------------------------------------------------- wiki -> ADF


def _text(text: str, marks: Sequence[AdfNode] = ()) -> AdfNode:
    node: AdfNode = {"type": "text", "text": text}
    if marks:
        node["marks"] = list(marks)
    return node


def _inline(text: str) -> list[AdfNode]:
    nodes: list[AdfNode] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            nodes.append(_text(text[pos : match.start()]))
        if match.group("code") is not None:
            nodes.append(_text(match.group("code"), [{"type": "code"}]))
        elif match.group("strong") is not None:
            nodes.append(_text(match.group("strong"), [{"type": "strong"}]))
        elif match.group("em") is not None:
            nodes.append(_text(match.group("em"), [{"type": "em"}]))
        else:
            nodes.append(_text(match.group("label"), [{"type": "link", "attrs": {"href": match.group("href")}}]))
        pos = match.end()
    if pos < len(text):
        nodes.append(_text(text[pos:]))
    return nodes


def _paragraph(lines: Sequence[str]) -> AdfNode:
    content: list[AdfNode] = []
    for index, line in enumerate(lines):
        if index:
            content.append({"type": "hardBreak"})
        content.extend(_inline(line))
    return {"type": "paragraph", "content": content}


def _list_item(text: str) -> AdfNode:
    return {"type": "listItem", "content": [_paragraph([text])]}


def wiki_to_adf(text: str) -> AdfNode:
    """Wiki markup (or plain text) to an ADF document."""
    content: list[AdfNode] = []
    paragraph: list[str] = []
    current_list: AdfNode | None = None

    def flush() -> None:
        nonlocal current_list
        if paragraph:
            content.append(_paragraph(paragraph))
            paragraph.clear()
        current_list = None

    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        index += 1
        code = _CODE_OPEN.match(stripped)
        if code:
            flush()
            closing = "{" + code.group(1) + "}"
            body: list[str] = [code.group(3)] if code.group(3) else []
            while index < len(lines) and lines[index].strip() != closing:
                body.append(lines[index])
                index += 1
            index += 1  # the closing tag
            block: AdfNode = {"type": "codeBlock", "attrs": {}, "content": []}
            language = (code.group(2) or "").split("|")[0].strip()
            if language:
                block["attrs"]["language"] = language
            if body:
                block["content"] = [_text("\n".join(body))]
            content.append(block)
            continue
        heading = _HEADING.match(stripped)
        item = _LIST_ITEM.match(stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            content.append(
                {
                    "type": "heading",
                    "attrs": {"level": int(heading.group(1))},
                    "content": _inline(heading.group(2)),
                }
            )
        elif stripped == "----":
            flush()
            content.append({"type": "rule"})
        elif stripped.startswith("bq. "):
            flush()
            content.append({"type": "blockquote", "content": [_paragraph([stripped[4:]])]})
        elif item:
            kind = "orderedList" if item.group(1).endswith("#") else "bulletList"
            if paragraph:
                flush()
            if current_list is None or current_list["type"] != kind:
                current_list = {"type": kind, "content": []}
                content.append(current_list)
            current_list["content"].append(_list_item(item.group(2)))
        else:
            current_list = None
            paragraph.append(stripped)
    flush()
    return {"type": "doc", "version": 1, "content": content}


# --------------------------------------------------------------------------- ADF -> wiki / text


def _inline_wiki(nodes: Sequence[Mapping[str, Any]]) -> str:
    parts: list[str] = []
    for node in nodes:
        kind = node.get("type")
        if kind == "text":
            text = str(node.get("text", ""))
            for mark in node.get("marks") or []:
                mark_type = mark.get("type")
                if mark_type == "strong":
                    text = f"*{text}*"
                elif mark_type == "em":
                    text = f"_{text}_"
                elif mark_type == "code":
                    text = "{{" + text + "}}"
                elif mark_type == "strike":
                    text = f"-{text}-"
                elif mark_type == "link":
                    text = f"[{text}|{mark.get('attrs', {}).get('href', '')}]"
            parts.append(text)
        elif kind == "hardBreak":
            parts.append("\n")
        elif kind == "mention":
            parts.append(f"[~accountid:{node.get('attrs', {}).get('id', '')}]")
        elif kind == "emoji":
            parts.append(str(node.get("attrs", {}).get("shortName", "")))
        elif kind in ("inlineCard", "blockCard"):
            parts.append(str(node.get("attrs", {}).get("url", "")))
        else:
            parts.append(_inline_wiki(node.get("content") or []))
    return "".join(parts)


def _blocks_wiki(nodes: Sequence[Mapping[str, Any]], depth: int = 0) -> list[str]:
    blocks: list[str] = []
    for node in nodes:
        kind = node.get("type")
        children: Sequence[Mapping[str, Any]] = node.get("content") or []
        if kind == "paragraph":
            blocks.append(_inline_wiki(children))
        elif kind == "heading":
            blocks.append(f"h{node.get('attrs', {}).get('level', 1)}. {_inline_wiki(children)}")
        elif kind in ("bulletList", "orderedList"):
            bullet = ("*" if kind == "bulletList" else "#") * (depth + 1)
            lines: list[str] = []
            for item in children:
                item_blocks = item.get("content") or []
                text = [b for b in item_blocks if b.get("type") not in ("bulletList", "orderedList")]
                nested = [b for b in item_blocks if b.get("type") in ("bulletList", "orderedList")]
                lines.append(f"{bullet} {' '.join(_blocks_wiki(text, depth))}")
                lines.extend(_blocks_wiki(nested, depth + 1))
            blocks.append("\n".join(lines))
        elif kind == "codeBlock":
            language = node.get("attrs", {}).get("language")
            opener = "{code:" + language + "}" if language else "{code}"
            blocks.append(f"{opener}\n{_inline_wiki(children)}\n{{code}}")
        elif kind == "blockquote":
            blocks.append("bq. " + " ".join(_blocks_wiki(children, depth)))
        elif kind == "rule":
            blocks.append("----")
        elif children:
            blocks.extend(_blocks_wiki(children, depth))
    return blocks


def adf_to_wiki(doc: Mapping[str, Any]) -> str:
    """An ADF document to wiki markup."""
    return "\n\n".join(b for b in _blocks_wiki(doc.get("content") or []) if b)


def adf_to_text(doc: Mapping[str, Any]) -> str:
    """All the text of an ADF document, one block per line, without markup."""
    lines: list[str] = []

    def walk(node: Mapping[str, Any]) -> str:
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "hardBreak":
            return "\n"
        return "".join(walk(child) for child in node.get("content") or [])

    for block in doc.get("content") or []:
        lines.append(walk(block))
    return "\n".join(lines)


def rich_to_text(value: object) -> str:
    """Plain text of a stored rich-text value (ADF or wiki string)."""
    if is_adf(value):
        assert isinstance(value, Mapping)
        return adf_to_text(value)
    return value if isinstance(value, str) else ""


def rich_to_wiki(value: object) -> str | None:
    if value is None:
        return None
    if is_adf(value):
        assert isinstance(value, Mapping)
        return adf_to_wiki(value)
    return str(value)


def rich_to_adf(value: object) -> AdfNode | None:
    if value is None:
        return None
    if isinstance(value, Mapping) and value.get("type") == "doc":
        return copy.deepcopy(dict(value))
    return wiki_to_adf(str(value))


def rich_to_html(value: object) -> str:
    """A crude HTML rendering (for ``expand=renderedFields``): escaped paragraphs."""
    text = rich_to_text(value)
    return "".join(f"<p>{html.escape(block)}</p>" for block in text.split("\n") if block.strip())
