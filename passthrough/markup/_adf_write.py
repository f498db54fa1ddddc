"""Model to ADF nodes, kept within the content rules Jira validates.

Lists, quotes and table cells accept only some block nodes (no headings or rules
inside a quote, a list item must open with a paragraph or code block), so blocks
that would break those rules are degraded instead of sent.
"""

from __future__ import annotations

from typing import Any

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
    blocks_to_inlines,
    tidy,
)

Node = dict[str, Any]
Mark = dict[str, Any]

_PARAGRAPH_ONLY: dict[str, tuple[type, ...]] = {
    "doc": (),
    "item": (Heading, BlockQuote, Rule, Table),
    "quote": (Heading, BlockQuote, Rule, Table),
}


class AdfWriter:
    def __init__(self) -> None:
        self._ids = 0

    def document(self, blocks: list[Block]) -> list[Node]:
        return self._blocks(blocks, "doc")

    def _blocks(self, blocks: list[Block], where: str) -> list[Node]:
        out: list[Node] = []
        for block in blocks:
            out.extend(self._block(block, where))
        return out

    def _block(self, block: Block, where: str) -> list[Node]:
        if isinstance(block, _PARAGRAPH_ONLY[where]):
            if isinstance(block, BlockQuote):
                return self._blocks(block.children, where)
            inlines = blocks_to_inlines([block])
            return [self._paragraph(inlines)] if inlines else []
        if isinstance(block, Paragraph):
            return [self._paragraph(block.children)]
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 6)
            return [{"type": "heading", "attrs": {"level": level}, "content": self._inlines(block.children)}]
        if isinstance(block, CodeBlock):
            node: Node = {"type": "codeBlock", "content": [{"type": "text", "text": block.text}]}
            if not block.text:
                node["content"] = []
            if block.language:
                node["attrs"] = {"language": block.language}
            return [node]
        if isinstance(block, BulletList | OrderedList):
            return [self._list(block)]
        if isinstance(block, BlockQuote):
            return [{"type": "blockquote", "content": self._blocks(block.children, "quote") or [_empty()]}]
        if isinstance(block, Rule):
            return [{"type": "rule"}]
        return [self._table(block)]

    def _paragraph(self, inlines: list[Inline]) -> Node:
        return {"type": "paragraph", "content": self._inlines(inlines)}

    def _list(self, block: BulletList | OrderedList) -> Node:
        if isinstance(block, BulletList) and block.items and all(_is_simple_task(i) for i in block.items):
            return self._task_list(block.items)
        items = [self._item(item) for item in block.items]
        if isinstance(block, OrderedList):
            node: Node = {"type": "orderedList", "content": items}
            if block.start != 1:
                node["attrs"] = {"order": max(block.start, 0)}
            return node
        return {"type": "bulletList", "content": items}

    def _item(self, item: ListItem) -> Node:
        children = list(item.children)
        if item.checked is not None:
            box = Text("[x] " if item.checked else "[ ] ")
            if children and isinstance(children[0], Paragraph):
                children[0] = Paragraph([box, *children[0].children])
            else:
                children.insert(0, Paragraph([box]))
        content = self._blocks(children, "item")
        if not content or content[0]["type"] not in ("paragraph", "codeBlock"):
            content.insert(0, _empty())
        return {"type": "listItem", "content": content}

    def _task_list(self, items: list[ListItem]) -> Node:
        tasks: list[Node] = []
        for item in items:
            inlines = item.children[0].children if item.children and isinstance(item.children[0], Paragraph) else []
            tasks.append(
                {
                    "type": "taskItem",
                    "attrs": {"localId": self._local_id(), "state": "DONE" if item.checked else "TODO"},
                    "content": self._inlines(inlines),
                }
            )
        return {"type": "taskList", "attrs": {"localId": self._local_id()}, "content": tasks}

    def _local_id(self) -> str:
        self._ids += 1
        return f"task-{self._ids}"

    def _table(self, block: Table) -> Node:
        rows: list[Node] = []
        for row in block.rows:
            if row:
                rows.append({"type": "tableRow", "content": [self._cell(cell) for cell in row]})
        return {"type": "table", "content": rows}

    def _cell(self, cell: Cell) -> Node:
        kind = "tableHeader" if cell.header else "tableCell"
        return {"type": kind, "attrs": {}, "content": [self._paragraph(cell.children)]}

    def _inlines(self, nodes: list[Inline]) -> list[Node]:
        # a run of text nodes with the same marks becomes one, joined once: ``+=`` on each
        # made a paragraph of many lines or links quadratic
        out: list[Node] = []
        run: list[str] = []
        for node in self._marked(tidy(nodes), ()):
            previous = out[-1] if out else None
            if (
                previous is not None
                and node["type"] == previous["type"] == "text"
                and node.get("marks") == previous.get("marks")
            ):
                if not run:
                    run.append(previous["text"])
                run.append(node["text"])
                continue
            if run:
                out[-1]["text"] = "".join(run)
                run = []
            out.append(node)
        if run:
            out[-1]["text"] = "".join(run)
        return out

    def _marked(self, nodes: list[Inline], marks: tuple[Mark, ...]) -> list[Node]:
        out: list[Node] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(_text(node.text, marks))
            elif isinstance(node, SoftBreak):
                out.append(_text(" ", marks))
            elif isinstance(node, HardBreak):
                out.append({"type": "hardBreak"})
            elif isinstance(node, Code):
                links = tuple(mark for mark in marks if mark["type"] == "link")
                out.append(_text(node.text, (*links, {"type": "code"})))
            elif isinstance(node, Image):
                out.append(_text(node.alt or node.src, _with(marks, _link_mark(node.src, node.title))))
            elif isinstance(node, Link):
                out.extend(self._marked(node.children, _with(marks, _link_mark(node.href, node.title))))
            else:
                kind = {Strong: "strong", Emph: "em", Strike: "strike"}[type(node)]
                out.extend(self._marked(node.children, _with(marks, {"type": kind})))
        return [node for node in out if node["type"] != "text" or node["text"]]


def _text(text: str, marks: tuple[Mark, ...]) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = [dict(mark) for mark in marks]
    return node


def _with(marks: tuple[Mark, ...], mark: Mark) -> tuple[Mark, ...]:
    return (*(m for m in marks if m["type"] != mark["type"]), mark)


def _link_mark(href: str, title: str) -> Mark:
    attrs = {"href": href, "title": title} if title else {"href": href}
    return {"type": "link", "attrs": attrs}


def _empty() -> Node:
    return {"type": "paragraph", "content": []}


def _is_simple_task(item: ListItem) -> bool:
    if item.checked is None or len(item.children) > 1:
        return False
    return not item.children or isinstance(item.children[0], Paragraph)
