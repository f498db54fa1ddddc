"""Storage-format (XHTML) helpers: the well-formedness check Confluence applies on write, plain text for search.

Confluence parses storage bodies as XML on every create/update and answers malformed ones with a 400 such as
``Error parsing xhtml: Unexpected close tag </p>; expected </strong>.`` — HTML named entities (``&nbsp;``)
are accepted, undeclared namespace prefixes too.
"""

from __future__ import annotations

import html
import html.entities
import re
from xml.parsers import expat

_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_HIDDEN = re.compile(r"<(ac:parameter|ac:task-id|ac:task-status)\b[^>]*>.*?</\1>", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_BLOCK = re.compile(r"</?(p|h[1-6]|li|tr|td|th|div|br|ac:task|ac:parameter|table|ul|ol)\b[^>]*>", re.IGNORECASE)
_TAG_NAME = re.compile(r"[A-Za-z_][\w:.-]*")
_ROOT = "fake-storage-root"
_WRAP_OPEN = f"<{_ROOT}>"
_WRAP_CLOSE = f"</{_ROOT}>"


def _numeric_entities(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        chars = html.entities.html5.get(f"{name};")
        if chars is None:
            return match.group(0)  # stays undefined: the parser reports it, as Confluence does
        return "".join(f"&#{ord(c)};" for c in chars)

    return _ENTITY.sub(replace, text)


def storage_error(value: str) -> str | None:
    """None when ``value`` is acceptable storage format, else Confluence's 400 message."""
    document = _WRAP_OPEN + _numeric_entities(value) + _WRAP_CLOSE
    stack: list[str] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, _attrs: stack.append(name)
    parser.EndElementHandler = lambda _name: stack.pop()
    try:
        parser.Parse(document.encode("utf-8"), True)
    except expat.ExpatError as exc:
        row, col = exc.lineno, exc.offset + 1
        if row == 1:
            col -= len(_WRAP_OPEN)
        problem = expat.errors.messages[exc.code] if exc.code is not None else str(exc)
        if exc.code is not None and problem == expat.errors.XML_ERROR_TAG_MISMATCH:
            raw = document.encode("utf-8")[parser.ErrorByteIndex :].decode("utf-8", "replace")
            found = _TAG_NAME.match(raw)  # expat stops right after "</"
            closing = found.group(0) if found else "?"
            expected = stack[-1] if stack else "?"
            if closing == _ROOT:
                problem = f"Unexpected end of input; expected </{expected}>."
                lines = value.split("\n")
                row, col = len(lines), len(lines[-1]) + 1
            elif expected == _ROOT:
                problem = f"Unexpected close tag </{closing}>; no element is open."
            else:
                problem = f"Unexpected close tag </{closing}>; expected </{expected}>."
        return f"Error parsing xhtml: {problem}\n at [row,col {{unknown-source}}]: [{row},{max(col, 1)}]"
    return None


def plain_text(value: str) -> str:
    """The searchable text of a storage body: tags and macro parameters dropped, CDATA kept, entities decoded."""
    text = _HIDDEN.sub(" ", value)
    text = _CDATA.sub(lambda m: " " + html.escape(m.group(1), quote=False) + " ", text)
    text = _BLOCK.sub(" ", text)
    text = _TAG.sub("", text)
    return _SPACE.sub(" ", html.unescape(text)).strip()
