"""Small builders that keep the ADF tables readable."""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]


def doc(*content: Node) -> Node:
    return {"type": "doc", "version": 1, "content": list(content)}


def p(*content: Node) -> Node:
    return {"type": "paragraph", "content": list(content)}


def t(text: str, *marks: str | Node) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": m} if isinstance(m, str) else m for m in marks]
    return node


def link(href: str) -> Node:
    return {"type": "link", "attrs": {"href": href}}


def h(level: int, *content: Node) -> Node:
    return {"type": "heading", "attrs": {"level": level}, "content": list(content)}


def li(*content: Node) -> Node:
    return {"type": "listItem", "content": list(content)}


def ul(*items: Node) -> Node:
    return {"type": "bulletList", "content": list(items)}


def ol(*items: Node, order: int | None = None) -> Node:
    node: Node = {"type": "orderedList", "content": list(items)}
    if order is not None:
        node["attrs"] = {"order": order}
    return node


def code(text: str, language: str | None = None) -> Node:
    node: Node = {"type": "codeBlock", "content": [t(text)] if text else []}
    if language:
        node["attrs"] = {"language": language}
    return node


def quote(*content: Node) -> Node:
    return {"type": "blockquote", "content": list(content)}


def cell(text: str, header: bool = False) -> Node:
    return {"type": "tableHeader" if header else "tableCell", "attrs": {}, "content": [p(t(text))]}


def row(*cells: Node) -> Node:
    return {"type": "tableRow", "content": list(cells)}


def table(*rows: Node) -> Node:
    return {"type": "table", "content": list(rows)}


BR: Node = {"type": "hardBreak"}
RULE: Node = {"type": "rule"}
