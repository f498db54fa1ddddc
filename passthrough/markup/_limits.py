"""How much text a conversion takes, and what happens beyond that.

Every conversion is linear in its input, but one shared server converts for every
user, so input is bounded as well:

* Text a client sends (Markdown for a comment, description or page) may be at most
  ``MAX_CLIENT_CHARS`` characters and nest at most ``MAX_DEPTH`` levels; beyond either,
  the strict entry points raise a ``TextTooLong`` or ``NestingTooDeep`` that tells the
  caller what to do, because sending upstream something other than what was written
  would be worse than refusing it.
* Content an upstream sends back is read up to ``MAX_UPSTREAM_CHARS`` characters and
  ``MAX_DEPTH`` levels of nesting; what lies beyond is cut off or shown as plain text,
  and the Markdown ends with a note that says so.  Reading never fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from passthrough.errors import InvalidArguments

from ._model import MAX_DEPTH

MAX_CLIENT_CHARS = 512 * 1024
"""Characters of Markdown per text field a client may send (512 KiB of ASCII; Jira
Cloud itself refuses a comment over 32,767 characters, Confluence pages rarely pass 1 MB)."""

MAX_UPSTREAM_CHARS = 1024 * 1024
"""Characters of one upstream rich-text field that are read; the rest is cut off."""


class MarkupLimit(InvalidArguments):
    """Client text beyond one of the limits below."""


STEPS_PER_CHAR = 8
BASE_STEPS = 200_000
"""The Markdown parser may try ``BASE_STEPS + STEPS_PER_CHAR * len(text)`` rules on one text.
Prose takes well under one step per character, a page of one-letter lines about nine;
what takes more (quotes nested forty deep over thousands of lines, runs of unclosed
brackets) is linear too, but dozens of times slower per character."""


class TextTooLong(MarkupLimit):
    def __init__(self, length: int, limit: int = MAX_CLIENT_CHARS) -> None:
        super().__init__(
            f"The text is {length:,} characters long; the limit is {limit:,} characters "
            f"({limit // 1024} KiB) per text field. Split it into several smaller pieces "
            "(for example several comments or pages) and send them one at a time."
        )
        self.length = length
        self.limit = limit

    def __reduce__(self) -> tuple[type, tuple[int, int]]:  # raised in a worker process, re-raised here
        return (type(self), (self.length, self.limit))


class NestingTooDeep(MarkupLimit):
    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(
            f"The Markdown nests quotes, lists or emphasis more than {limit} levels deep (a list "
            f"counts two: the list and its item); the limit is {limit} levels. Flatten the "
            "structure and send it again."
        )
        self.limit = limit

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return (type(self), (self.limit,))


class TooComplex(MarkupLimit):
    def __init__(self, length: int) -> None:
        limit = BASE_STEPS + STEPS_PER_CHAR * length
        super().__init__(
            f"The Markdown is too complex to convert: reading its {length:,} characters would take "
            f"more than {limit:,} parsing steps (the limit is {BASE_STEPS:,} plus {STEPS_PER_CHAR} per "
            "character). Deeply nested quotes or lists spanning many lines, or long runs of unclosed "
            "brackets, cause this; simplify the structure and send it again."
        )
        self.length = length
        self.limit = limit

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return (type(self), (self.length,))


TRUNCATED_NOTE = (
    f"[Truncated: this content is longer than {MAX_UPSTREAM_CHARS:,} characters; "
    "only the first part is shown. Open the original to read the rest.]"
)
FLATTENED_NOTE = (
    f"[Note: parts of this content are nested more than {MAX_DEPTH} levels deep and are shown as plain text.]"
)


def check_client_text(text: object) -> None:
    if isinstance(text, str) and len(text) > MAX_CLIENT_CHARS:
        raise TextTooLong(len(text))


# What a reader had to leave out, collected for the conversion running in this context
# (each worker of the pool has a context of its own).
_NOTES: ContextVar[set[str] | None] = ContextVar("markup_notes", default=None)


@contextmanager
def collecting_notes() -> Iterator[set[str]]:
    notes: set[str] = set()
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note(text: str) -> None:
    notes = _NOTES.get()
    if notes is not None:
        notes.add(text)


def note_flattened() -> None:
    note(FLATTENED_NOTE)


def with_notes(markdown: str, notes: set[str]) -> str:
    ordered = [n for n in (FLATTENED_NOTE, TRUNCATED_NOTE) if n in notes]
    if not ordered:
        return markdown
    return "\n\n".join([markdown, *ordered]) if markdown else "\n\n".join(ordered)


def cut(text: str, limit: int = MAX_UPSTREAM_CHARS, boundary: str = "\n") -> str:
    """``text`` if it is within ``limit``, else its first ``limit`` characters, ended at the
    last ``boundary`` in the final tenth when there is one, and the truncation noted."""
    if len(text) <= limit:
        return text
    note(TRUNCATED_NOTE)
    at = text.rfind(boundary, limit - limit // 10, limit)
    return text[: at + len(boundary)] if at >= 0 else text[:limit]
