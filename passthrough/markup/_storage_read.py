"""Confluence storage format to the model.

Storage is XHTML but routinely carries HTML entities (``&nbsp;``) that an XML
parser rejects, and pages saved by other tools are not always well formed.  So it
is read forgivingly, the way ``html.parser`` reads it, into a small element tree;
CDATA sections are turned into escaped text first, since ``html.parser`` does not
treat them as XML does.

``html.parser`` took most of the time of reading a page (a method call per construct,
line numbers kept), so a page made only of the constructs storage is written in (tags
with quoted attributes, end tags, plain comments) is read by one regular expression of
our own into the very same tree; anything else in a page (a bare ``<``, a doctype, an
unquoted attribute, ``<script>``) sends the whole page through ``html.parser`` as before.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from ._limits import note_flattened
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

_CDATA_RE = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|$)", re.DOTALL)
# how html.parser finds the end of a comment and of a marked section (``<![if ...]>``)
_COMMENT_CLOSE_RE = re.compile(r"--\s*>")
_SECTION_CLOSE_RE = re.compile(r"\]\s*>")
_VOID = frozenset({"br", "hr", "img", "col", "input", "meta", "link", "area", "base", "wbr", "source"})
_SKIPPED = frozenset({"script", "style", "ac:parameter", "ac:placeholder", "colgroup", "head", "title"})
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "table",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "figure",
        "dl",
        "dt",
        "dd",
        "ac:layout",
        "ac:layout-section",
        "ac:layout-cell",
        "ac:task-list",
        "ac:rich-text-body",
        "body",
        "html",
    }
)
_CODE_MACROS = frozenset({"code", "noformat", "code-block"})
_PANELS = {"info": "Info", "note": "Note", "warning": "Warning", "tip": "Tip", "panel": ""}
_INLINE_TAGS: dict[str, type[Strong | Emph | Strike]] = {
    "strong": Strong,
    "b": Strong,
    "em": Emph,
    "i": Emph,
    "s": Strike,
    "del": Strike,
    "strike": Strike,
}


class Element:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.tag = tag
        self.attrs: dict[str, str] = {} if attrs is None else attrs
        self.children: list[Element | str] = []

    def child(self, tag: str) -> Element | None:
        for child in self.children:
            if type(child) is Element and child.tag == tag:
                return child
        return None

    def text(self) -> str:
        parts: list[str] = []
        stack: list[Element | str] = [self]
        while stack:
            node = stack.pop()
            if type(node) is str:
                parts.append(node)
            else:
                stack.extend(reversed(node.children))  # type: ignore[union-attr]
        return "".join(parts)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root")
        self.stack = [self.root]
        self.open: dict[str, int] = {}  # how many elements of each tag the stack holds

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)
            self.open[tag] = self.open.get(tag, 0) + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {key: value or "" for key, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        # An end tag closes the nearest open element of its name and everything above it.
        # The count answers "is there one?" at once, so a stray end tag does not scan a deep
        # stack of unclosed elements; when there is one, every element scanned is popped.
        if not self.open.get(tag):
            return
        while True:
            element = self.stack.pop()
            self.open[element.tag] -= 1
            if element.tag == tag:
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_storage_tree(storage: str) -> Element:
    if "<![CDATA[" in storage:
        storage = _CDATA_RE.sub(_escaped_cdata, storage)
    text = _unterminated_as_text(storage)
    root = _read_plain(text)
    if root is None:
        builder = _TreeBuilder()
        builder.feed(text)
        builder.close()
        root = builder.root
    return root


def _escaped_cdata(match: re.Match[str]) -> str:
    return html.escape(match.group(1), quote=False)


# What `_read_plain` reads: the constructs on which ``html.parser`` (3.11 to 3.13) calls
# handle_starttag, handle_startendtag, handle_endtag or handle_comment with just what the
# text says.  A start tag: a name of ASCII letters, digits and ``:_.-``; attributes after
# ASCII whitespace, each a name alone or with a value in quotes (no ``<`` in it); then
# ``>`` or ``/>``.  An end tag: a name, whitespace, ``>``.  A comment: no ``--`` in it,
# no ``>`` or ``->`` right after ``<!--``.  Any other ``<`` matches the last, empty group.
_SPACE = r"[ \t\n\r\f]"


def _attribute(capture: bool) -> str:
    """One attribute after its whitespace: a name alone, or with a value in double or single quotes;
    with ``capture``, the name and the value (whichever quotes) are groups."""
    group = "(" if capture else "(?:"
    return (
        rf"""{_SPACE}+{group}[a-zA-Z_:][a-zA-Z0-9:_.-]*)"""
        rf"""(?:{_SPACE}*={_SPACE}*(?:"{group}[^"<]*)"|'{group}[^'<]*)'))?"""
    )


