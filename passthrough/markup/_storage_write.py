"""Model to Confluence storage format (well-formed XHTML with ``ac:`` macros)."""

from __future__ import annotations

import re

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

# characters XML 1.0 does not allow at all
_INVALID_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Confluence's code macro knows languages by its own names
_LANGUAGES = {
    "py": "python",
    "js": "javascript",
    "sh": "bash",
    "shell": "bash",
    "zsh": "bash",
    "cs": "csharp",
    "c#": "csharp",
    "c++": "cpp",
    "html": "html/xml",
    "xhtml": "html/xml",
}
_TAGS = {Strong: "strong", Emph: "em", Strike: "s"}


class StorageWriter:
    def __init__(self) -> None:
        self._tasks = 0

    def document(self, blocks: list[Block]) -> str:
        return self._blocks(blocks)

    def _blocks(self, blocks: list[Block]) -> str:
        return "".join(self._block(block) for block in blocks)

    def _block(self, block: Block) -> str:
        if isinstance(block, Paragraph):
            inner = self._inlines(block.children)
            return f"<p>{inner}</p>" if inner else ""
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 6)
            return f"<h{level}>{self._inlines(block.children)}</h{level}>"
        if isinstance(block, CodeBlock):
            return _code_macro(block)
        if isinstance(block, BulletList | OrderedList):
            return self._list(block)
        if isinstance(block, BlockQuote):
            return f"<blockquote>{self._blocks(block.children)}</blockquote>"
        if isinstance(block, Rule):
            return "<hr />"
        return self._table(block)

    def _list(self, block: BulletList | OrderedList) -> str:
        if isinstance(block, BulletList) and block.items and all(i.checked is not None for i in block.items):
            return self._task_list(block.items)
        items = "".join(f"<li>{self._item_body(item)}</li>" for item in block.items)
        if isinstance(block, OrderedList):
            start = f' start="{block.start}"' if block.start != 1 else ""
            return f"<ol{start}>{items}</ol>"
        return f"<ul>{items}</ul>"

    def _item_body(self, item: ListItem) -> str:
        children = list(item.children)
        prefix = ""
        if item.checked is not None:
            prefix = "[x] " if item.checked else "[ ] "
        if children and isinstance(children[0], Paragraph):
            first = self._inlines([Text(prefix), *children[0].children])
            return first + self._blocks(children[1:])
        return _escape(prefix.strip()) + self._blocks(children)

    def _task_list(self, items: list[ListItem]) -> str:
        tasks: list[str] = []
        for item in items:
            self._tasks += 1
            status = "complete" if item.checked else "incomplete"
            tasks.append(
                f"<ac:task><ac:task-id>{self._tasks}</ac:task-id><ac:task-status>{status}</ac:task-status>"
                f"<ac:task-body>{self._item_body(ListItem(item.children))}</ac:task-body></ac:task>"
            )
        return f"<ac:task-list>{''.join(tasks)}</ac:task-list>"

    def _table(self, block: Table) -> str:
        rows = "".join(f"<tr>{''.join(self._cell(cell) for cell in row)}</tr>" for row in block.rows if row)
        return f"<table><tbody>{rows}</tbody></table>" if rows else ""

    def _cell(self, cell: Cell) -> str:
        tag = "th" if cell.header else "td"
        return f"<{tag}>{self._inlines(cell.children)}</{tag}>"

    def _inlines(self, nodes: list[Inline], top: bool = True) -> str:
        return "".join(self._inline(node) for node in (tidy(nodes) if top else nodes))

    def _inline(self, node: Inline) -> str:
        if isinstance(node, Text):
            return _escape(node.text)
        if isinstance(node, HardBreak):
            return "<br />"
        if isinstance(node, SoftBreak):
            return "\n"
        if isinstance(node, Code):
            return f"<code>{_escape(node.text)}</code>"
        if isinstance(node, Link):
            title = f' title="{_escape(node.title, True)}"' if node.title else ""
            return f'<a href="{_escape(node.href, True)}"{title}>{self._inlines(node.children, False)}</a>'
        if isinstance(node, Image):
            return _image(node)
        tag = _TAGS[type(node)]
        return f"<{tag}>{self._inlines(node.children, False)}</{tag}>"


def _code_macro(block: CodeBlock) -> str:
    language = block.language.strip().lower()
    language = _LANGUAGES.get(language, language)
    parameter = f'<ac:parameter ac:name="language">{_escape(language)}</ac:parameter>' if language else ""
    # "]]>" cannot appear inside CDATA: end the section and open another around it
    body = _INVALID_XML_RE.sub("", block.text).replace("]]>", "]]]]><![CDATA[>")
    return (
        f'<ac:structured-macro ac:name="code">{parameter}'
        f"<ac:plain-text-body><![CDATA[{body}]]></ac:plain-text-body></ac:structured-macro>"
    )


def _image(node: Image) -> str:
    alt = f' ac:alt="{_escape(node.alt, True)}"' if node.alt else ""
    if _SCHEME_RE.match(node.src):
        target = f'<ri:url ri:value="{_escape(node.src, True)}" />'
    else:
        target = f'<ri:attachment ri:filename="{_escape(node.src, True)}" />'
    return f"<ac:image{alt}>{target}</ac:image>"


def _escape(text: str, attribute: bool = False) -> str:
    text = _INVALID_XML_RE.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;")
    return text
