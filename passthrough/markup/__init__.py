"""Text conversion between Markdown and the Atlassian formats.

Markdown is what assistants read and write; Jira Cloud wants ADF, Jira Server/DC
wiki markup, Confluence its XHTML storage format.  Every function is total: any
input, however malformed, gives a result and never raises, in time linear in its size.

On the server, call them through `convert`: it enforces the limits on client text
(`TextTooLong`, `NestingTooDeep`, `TooComplex`) and runs large conversions in a small
pool of worker processes, so that one user's megabyte of text does not hold up everyone
else's requests.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar, cast

from passthrough.errors import ToolError

from ._adf import adf_to_markdown, markdown_to_adf, strict_markdown_to_adf
from ._limits import MAX_CLIENT_CHARS, MAX_UPSTREAM_CHARS, MarkupLimit, NestingTooDeep, TextTooLong, TooComplex
from ._model import MAX_DEPTH
from ._storage import markdown_to_storage, storage_to_markdown, strict_markdown_to_storage
from ._wiki import markdown_to_wiki, strict_markdown_to_wiki, wiki_to_markdown

__all__ = [
    "INLINE_LIMIT",
    "MAX_CLIENT_CHARS",
    "MAX_DEPTH",
    "MAX_UPSTREAM_CHARS",
    "POOL_WORKERS",
    "ConversionFailed",
    "MarkupLimit",
    "NestingTooDeep",
    "TextTooLong",
    "TooComplex",
    "adf_to_markdown",
    "convert",
    "free_slots",
    "markdown_to_adf",
    "markdown_to_storage",
    "markdown_to_wiki",
    "start_pool",
    "storage_to_markdown",
    "wiki_to_markdown",
]

# markdown-it logs every rule it tries at DEBUG: megabytes of records for one conversion.
logging.getLogger("markdown_it").setLevel(logging.WARNING)
log = logging.getLogger(__name__)

INLINE_LIMIT = 16 * 1024
"""Inputs up to this many characters are converted on the event loop (a few ms at most);
larger ones go to the pool."""

POOL_WORKERS = 2
"""Worker processes for large conversions.  Processes, not threads: a thread converting
holds the GIL for most of every switch interval, and the event loop, which gives the GIL
up at every poll, then waits for it again and again (measured: loop ticks 6.3 ms at the
median and 340 ms at p99 with two converting threads, against 1.1 ms with two processes)."""

# forkserver where the platform has it (workers fork from a clean process that has already
# imported this package: no inherited event loop, threads or sockets); spawn elsewhere.
_CONTEXT = multiprocessing.get_context(
    "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
)
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
# One semaphore per event loop (tests run several), as many permits as workers: work that
# waits, waits as a cancellable coroutine, never in the executor's unbounded queue.
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()

_STRICT: dict[Callable[..., Any], Callable[..., Any]] = {
    markdown_to_adf: strict_markdown_to_adf,
    markdown_to_wiki: strict_markdown_to_wiki,
    markdown_to_storage: strict_markdown_to_storage,
}

R = TypeVar("R")


class ConversionFailed(ToolError):
    def __init__(self) -> None:
        super().__init__(
            "The text could not be converted: the worker converting it stopped unexpectedly. "
            "Send it again; if this happens again, send it in smaller pieces."
        )


async def convert(fn: Callable[[Any], R], value: Any) -> R:
    """``fn(value)`` for one of this package's six functions, without stalling the loop.

    Client text (the ``markdown_to_*`` directions) is checked first: over
    `MAX_CLIENT_CHARS` characters raises `TextTooLong`, nesting beyond `MAX_DEPTH` raises
    `NestingTooDeep`, parsing beyond its step budget raises `TooComplex` (all three are
    `InvalidArguments`).  Up to `INLINE_LIMIT` characters the conversion runs inline;
    beyond, in a pool of `POOL_WORKERS` processes, at most that many at a time.  A
    cancelled call returns at once; its slot is released when the worker finishes the
    work it had started (or at once, if it had not started).  A worker that dies raises
    `ConversionFailed` for its call; the next call gets a new pool.
    """
    fn = cast("Callable[[Any], R]", _STRICT.get(fn, fn))
    if not _larger_than(value, INLINE_LIMIT):
        return fn(value)
    loop = asyncio.get_running_loop()
    slots = _slots(loop)
    await slots.acquire()
    try:
        pool = _pool if _pool is not None else await asyncio.to_thread(start_pool)
        future: Future[R] = pool.submit(fn, value)
    except BaseException:
        slots.release()
        raise
    future.add_done_callback(lambda _: _release(loop, slots))
    try:
        return await asyncio.wrap_future(future, loop=loop)
    except BrokenProcessPool:
        _discard(pool)
        log.warning("a markup worker stopped unexpectedly; starting new ones")
        raise ConversionFailed() from None


def start_pool() -> ProcessPoolExecutor:
    """The pool, started with all its workers if it was not (blocks for a moment: call it
    at startup or in a thread).  As with any use of `multiprocessing`, a program that runs
    passthrough from a script of its own must guard the script's entry point."""
    global _pool
    with _pool_lock:
        if _pool is None:
            if _CONTEXT.get_start_method() == "forkserver":
                _CONTEXT.set_forkserver_preload([__name__])
            pool = ProcessPoolExecutor(POOL_WORKERS, mp_context=_CONTEXT, initializer=_worker_starts)
            # workers start on demand; as many tasks as workers at once start them all now
            try:
                for started in [pool.submit(os.getpid) for _ in range(POOL_WORKERS)]:
                    started.result(timeout=60)
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                raise RuntimeError(
                    "The markup worker processes could not start. A worker imports the main module of "
                    "the program again; a script that starts passthrough must do so only under "
                    "`if __name__ == '__main__':`."
                ) from None
            _pool = pool
        return _pool


WORKER_NICENESS = 10
"""Workers run at a lower scheduling priority than the server: where cores are few, a
conversion waits for the event loop, never the loop for a conversion."""


def _worker_starts() -> None:
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() on this platform, or not permitted
        pass


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


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
