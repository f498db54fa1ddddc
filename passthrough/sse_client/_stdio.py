"""The stdio side: lines from stdin (a thread, so any kind of stdin works on any OS), lines to stdout."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

from passthrough.sse_client._wire import error_line

log = logging.getLogger("passthrough.sse_client")

_CHUNK = 1 << 16


async def stdin_lines(fd: int) -> AsyncIterator[bytes]:
    """Lines of `fd` until end of file.

    Raw `os.read` in a daemon thread: no buffered-reader lock is held at exit,
    and a pipe, file or console all read alike.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    def put(chunk: bytes | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody is listening
            loop.call_soon_threadsafe(queue.put_nowait, chunk)

    def pump() -> None:
        try:
            while chunk := os.read(fd, _CHUNK):
                put(chunk)
        except OSError:
            pass
        finally:
            put(None)

    threading.Thread(target=pump, name="sse_client-stdin", daemon=True).start()
    pending = b""
    while (chunk := await queue.get()) is not None:
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            yield line
    if pending:
        yield pending


class Output:
    """Writes whole lines to stdout; errors for the client also go to stderr, with the same text."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.closed = asyncio.Event()

    def write(self, line: bytes) -> None:
        if self.closed.is_set():
            return
        try:
            self._stream.write(line + b"\n")
            self._stream.flush()
        except (OSError, ValueError):
            log.warning("stdout is closed; ending the session")
            self.closed.set()

    def fail(self, ids: list[Any], code: int, message: str) -> None:
        """Answer each request id with a JSON-RPC error and log the message once."""
        if ids:
            log.error("request %s: %s", ", ".join(str(i) for i in ids), message)
        else:
            log.error("a message without an id was not delivered: %s", message)
        for rid in ids:
            self.write(error_line(rid, code, message))
