"""Jira wiki markup to the model: a line-oriented block pass and a small inline scanner.

Jira renders a newline inside a paragraph as a line break, so one is read as a hard break.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Protocol

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
    labelled_quote,
    split_task_marker,
    tidy,
)
from ._wiki_syntax import PHRASE_CHARS, URL_RE, can_close, can_open

_MACRO_RE = re.compile(r"\s*\{(code|noformat|quote|panel|info|note|warning|tip)((?::[^}\n]*)?)\}", re.I)
_HEADING_RE = re.compile(r"\s*h([1-6])\.(?:\s+|$)(.*)")
_QUOTE_LINE_RE = re.compile(r"\s*bq\.(?:\s+|$)(.*)")
_RULE_RE = re.compile(r"\s*-{4,}\s*")
_LIST_RE = re.compile(r"\s*([*#]+|-)\s+(.*)")
_TABLE_RE = re.compile(r"\s*\|")
_IMAGE_RE = re.compile(r"!([^\s!|][^!|\n]*?)(?:\|([^!\n]*))?!")
_UNESCAPED = {"}}": re.compile(r"(?<!\\)\}\}"), "]": re.compile(r"(?<!\\)\]")}
_BAR_RE = re.compile(r"(?<!\\)\|")
_BRACED_RE = re.compile(r"\{([*_+^~-])\}")
_COLOR_RE = re.compile(r"\{color(?::[^}\n]*)?\}|\{anchor:[^}\n]*\}", re.I)
_LINKISH_RE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:|www\.|/|#)\S*")
# the first character (after white space) of every line the patterns above match: {macro}, h1., bq., ----,
# * # - lists and | tables (tests/unit/markup/test_wiki_fast_paths.py)
_BLOCK_STARTS = frozenset("{hb-*#|")
_LABELS = {"info": "Info", "note": "Note", "warning": "Warning", "tip": "Tip"}
_WRAPPERS: dict[str, type[Strong | Emph | Strike]] = {"*": Strong, "_": Emph, "-": Strike}


class _Emit(Protocol):
    def __call__(self, *nodes: Inline) -> None: ...


def parse_wiki(text: str, depth: int = 0) -> list[Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _BlockParser(lines, depth).parse()


class _BlockParser:
    def __init__(self, lines: list[str], depth: int) -> None:
        self.lines = lines
        self.depth = depth
        self.blocks: list[Block] = []
        self.paragraph: list[str] = []
        self.quote: BlockQuote | None = None  # the open run of ``bq.`` lines
        self.columns: dict[int, int] = {}  # where reading resumes in a line a macro ended inside

    def parse(self) -> list[Block]:
        index = 0
        while index < len(self.lines):
            index = self._step(index)
        self._flush()
        return self.blocks

    def _step(self, index: int) -> int:
        line = self.lines[index]
        column = self.columns.pop(index, 0)
        if column:
            # the rest of a line after a macro's end: another macro is read in place, anything
            # else is cut off once (cutting it before each macro made a line of them quadratic)
            macro = _MACRO_RE.match(line, column)
            if macro:
                return self._macro(index, macro)
            line = self.lines[index] = line[column:]
        start = line.lstrip()[:1]
        if not start:
            self._flush()
            self.quote = None
            return index + 1
        if start not in _BLOCK_STARTS:  # none of the line patterns below can match: a paragraph's line
            self.paragraph.append(line)
            return index + 1
        macro = _MACRO_RE.match(line)
        if macro:
            self._flush()
            return self._macro(index, macro)
        heading = _HEADING_RE.fullmatch(line)
        if heading:
            self._flush()
            self.blocks.append(Heading(int(heading.group(1)), parse_inline(heading.group(2), self.depth)))
            return index + 1
        quote = _QUOTE_LINE_RE.fullmatch(line)
        if quote:
            self._flush()
            paragraph = Paragraph(parse_inline(quote.group(1), self.depth))
            if self.quote is not None and self.blocks and self.blocks[-1] is self.quote:
                self.quote.children.append(paragraph)
            else:
                self.quote = BlockQuote([paragraph])
                self.blocks.append(self.quote)
            return index + 1
        if _RULE_RE.fullmatch(line):
            self._flush()
            self.blocks.append(Rule())
            return index + 1
        if _TABLE_RE.match(line):
            self._flush()
            return self._table(index)
        if _LIST_RE.fullmatch(line):
            self._flush()
            return self._list(index)
        self.paragraph.append(line)
        return index + 1

    def _flush(self) -> None:
        if self.paragraph:
            inlines = parse_inline("\n".join(line.strip() for line in self.paragraph), self.depth)
            if inlines:
                self.blocks.append(Paragraph(inlines))
            self.paragraph = []

    def _macro(self, index: int, match: re.Match[str]) -> int:
        name = match.group(1).lower()
        params = match.group(2)[1:]
        closing = _closing_re(name)
        body: list[str] = []
        line = self.lines[index]
        position = match.end()
        rest = -1  # where the line goes on after the closing tag
        while True:
            found = closing.search(line, position)
            if found:
                body.append(line[position : found.start()])
                rest = found.end()
                break
            body.append(line[position:])
            if index + 1 >= len(self.lines):
                break
            index += 1
            line = self.lines[index]
            position = 0
        if len(body) > 1 and not body[0].strip():
            body.pop(0)
        if len(body) > 1 and not body[-1].strip():
            body.pop()
        self.blocks.append(self._macro_block(name, params, "\n".join(body)))
        if rest >= 0 and _NON_BLANK_RE.search(line, rest):
            self.columns[index] = rest
            return index
        return index + 1

    def _macro_block(self, name: str, params: str, body: str) -> Block:
        options = _params(params)
        if name in ("code", "noformat"):
            return CodeBlock(body, options.get("language", "") if name == "code" else "")
        inner: list[Block] = [Paragraph([Text(body)])]
        if self.depth < MAX_DEPTH:
            inner = parse_wiki(body, self.depth + 1)
        else:
            note_flattened()
        if name == "quote":
            return BlockQuote(inner)
        return labelled_quote(_LABELS.get(name, ""), options.get("title", ""), inner)

    def _table(self, index: int) -> int:
        rows: list[list[Cell]] = []
        while index < len(self.lines) and _TABLE_RE.match(self.lines[index]):
            cells = [
                Cell(parse_inline(raw.strip(), self.depth), header)
                for header, raw in _split_row(self.lines[index].strip())
            ]
            if cells:
                rows.append(cells)
            index += 1
        if rows:
            self.blocks.append(Table(rows))
        return index

    def _list(self, index: int) -> int:
        stack: list[tuple[str, BulletList | OrderedList]] = []
        while index < len(self.lines):
            match = _LIST_RE.fullmatch(self.lines[index])
            if not match:
                break
            markers = match.group(1).replace("-", "*")
            if len(markers) > MAX_DEPTH:
                note_flattened()
                markers = markers[:MAX_DEPTH]
            kept = 0
            while kept < len(stack) and kept < len(markers) and stack[kept][0] == markers[kept]:
                kept += 1
            del stack[kept:]
            while len(stack) < len(markers):
                kind = markers[len(stack)]
                new: BulletList | OrderedList = BulletList([]) if kind == "*" else OrderedList([])
                if stack:
                    parent = stack[-1][1]
                    if not parent.items:
                        parent.items.append(ListItem([]))
                    parent.items[-1].children.append(new)
                else:
                    self.blocks.append(new)
                stack.append((kind, new))
            checked, inlines = split_task_marker(parse_inline(match.group(2), self.depth))
            stack[-1][1].items.append(ListItem([Paragraph(inlines)] if inlines else [], checked))
            index += 1
        return index


_NON_BLANK_RE = re.compile(r"\S")
_CLOSINGS = {
    name: re.compile(re.escape("{" + name + "}"), re.I)
    for name in _LABELS.keys() | {"code", "noformat", "quote", "panel"}
}


def _closing_re(name: str) -> re.Pattern[str]:
    return _CLOSINGS.get(name) or re.compile(re.escape("{" + name + "}"), re.I)


def _params(raw: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for part in raw.split("|"):
        key, equals, value = part.partition("=")
        if equals:
            options[key.strip().lower()] = value.strip()
        elif part.strip() and "language" not in options:
            options["language"] = part.strip()
    return options


def _split_row(line: str) -> list[tuple[bool, str]]:
    """Cells of ``||h||h||`` / ``|c|c|``, ignoring pipes inside links, macros and escapes."""
    cells: list[tuple[bool, str]] = []
    header = False
    current: list[str] = []
    bracket = brace = 0
    started = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            current.append(line[index : index + 2])
            index += 2
            continue
        if char == "[":
            bracket += 1
        elif char == "]":
            bracket = max(bracket - 1, 0)
        elif char == "{":
            brace += 1
        elif char == "}":
            brace = max(brace - 1, 0)
        elif char == "|" and not bracket and not brace:
            if started:
                cells.append((header, "".join(current)))
            current = []
            started = True
            header = line.startswith("||", index)
            index += 2 if header else 1
            continue
        current.append(char)
        index += 1
    if "".join(current).strip():
        cells.append((header, "".join(current)))
    return cells


def parse_inline(text: str, depth: int = 0) -> list[Inline]:
    if depth <= MAX_DEPTH and _CONSTRUCT_START.search(text) is None:
        return tidy([Text(text)])  # nothing in it can start a construct: what the scanner would give
    return tidy(_InlineParser(text, depth).parse())


# Every character `_InlineParser.parse` treats specially (escapes, breaks, braces, brackets, images, phrase
# marks), and the "://" without which no bare URL is linked
_CONSTRUCT_START = re.compile(r"[\\\n{\[!*_\-+^~]|://")


# A run of characters none of which can start a construct: not a backslash, newline, brace, bracket, bang or
# phrase character, and not an h/f that begins a word (a URL); `parse` copies such runs without a look at each.
_PLAIN_RUN = re.compile(r"(?:[^\\\n{\[!*_\-+^~hfHF]|(?<=[^\W_])[hfHF])+")


class _InlineParser:
    def __init__(self, text: str, depth: int) -> None:
        self.text = text
        self.depth = depth
        self.closers: dict[str, list[int]] = {}
        self.cache: dict[str, tuple[int, int]] = {}

    def find(self, needle: str, start: int) -> int:
        # a hit (or a miss) remembered from an earlier start still holds for a later one
        cached = self.cache.get(needle)
        if cached is not None and cached[0] <= start and (cached[1] == -1 or cached[1] >= start):
            return cached[1]
        found = self.text.find(needle, start)
        self.cache[needle] = (start, found)
        return found

    def line_end(self, start: int) -> int:
        end = self.find("\n", start)
        return len(self.text) if end == -1 else end

    def closer(self, char: str, opener: int) -> int:
        """The first unescaped closing ``char`` after a non-empty run on the opener's line."""
        positions = self.closers.get(char)
        if positions is None:
            text = self.text
            if char in _UNESCAPED:
                positions = [m.start() for m in _UNESCAPED[char].finditer(text)]
            else:
                # only where the character is (found by str.find), not a look at every character of the text
                positions = []
                i = text.find(char)
                while i != -1:
                    prev = text[i - 1] if i else ""
                    if prev != "\\" and can_close(char, prev, text[i + 1 : i + 2]):
                        positions.append(i)
                    i = text.find(char, i + 1)
            self.closers[char] = positions
        found = bisect_right(positions, opener)
        if found < len(positions) and positions[found] < self.line_end(opener):
            return positions[found]
        return -1

    def parse(self) -> list[Inline]:
        if self.depth > MAX_DEPTH:
            note_flattened()
            return [Text(self.text)]
        text = self.text
        out: list[Inline] = []
        buffer: list[str] = []
        index = 0

        def emit(*nodes: Inline) -> None:
            if buffer:
                out.append(Text("".join(buffer)))
                buffer.clear()
            out.extend(nodes)

        while index < len(text):
            char = text[index]
            nxt = text[index + 1 : index + 2]
            if char == "\\":
                if nxt == "\\":
                    emit(HardBreak())
                    index += 2
                elif nxt and not nxt.isalnum() and not nxt.isspace():
                    buffer.append(nxt)
                    index += 2
                else:
                    buffer.append(char)
                    index += 1
                continue
            if char == "\n":
                emit(HardBreak())
                index += 1
                continue
            consumed = self._construct(index, emit)
            if consumed > index:
                index = consumed
                continue
            buffer.append(char)
            index += 1
            plain = _PLAIN_RUN.match(text, index)
            if plain is not None:  # copy characters that cannot start anything in one go
                buffer.append(plain.group(0))
                index = plain.end()
        emit()
        return out

    def _construct(self, index: int, emit: _Emit) -> int:
        text = self.text
        char = text[index]
        if char == "{":
            braced = _BRACED_RE.match(text, index)
            if braced:
                end = self.find(braced.group(0), braced.end())
                if end > braced.end() and end <= self.line_end(index):
                    inner = _InlineParser(text[braced.end() : end], self.depth + 1).parse()
                    wrapper = _WRAPPERS.get(braced.group(1))
                    emit(*([wrapper(inner)] if wrapper else inner))
                    return end + len(braced.group(0))
            if text.startswith("{{", index):
                end = self.closer("}}", index + 2)
                if end > index + 2:
                    emit(Code(re.sub(r"\\([^\w\s])", r"\1", text[index + 2 : end])))
                    return end + 2
            color = _COLOR_RE.match(text, index)
            if color:
                emit()
                return color.end()
        elif char == "[":
            end = self.closer("]", index)
            if end > index:
                nodes = self._link(text[index + 1 : end])
                if nodes is not None:
                    emit(*nodes)
                    return end + 1
        elif char == "!":
            image = _IMAGE_RE.match(text, index)
            if image and re.search(r"[./]", image.group(1)):
                emit(Image(image.group(1).strip(), _alt(image.group(2) or "")))
                return image.end()
        elif char in "hfHF" and (index == 0 or not text[index - 1].isalnum()):
            url = URL_RE.match(text, index)
            if url:
                emit(Link(url.group(0), [Text(url.group(0))]))
                return url.end()
        if char in PHRASE_CHARS:
            prev = text[index - 1] if index else ""
            if can_open(char, prev, text[index + 1 : index + 2]):
                end = self.closer(char, index + 1)
                if end > index + 1:
                    inner = _InlineParser(text[index + 1 : end], self.depth + 1).parse()
                    wrapper = _WRAPPERS.get(char)
                    if wrapper is None:
                        emit(*inner)
                    else:
                        emit(wrapper(inner))
                    return end + 1
        return index

    def _link(self, content: str) -> list[Inline] | None:
        parts = _BAR_RE.split(content)
        alias, target = (parts[0], parts[1]) if len(parts) > 1 else ("", parts[0])
        target = target.strip()
        if target.startswith("~"):
            return [Text("@" + target[1:].removeprefix("accountid:"))]
        if target.startswith("^"):
            return [Text(alias.strip() or target[1:])]
        if not _LINKISH_RE.fullmatch(target):
            return None
        href = "http://" + target if target.startswith("www.") else target
        children: list[Inline] = [Text(target)]
        if alias.strip():
            children = _InlineParser(alias.strip(), self.depth + 1).parse()
        return [Link(href, children)]


def _alt(params: str) -> str:
    for part in params.split(","):
        key, equals, value = part.partition("=")
        if equals and key.strip().lower() == "alt":
            return value.strip().strip('"')
    return ""
