"""Logging set-up, with a last line of defence that scrubs anything shaped like a credential."""

from __future__ import annotations

import logging
import re

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

_SCRUB = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (re.compile(r"mcp_[0-9a-f]{64}"), "mcp_[redacted]"),
    (
        re.compile(
            r"(?i)(x-(?:jira|confluence)-token|x-openproject-key|authorization|x-mcp-api-key)([\"']?\s*[:=]\s*[\"']?)[^\s,;\"']+"
        ),
        r"\1\2[redacted]",
    ),
)


class Scrubber(logging.Filter):
    """Rewrites records that look like they carry a credential; correct code never needs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        scrubbed = text
        for pattern, replacement in _SCRUB:
            scrubbed = pattern.sub(replacement, scrubbed)
        if scrubbed != text:
            record.msg, record.args = scrubbed, None
        return True


class AccessLogger(AbstractAccessLogger):
    """Method, path without its query (it may hold a session id), status, size and time."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.1fms',
            request.remote,
            request.method,
            request.path,
            response.status,
            response.body_length,
            time * 1000,
        )


def configure(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Scrubber())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