_ATTRIBUTE_RE = re.compile(_attribute(capture=True))
_CONSTRUCT_RE = re.compile(
    rf"""<(?:(/?)([a-zA-Z][a-zA-Z0-9:_.-]*)"""
    rf"""((?:{_attribute(capture=False)})*)"""
    rf"""{_SPACE}*(/?)>"""
    r"""|!--(?!-?>)[^-]*(?:-[^-]+)*-->"""
    r"""|())"""
)
# Elements whose content ``html.parser`` reads as raw text, in one version or another.
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
)


def _read_plain(text: str) -> Element | None:
    """The tree `_TreeBuilder` makes of ``text``, or None when ``text`` holds a construct
    this reader leaves to ``html.parser``.  One pass; the text between two constructs
    becomes one string, entities decoded, as ``html.parser`` hands it to handle_data."""
    root = Element("root")
    stack = [root]
    children = root.children
    open_tags: dict[str, int] = {}  # as in _TreeBuilder
    unescape = html.unescape
    void = _VOID
    # split, not finditer: a page left to html.parser is split for nothing, but an ordinary page is
    # read 30 % faster (measured on the bench page: 1.5 ms against 2.1 ms)
    parts = _CONSTRUCT_RE.split(text)  # text, the five groups of a construct, text, ...
    each = iter(parts)
    for data, closing, name, attributes, empty, other in zip(each, each, each, each, each, each, strict=False):
        if data:
            children.append(unescape(data) if "&" in data else data)
        if name is None:
            if other is not None:
                return None
            continue  # a comment
        tag = name.lower()
        if closing:
            if attributes or empty:
                return None
            if open_tags.get(tag):
                while True:
                    element = stack.pop()
                    open_tags[element.tag] -= 1
                    if element.tag == tag:
                        break
                children = stack[-1].children
            continue
        if tag in _RAW_TEXT:
            return None
        element = Element(tag, _attributes(attributes) if attributes else None)
        children.append(element)
        if not empty and tag not in void:
            stack.append(element)
            open_tags[tag] = open_tags.get(tag, 0) + 1
            children = element.children
    data = parts[-1]  # the text after the last construct (zip took it and stopped), or all of it
    if data:
        children.append(unescape(data) if "&" in data else data)
    return root


