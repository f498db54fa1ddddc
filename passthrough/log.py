"""Logging set-up, with a last line of defence that scrubs anything shaped like a credential.

Correct code never logs a secret; this is for the code that is not ours. The
scrub runs where records are made (a record factory), so every handler — the
server's own, a test's capture, an embedding application's — sees the scrubbed
record, traceback text included: a library that puts a raw request line or a
header into an exception message cannot carry it past this point.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

_HEADER_NAMES = (
    r"x-(?:jira|confluence)-token|x-openproject-key|x-clickup-token|authorization|proxy-authorization"
    r"|x-mcp-api-key|cookie|set-cookie"
)
_SCRUB = (
    (re.compile(r"(?i)\b(bearer|basic)(\s+|%20|\+)[^\s\"',;]+"), r"\1\2[redacted]"),
    (re.compile(r"mcp_[0-9a-fA-F]{64}"), "mcp_[redacted]"),
    # ClickUp personal tokens (pk_<user id>_<key>), which go upstream bare, without a scheme word
    (re.compile(r"\bpk_[0-9]+_[0-9A-Za-z]+"), "pk_[redacted]"),
    # A header and everything to the end of its line or quoted string, whatever characters it holds.
    (
        re.compile(rf"(?i)\b({_HEADER_NAMES})(\\?[\"']?\s*[:=]\s*\\?[\"']?)(?:[^\r\n\"'\\]|\\(?![rn\"']))+"),
        r"\1\2[redacted]",
    ),
    # Session cookies of the products, wherever they appear.
    (
        re.compile(
            r"(?i)\b(jsessionid|atlassian\.xsrf\.token|cloud\.session\.token|_open_project_session)=[^\s;,\"']+"
        ),
        r"\1=[redacted]",
    ),
    # Credentials in URLs: tokens in query strings, userinfo before a host.
    (re.compile(r"(?i)([?&](?:access_token|token|api_key|apikey|key|password)=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s:@\"']*:[^/\s@\"']*@"), r"\1[redacted]@"),
)


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


_make_record = logging.getLogRecordFactory()


def _scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    try:
        text = record.getMessage()
    except Exception:  # a bad format string is the caller's bug; keep the record as it came
        return record
    scrubbed = scrub(text)
    if scrubbed != text:
        record.msg, record.args = scrubbed, None
    if record.exc_info and record.exc_info[1] is not None:
        formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = scrub(formatted)
        record.exc_info = None  # formatters use exc_text; the raw exception (and its message) goes no further
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


def install_scrubber() -> None:
    """Scrub every log record this process makes from now on; installing twice is harmless."""
    if logging.getLogRecordFactory() is not _scrubbed_record:
        logging.setLogRecordFactory(_scrubbed_record)
    # markdown-it-py logs each parsing rule with the text it is parsing at DEBUG: client text, never wanted.
    logging.getLogger("markdown_it").setLevel(logging.WARNING)


# What the access line and the audit record carry besides their message (see passthrough/http/_observe.py).
_FIELDS = ("request_id", "transport", "method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: time, level, logger, message, and the record's own fields.

    The message and traceback come scrubbed from the record factory; the
    structured fields are scrubbed here too, for whoever adds one carelessly.
    """

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        audit = getattr(record, "audit", None)
        if isinstance(audit, dict):
            out.update(audit)
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(self.formatException(record.exc_info))
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        for key, value in out.items():
            if isinstance(value, str) and key != "message":
                out[key] = scrub(value)
        return json.dumps(out, ensure_ascii=False, default=str)


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure(level: str, fmt: str = "text") -> None:
    """Log every record at `level` and above to stderr, as text lines or (`json`) one JSON object per line."""
    install_scrubber()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
