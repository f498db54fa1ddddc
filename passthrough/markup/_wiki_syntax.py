"""Rules of Jira wiki inline markup that the reader and the writer must agree on."""

from __future__ import annotations

import re

PHRASE_CHARS = frozenset("*_-+^~")

# Jira links bare URLs by itself; trailing punctuation is sentence, not address.
URL_RE = re.compile(r"(?:https?|ftp)://[^\s\[\]|<>\"{}!\\]*[^\s\[\]|<>\"{}!\\.,;:?)'*_+^~-]")


def can_open(char: str, prev: str, nxt: str) -> bool:
    """``*bold*``: an opening mark follows a non-word character and precedes a non-space."""
    return not prev.isalnum() and prev != char and bool(nxt) and not nxt.isspace() and nxt != char


def can_close(char: str, prev: str, nxt: str) -> bool:
    """A closing mark follows a non-space and precedes a non-word character."""
    return bool(prev) and not prev.isspace() and prev != char and not nxt.isalnum() and nxt != char
