"""The relay loop: read stdin, hand each message to the transport, end the session when stdin closes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterable, Mapping
from typing import BinaryIO

from passthrough.sse_client._config import Config, ConfigError, load_config
from passthrough.sse_client._http import Relay, new_client
from passthrough.sse_client._legacy import LegacyRelay
from passthrough.sse_client._stdio import Output, stdin_lines
from passthrough.sse_client._streamable import StreamableRelay
from passthrough.sse_client._wire import PARSE_ERROR, error_line, parse

log = logging.getLogger("passthrough.sse_client")

EOF_GRACE_SECONDS = 5.0
"""After stdin closes, how long requests still in flight may finish before the session ends."""


def main(env: Mapping[str, str] | None = None) -> int:
    try:
        config = load_config(os.environ if env is None else env)
    except ConfigError as exc:
        print(f"passthrough.sse_client: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.log_level, config.secrets)
    try:
        return asyncio.run(run(config))
    except KeyboardInterrupt:
        return 130


async def run(config: Config, stdin_fd: int = 0, stdout: BinaryIO | None = None) -> int:
    """Relay until stdin closes; returns the exit status (0)."""
    out = Output(stdout if stdout is not None else sys.stdout.buffer)
    kind = "Streamable HTTP" if config.transport == "streamable" else "legacy HTTP+SSE"
    names = ", ".join(config.headers) or "none"
    log.info("relaying stdio to %s over %s; credential headers: %s", config.label, kind, names)
    if config.unfilled:
        log.warning(
            "%s still hold a <...> placeholder: not sent; put your own value there (or remove the line)",
            ", ".join(config.unfilled),
        )
    async with new_client(config.headers) as http:
        relay: Relay
        if config.transport == "streamable":
            relay = StreamableRelay(config.url, http, out, config.label)
        else:
            relay = LegacyRelay(config.url, http, out, config.label)
        in_flight: set[asyncio.Task[None]] = set()
        terminated = asyncio.Event()
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):  # not on Windows
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, terminated.set)
        pump = asyncio.create_task(_pump(relay, out, in_flight, stdin_fd))
        stop = asyncio.create_task(terminated.wait())
        try:
            await asyncio.wait({pump, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (pump, stop):
                task.cancel()
            outcome, _ = await asyncio.gather(pump, stop, return_exceptions=True)
            if isinstance(outcome, Exception):
                log.error("reading stdin failed: %s", type(outcome).__name__)
            await _settle(in_flight, terminated)
            await relay.aclose()
    log.info("%s; session ended", "terminated" if terminated.is_set() else "stdin closed")
    return 0


async def _pump(relay: Relay, out: Output, in_flight: set[asyncio.Task[None]], stdin_fd: int) -> None:
    async for line in stdin_lines(stdin_fd):
        if out.closed.is_set():
            return
        line = line.strip()
        if not line:
            continue
        try:
            message = parse(line)
        except ValueError:
            log.warning("stdin line is not JSON; answered with a parse error")
            out.write(error_line(None, PARSE_ERROR, "Parse error: the line is not valid JSON"))
            continue
        if message.is_initialize or message.is_initialized_notification:
            await relay.send(message)  # the handshake goes in order; it precedes everything else anyway
            continue
        # concurrent: clients send several requests at once, and a slow tool call must not hold up the rest
        task = asyncio.create_task(relay.send(message))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)


async def _settle(in_flight: set[asyncio.Task[None]], terminated: asyncio.Event) -> None:
    """After stdin closes, answers on their way may still arrive (briefly); after SIGTERM, end now."""
    if in_flight and not terminated.is_set():
        finished = asyncio.create_task(asyncio.wait(set(in_flight)))
        interrupted = asyncio.create_task(terminated.wait())
        await asyncio.wait({finished, interrupted}, timeout=EOF_GRACE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (finished, interrupted):
            waiter.cancel()
    for task in set(in_flight):
        task.cancel()
    await asyncio.gather(*in_flight, return_exceptions=True)


class _RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks every configured credential value: nothing can print one."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):  # their request lines carry session ids; nothing there is needed
        logging.getLogger(noisy).setLevel(logging.WARNING)
