"""Text conversion between Markdown and the Atlassian formats.

Markdown is what assistants read and write; Jira Cloud wants ADF, Jira Server/DC
wiki markup, Confluence its XHTML storage format.  Every function is total: any
input, however malformed, gives a result and never raises, in time linear in its size.

On the server, call them through `convert`: it enforces the limits on client text
(`TextTooLong`, `NestingTooDeep`) and runs large conversions on a small thread pool,
so that one user's megabyte of text does not hold up everyone else's requests.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar, cast

from ._adf import adf_to_markdown, markdown_to_adf, strict_markdown_to_adf
from ._limits import MAX_CLIENT_CHARS, MAX_UPSTREAM_CHARS, NestingTooDeep, TextTooLong
from ._model import MAX_DEPTH
from ._storage import markdown_to_storage, storage_to_markdown, strict_markdown_to_storage
from ._wiki import markdown_to_wiki, strict_markdown_to_wiki, wiki_to_markdown

__all__ = [
    "INLINE_LIMIT",
    "MAX_CLIENT_CHARS",
    "MAX_DEPTH",
    "MAX_UPSTREAM_CHARS",
    "POOL_WORKERS",
    "NestingTooDeep",
    "TextTooLong",
    "adf_to_markdown",
    "convert",
    "free_slots",
    "markdown_to_adf",
    "markdown_to_storage",
    "markdown_to_wiki",
    "storage_to_markdown",
    "wiki_to_markdown",
]

# markdown-it logs every rule it tries at DEBUG: megabytes of records for one conversion.
logging.getLogger("markdown_it").setLevel(logging.WARNING)

INLINE_LIMIT = 16 * 1024
"""Inputs up to this many characters are converted on the event loop (a few ms at most);
larger ones go to the pool."""

POOL_WORKERS = 2

_POOL = ThreadPoolExecutor(max_workers=POOL_WORKERS, thread_name_prefix="markup")
# One semaphore per event loop (tests run several), as many permits as workers: work that
# waits, waits as a cancellable coroutine, never in the executor's unbounded queue.
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()

_STRICT: dict[Callable[..., Any], Callable[..., Any]] = {
    markdown_to_adf: strict_markdown_to_adf,
    markdown_to_wiki: strict_markdown_to_wiki,
    markdown_to_storage: strict_markdown_to_storage,
}

R = TypeVar("R")


async def convert(fn: Callable[[Any], R], value: Any) -> R:
    """``fn(value)`` for one of this package's six functions, without stalling the loop.

    Client text (the ``markdown_to_*`` directions) is checked first: over
    `MAX_CLIENT_CHARS` characters raises `TextTooLong`, nesting beyond `MAX_DEPTH` raises
    `NestingTooDeep` (both `InvalidArguments`).  Up to `INLINE_LIMIT` characters the
    conversion runs inline; beyond, on a pool of `POOL_WORKERS` threads, at most that many
    at a time.  A cancelled call returns at once; its pool slot is released when the thread
    finishes the work it had started (or at once, if it had not started).
    """
    fn = cast("Callable[[Any], R]", _STRICT.get(fn, fn))
    if not _larger_than(value, INLINE_LIMIT):
        return fn(value)
    loop = asyncio.get_running_loop()
    slots = _slots(loop)
    await slots.acquire()
    try:
        future: Future[R] = _POOL.submit(fn, value)
    except BaseException:
        slots.release()
        raise
    future.add_done_callback(lambda _: _release(loop, slots))
    return await asyncio.wrap_future(future, loop=loop)


def free_slots() -> int:
    """Pool slots free for the running loop's conversions (for tests and diagnostics)."""
    slots = _SLOTS.get(asyncio.get_running_loop())
    return POOL_WORKERS if slots is None else slots._value


def _slots(loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
    slots = _SLOTS.get(loop)
    if slots is None:
        slots = _SLOTS[loop] = asyncio.Semaphore(POOL_WORKERS)
    return slots


def _release(loop: asyncio.AbstractEventLoop, slots: asyncio.Semaphore) -> None:
    try:
        loop.call_soon_threadsafe(slots.release)
    except RuntimeError:  # the loop has closed; nothing waits on its semaphore any more
        pass


def _larger_than(value: Any, limit: int) -> bool:
    """Whether ``value`` (text, or ADF as parsed JSON) holds more than ``limit`` characters,
    found by looking at no more than about ``limit`` of them."""
    if isinstance(value, str | bytes):
        return len(value) > limit
    budget = limit
    stack = [value]
    while stack:
        node = stack.pop()
        budget -= 1
        if isinstance(node, str):
            budget -= len(node)
        elif isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, Sequence) and not isinstance(node, bytes):
            if len(node) > budget:
                return True
            stack.extend(node)
        if budget < 0:
            return True
    return False
