"""One heading's section of a Confluence page, found in its storage XHTML and replaced in place.

A section is what follows a heading (`<h1>`…`<h6>`) up to the next heading of the same or a higher
level under the same parent element, or up to the end of that parent (a layout cell, a macro's rich-text
body, the page). The replacement is a splice of the storage string at those two offsets, so every byte
before and after (macros, tables, nested lists, whitespace, entities) stays exactly as it was.

The scan is one pass over the text: each `<` is looked at once, tags are matched by expressions that
cannot backtrack (possessive quantifiers, and no alternative spans a `<`), comments and CDATA are
skipped with `str.find`, and nesting lives in a list, not in recursion. Malformed markup is tolerated the
way browsers do (an end tag closes what it matches; a stray one is ignored), never with an exception.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

_START = re.compile(r"<([A-Za-z][\w:.-]*+)((?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+)>")
_END = re.compile(r"</([A-Za-z][\w:.-]*+)\s*+>")
_LEVELS = {f"h{n}": n for n in range(1, 7)}
# HTML elements that never have content, for pages that write `<br>` rather than `<br/>`
_VOID = frozenset({"br", "hr", "img", "col", "input", "meta", "link", "area", "base", "wbr", "source", "embed"})
_SKIPS = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">"))
_MARKDOWN_HEADING = re.compile(r"#{1,6}+[ \t]++")


class Heading(NamedTuple):
    level: int
    text: str  # its text, entities decoded and whitespace collapsed
    start: int  # offset of its `<hN`
    body_start: int  # just after its `</hN>`: where the section's content begins
    body_end: int  # where the section ends (the next heading of its level or higher, or its parent's end)
    closed: bool  # it had its own end tag


def normalise(text: str) -> str:
    return " ".join(text.split())


class _Found:
    """A heading while the scan is under way."""

    __slots__ = ("body_end", "body_start", "closed", "level", "start", "texts")

    def __init__(self, level: int, start: int, end: int) -> None:
        self.level = level
        self.texts: list[str] = []
        self.start = start
        self.body_start = end
        self.body_end = end
        self.closed = False


class _Open(NamedTuple):
    name: str
    serial: int
    heading: _Found | None


def outline(storage: str) -> list[Heading]:
    """Every heading of `storage`, in document order, with the bounds of its section."""
    n = len(storage)
    found: list[_Found] = []
    stack: list[_Open] = []
    open_names: dict[str, int] = {}  # how many elements of each name are open: a stray end tag costs O(1)
    pending: dict[int, list[_Found]] = {0: []}  # parent serial -> headings whose section is open there
    headings_open: list[_Found] = []  # innermost last; text goes to the innermost
    serial = 0
    pos = 0

    def end_sections(parent: int, at: int, level: int = 0) -> None:
        open_here = pending.get(parent)
        while open_here and open_here[-1].level >= level:
            open_here.pop().body_end = at

    def close(element: _Open, at: int, own_end: int | None) -> None:
        open_names[element.name] -= 1
        end_sections(element.serial, at)
        del pending[element.serial]
        if element.heading is not None:
            element.heading.body_start = own_end if own_end is not None else at
            element.heading.closed = own_end is not None
            headings_open.pop()

    while pos < n:
        lt = storage.find("<", pos)
        stop = n if lt < 0 else lt
        if headings_open and stop > pos:
            headings_open[-1].texts.append(storage[pos:stop])
        if lt < 0:
            break
        pos = _skip(storage, lt, headings_open[-1].texts if headings_open else None)
        if pos > lt:
            continue
        if storage.startswith("</", lt):
            end = _END.match(storage, lt)
            if end is None:
                pos = lt + 1  # a lone "</" is text
                continue
            pos = end.end()
            name = end.group(1).lower()
            if open_names.get(name, 0) > 0:
                while stack[-1].name != name:
                    close(stack.pop(), lt, None)
                close(stack.pop(), lt, pos)
            continue
        tag = _START.match(storage, lt)
        if tag is None:
            pos = lt + 1  # a "<" that starts no tag is text
            continue
        pos = tag.end()
        name = tag.group(1).lower()
        if tag.group(2).endswith("/") or name in _VOID:
            continue
        parent = stack[-1].serial if stack else 0
        serial += 1
        heading = None
        level = _LEVELS.get(name, 0)
        if level:
            end_sections(parent, lt, level)
            heading = _Found(level, lt, n)
            found.append(heading)
            pending[parent].append(heading)
            headings_open.append(heading)
        stack.append(_Open(name, serial, heading))
        open_names[name] = open_names.get(name, 0) + 1
        pending[serial] = []
    while stack:
        close(stack.pop(), n, None)
    return [
        Heading(h.level, normalise(html.unescape("".join(h.texts))), h.start, h.body_start, h.body_end, h.closed)
        for h in found
    ]


def _skip(storage: str, lt: int, texts: list[str] | None) -> int:
    """Past a comment, CDATA section, processing instruction or declaration at `lt`; `lt` if none is there.
    CDATA inside a heading is part of its text."""
    for opener, closer in _SKIPS:
        if storage.startswith(opener, lt):
            end = storage.find(closer, lt + len(opener))
            if end < 0:
                end = len(storage)
            if texts is not None and opener == "<![CDATA[":
                texts.append(storage[lt + len(opener) : end])
            return min(len(storage), end + len(closer))
    return lt


SHOWN_HEADINGS = 50  # at most this many headings are named when one is not found


class Spliced(NamedTuple):
    """What `replace_section` did: the new storage and the heading it replaced under, or why it did not."""

    storage: str | None  # None when nothing was replaced
    heading: Heading | None  # the heading matched (the first, when several matched)
    matches: int  # headings whose text matched: 0 is not found, more than 1 is ambiguous
    headings: tuple[Heading, ...]  # the page's first SHOWN_HEADINGS headings
    total: int  # how many headings the page has


def matching(headings: list[Heading], wanted: str) -> list[Heading]:
    """The headings whose text is `wanted` (whitespace collapsed, case kept); a Markdown `## ` prefix on
    `wanted` is dropped when nothing matches with it."""
    target = normalise(wanted)
    hits = [h for h in headings if h.text == target]
    prefix = _MARKDOWN_HEADING.match(target)
    if not hits and prefix:
        hits = [h for h in headings if h.text == target[prefix.end() :]]
    return hits


def replace_section(job: tuple[str, str, str]) -> Spliced:
    """`(storage, heading text, new storage fragment)`: the storage with that heading's section replaced by
    the fragment. The heading itself stays; a copy of it opening the fragment is dropped."""
    storage, wanted, fragment = job
    headings = outline(storage)
    hits = matching(headings, wanted)
    shown = tuple(headings[:SHOWN_HEADINGS])
    if len(hits) != 1 or not hits[0].closed:
        return Spliced(None, hits[0] if hits else None, len(hits), shown, len(headings))
    heading = hits[0]
    body = _without_heading(fragment, heading.text)
    return Spliced(storage[: heading.body_start] + body + storage[heading.body_end :], heading, 1, shown, len(headings))


def _without_heading(fragment: str, text: str) -> str:
    """`fragment` without a leading heading whose text is `text` (the section's own heading, repeated)."""
    lead = len(fragment) - len(fragment.lstrip())
    if not fragment.startswith("<h", lead):
        return fragment
    first = next(iter(outline(fragment)), None)
    if first is not None and first.start == lead and first.closed and first.text == text:
        return fragment[first.body_start :].lstrip("\n")
    return fragment


def unbalanced(fragment: str) -> str | None:
    """Why `fragment` cannot stand on its own between two elements (an end tag it did not open, an element
    it leaves open), or None when it can."""
    stack: list[str] = []
    pos = 0
    n = len(fragment)
    while pos < n:
        lt = fragment.find("<", pos)
        if lt < 0:
            break
        pos = _skip(fragment, lt, None)
        if pos > lt:
            continue
        end = _END.match(fragment, lt) if fragment.startswith("</", lt) else None
        if end is not None:
            name = end.group(1).lower()
            if not stack or stack[-1] != name:
                return f"</{end.group(1)}> at character {lt} closes an element the content did not open"
            stack.pop()
            pos = end.end()
            continue
        tag = _START.match(fragment, lt)
        if tag is None:
            pos = lt + 1
            continue
        pos = tag.end()
        name = tag.group(1).lower()
        if not tag.group(2).endswith("/") and name not in _VOID:
            stack.append(name)
    if stack:
        return f"<{stack[-1]}> is never closed"
    return None