def _attributes(text: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE_RE.findall(text):
        # findall gives "" for a group that took no part: a name alone and an empty value
        # both give "", as ``value or ""`` makes of what html.parser reports for them
        value = double or single
        attributes[name.lower()] = html.unescape(value) if "&" in value else value
    return attributes


def _unterminated_as_text(text: str) -> str:
    """Escape the ``<`` of every construct that nothing later in the text can end.

    ``html.parser`` (before Python 3.13.4 / 3.12.11) looks for the end of such a construct
    from every ``<`` again, to the end of the input, which makes ``"<a " * n`` or
    ``"<!--x>" * n`` cost ``n**2``.  It reads them as text at the end anyway, so escaping
    them first gives the same tree in one pass: a ``<`` after the last ``>``, a comment
    opened after the last ``-->``, a marked section opened after the last ``]>``.
    """
    last_gt = text.rfind(">")
    head, tail = text[: last_gt + 1], text[last_gt + 1 :].replace("<", "&lt;")
    head = _escape_after_last(head, _COMMENT_CLOSE_RE, "<!--")
    head = _escape_after_last(head, _SECTION_CLOSE_RE, "<![")
    return head + tail


def _escape_after_last(text: str, closer: re.Pattern[str], opener: str) -> str:
    if opener not in text:
        return text
    cut = 0
    for match in closer.finditer(text):
        cut = match.end()
    rest = text[cut:]
    return text[:cut] + rest.replace(opener, "&lt;" + opener[1:]) if opener in rest else text


def parse_storage(storage: str) -> list[Block]:
    return _Reader().blocks(parse_storage_tree(storage).children, 0)


class _Reader:
    def blocks(self, nodes: list[Element | str], depth: int) -> list[Block]:
        out: list[Block] = []
        pending: list[Element | str] = []
        for node in nodes:
            if isinstance(node, Element) and self._is_block(node):
                self._flush(pending, out, depth)
                out.extend(self.block(node, depth + 1))
            else:
                pending.append(node)
        self._flush(pending, out, depth)
        return out

    def _flush(self, pending: list[Element | str], out: list[Block], depth: int) -> None:
        if pending:
            inlines = tidy(self.inlines(pending, depth), collapse=True)
            if inlines:
                out.append(Paragraph(inlines))
            pending.clear()

    def _is_block(self, element: Element) -> bool:
        if element.tag in _BLOCK_TAGS:
            return True
        if element.tag in ("ac:structured-macro", "ac:macro"):
            name = element.attrs.get("ac:name", "").lower()
            has_body = element.child("ac:rich-text-body") or element.child("ac:plain-text-body")
            return name in _CODE_MACROS or name in _PANELS or has_body is not None
        return False

    def block(self, element: Element, depth: int) -> list[Block]:
        tag = element.tag
        if depth > MAX_DEPTH:
            note_flattened()
            text = squash_text(element.text())
            return [Paragraph([Text(text)])] if text else []
        if tag[:1] == "h" and tag[1:].isdigit() and 1 <= int(tag[1:]) <= 6:
            inlines = tidy(self.inlines(element.children, depth), collapse=True)
            return [Heading(int(tag[1:]), inlines)]
        if tag in ("ul", "ol"):
            return [self._list(element, depth)]
        if tag == "blockquote":
            return [BlockQuote(self.blocks(element.children, depth))]
        if tag == "pre":
            return [CodeBlock(_strip_newlines(element.text()))]
        if tag == "table":
            return [self._table(element, depth)]
        if tag == "hr":
            return [Rule()]
        if tag in ("ac:structured-macro", "ac:macro"):
            return self._macro_block(element, depth)
        if tag == "ac:task-list":
            return [BulletList(self._tasks(element, depth))]
        return self.blocks(element.children, depth)

    def _list(self, element: Element, depth: int) -> BulletList | OrderedList:
        items: list[ListItem] = []
        for child in element.children:
            if not isinstance(child, Element):
                if child.strip() and items:
                    items[-1].children.extend(self.blocks([child], depth))
                continue
            if child.tag == "li":
                items.append(ListItem(self.blocks(child.children, depth)))
            elif items:
                items[-1].children.extend(self.blocks([child], depth))
            else:
                items.append(ListItem(self.blocks([child], depth)))
        if element.tag == "ol":
            start = element.attrs.get("start", "1").strip()
            return OrderedList(items, int(start) if start.isdigit() else 1)
        return BulletList(items)

    def _tasks(self, element: Element, depth: int) -> list[ListItem]:
        items: list[ListItem] = []
        for child in element.children:
            if not isinstance(child, Element):
                continue
            if child.tag == "ac:task":
                status = child.child("ac:task-status")
                body = child.child("ac:task-body")
                done = status is not None and status.text().strip().lower() == "complete"
                items.append(ListItem(self.blocks(body.children, depth) if body else [], done))
            elif child.tag == "ac:task-list":
                nested = BulletList(self._tasks(child, depth + 1)) if depth < MAX_DEPTH else None
                if nested is None:
                    note_flattened()
                if nested is not None and items:
                    items[-1].children.append(nested)
        return items

    def _table(self, element: Element, depth: int) -> Table:
        rows: list[list[Cell]] = []
        for row in _rows(element):
            cells = [
                Cell(blocks_to_inlines(self.blocks(cell.children, depth)), header=cell.tag == "th")
                for cell in row.children
                if isinstance(cell, Element) and cell.tag in ("th", "td")
            ]
            if cells:
                rows.append(cells)
        return Table(rows)

    def _macro_block(self, element: Element, depth: int) -> list[Block]:
        name = element.attrs.get("ac:name", "").lower()
        params = _params(element)
        plain = element.child("ac:plain-text-body")
        rich = element.child("ac:rich-text-body")
        if name in _CODE_MACROS:
            body = plain.text() if plain is not None else (rich.text() if rich is not None else "")
            return [CodeBlock(_strip_newlines(body), params.get("language", "") if name != "noformat" else "")]
        body_blocks: list[Block] = []
        if rich is not None:
            body_blocks = self.blocks(rich.children, depth)
        elif plain is not None:
            body_blocks = _text_paragraphs(plain.text())
        if name in _PANELS:
            return [labelled_quote(_PANELS[name], params.get("title", ""), body_blocks)]
        if rich is None and plain is None:
            return [Paragraph(self._macro_inline(element, depth))]
        title = params.get("title", "")
        if name == "expand" and title:
            return [Paragraph([Strong([Text(title)])]), *body_blocks]
        return body_blocks

    def _macro_inline(self, element: Element, depth: int) -> list[Inline]:
        name = element.attrs.get("ac:name", "").lower()
        params = _params(element)
        plain = element.child("ac:plain-text-body")
        rich = element.child("ac:rich-text-body")
        if name in _CODE_MACROS and plain is not None:
            return [Code(plain.text())]
        if name == "status":
            return [Text(params.get("title", "") or params.get("colour", ""))]
        if name == "jira" and params.get("key"):
            return [Text(params["key"])]
        if name == "anchor":
            return []
        if rich is not None:
            return self.inlines(rich.children, depth)
        if plain is not None:
            return [Text(plain.text())]
        return [Text(f"[macro: {name or 'unknown'}]")]

    def inlines(self, nodes: list[Element | str], depth: int) -> list[Inline]:
        out: list[Inline] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(Text(node))
            else:
                out.extend(self.inline(node, depth + 1))
        return out

    def inline(self, element: Element, depth: int) -> list[Inline]:
        tag = element.tag
        attrs = element.attrs
        if tag in _SKIPPED or tag.startswith("ri:"):
            return []
        if depth > MAX_DEPTH:
            note_flattened()
            return [Text(element.text())]
        if tag == "br":
            return [HardBreak()]
        if tag in _INLINE_TAGS:
            return [_INLINE_TAGS[tag](self.inlines(element.children, depth))]
        if tag in ("code", "tt", "kbd", "samp"):
            return [Code(re.sub(r"\s+", " ", element.text()))]
        if tag == "span" and "line-through" in attrs.get("style", ""):
            return [Strike(self.inlines(element.children, depth))]
        if tag == "a":
            children = self.inlines(element.children, depth)
            href = attrs.get("href", "")
            return [Link(href, children, attrs.get("title", ""))] if href else children
        if tag == "img":
            return [Image(attrs.get("src", ""), attrs.get("alt", ""))]
        if tag == "ac:image":
            return self._image(element)
        if tag == "ac:link":
            return self._link(element, depth)
        if tag == "ac:emoticon":
            fallback = attrs.get("ac:emoji-fallback") or f":{attrs.get('ac:name', 'emoticon')}:"
            return [Text(fallback)]
        if tag == "time":
            return [Text(attrs.get("datetime", "") or element.text())]
        if tag in ("ac:structured-macro", "ac:macro"):
            return self._macro_inline(element, depth)
        if tag in _BLOCK_TAGS:
            return [HardBreak(), *blocks_to_inlines(self.block(element, depth)), HardBreak()]
        return self.inlines(element.children, depth)

    def _image(self, element: Element) -> list[Inline]:
        alt = element.attrs.get("ac:alt", "")
        attachment = element.child("ri:attachment")
        url = element.child("ri:url")
        if attachment is not None:
            return [Image(attachment.attrs.get("ri:filename", ""), alt)]
        if url is not None:
            return [Image(url.attrs.get("ri:value", ""), alt)]
        return [Text("[image]")]

    def _link(self, element: Element, depth: int) -> list[Inline]:
        body: list[Inline] = []
        rich = element.child("ac:link-body")
        plain = element.child("ac:plain-text-link-body")
        if rich is not None:
            body = self.inlines(rich.children, depth)
        elif plain is not None:
            body = [Text(plain.text())]
        if not tidy(body, collapse=True):
            body = []
        target = next((c for c in element.children if isinstance(c, Element) and c.tag.startswith("ri:")), None)
        if target is None:
            anchor = element.attrs.get("ac:anchor", "")
            return body or ([Text(f"#{anchor}")] if anchor else [])
        attrs = target.attrs
        if target.tag == "ri:url":
            href = attrs.get("ri:value", "")
            return [Link(href, body or [Text(href)])] if href else body
        if target.tag == "ri:user":
            name = attrs.get("ri:username") or attrs.get("ri:userkey") or attrs.get("ri:account-id") or "user"
            return body or [Text("@" + name)]
        label = (
            attrs.get("ri:content-title")
            or attrs.get("ri:filename")
            or attrs.get("ri:space-key")
            or attrs.get("ri:value", "")
        )
        return body or ([Text(label)] if label else [])


def _rows(table: Element) -> list[Element]:
    rows: list[Element] = []
    for child in table.children:
        if not isinstance(child, Element):
            continue
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child.children if isinstance(c, Element) and c.tag == "tr")
    return rows


def _params(element: Element) -> dict[str, str]:
    params: dict[str, str] = {}
    for child in element.children:
        if isinstance(child, Element) and child.tag == "ac:parameter":
            params[child.attrs.get("ac:name", "").lower()] = child.text().strip()
    return params


def _text_paragraphs(text: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        inlines: list[Inline] = []
        for line in lines:
            if inlines:
                inlines.append(HardBreak())
            inlines.append(Text(line))
        if inlines:
            blocks.append(Paragraph(inlines))
    return blocks


def _strip_newlines(text: str) -> str:
    text = text[1:] if text.startswith("\n") else text
    return text.rstrip("\n")
