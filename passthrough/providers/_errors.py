"""Turning an upstream's error answer into words a person can act on.

Understands the error bodies of the products passthrough speaks to: Jira
(`errorMessages` + `errors` per field; JSM's single `errorMessage`), Confluence v1/Data Center
(`statusCode`/`message`, `data.errors`), Confluence Cloud v2 (`errors[]` with
`title`/`detail`), OpenProject HAL (`_type: Error`, `errorIdentifier`,
`MultipleErrors` with embedded errors), ClickUp (`err` with its `ECODE`), and plain text.

An upstream may echo the caller's credential back (in a message, or in a
redirect's address): every message is redacted of each form of the secrets
given, case-insensitively, before it is clipped, so that no cut can leave a
recognisable prefix of a secret behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

_MAX_TEXT = 500
_MAX_MESSAGES = 10
_MAX_LOCATION = 300
REDACTED = "[redacted]"


class Redactor:
    """Replaces every form of some secrets (raw, percent-encoded either way) in any letter case."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret:
                forms |= {
                    secret,
                    quote(secret, safe=""),
                    quote(secret),
                    quote_plus(secret, safe=""),
                    quote_plus(secret),
                }
        # Longest first, so that a secret containing another is replaced whole.
        ordered = sorted(forms, key=lambda form: (-len(form), form))
        self._pattern = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None

    def __call__(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern is not None else text


_NOTHING = Redactor(())


def _clip(text: str, limit: int = _MAX_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def location_shown(location: str, redact: Redactor = _NOTHING) -> str:
    """A redirect's target as an error may show it: no user info, query or fragment; redacted, then clipped."""
    try:
        parts = urlsplit(location.strip())
        netloc = parts.netloc.rpartition("@")[2]
        shown = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        shown = location.partition("?")[0].partition("#")[0]
    return _clip(redact(shown), _MAX_LOCATION)


def _from_json(body: Any) -> list[str]:
    out: list[str] = []
    if isinstance(body, list):
        for item in body:
            out.extend(_from_json(item))
        return out
    if not isinstance(body, dict):
        return [str(body)] if isinstance(body, str) and body else []
    for msg in body.get("errorMessages") or []:
        if isinstance(msg, str) and msg:
            out.append(msg)
    single = body.get("errorMessage")  # Jira Service Management: one message (and its i18n key)
    if isinstance(single, str) and single:
        out.append(single)
    errors = body.get("errors")
    if isinstance(errors, dict):
        out.extend(f"{field}: {msg}" for field, msg in errors.items() if isinstance(msg, str))
    elif isinstance(errors, list):
        for err in errors:
            if isinstance(err, dict) and isinstance(err.get("elementErrors"), dict):  # Jira's bulk create
                number = err.get("failedElementNumber")
                prefix = f"issue {number + 1}: " if isinstance(number, int) else ""
                out.extend(prefix + msg for msg in _from_json(err["elementErrors"]))
            elif isinstance(err, dict):
                title = err.get("title") or err.get("message") or err.get("code") or ""
                detail = err.get("detail") or ""
                if isinstance(title, dict):
                    title = title.get("translation") or title.get("key") or ""
                text = f"{title}: {detail}" if title and detail and detail != title else (title or detail)
                if text:
                    out.append(str(text))
            elif isinstance(err, str):
                out.append(err)
    if body.get("_type") == "Error":
        embedded = (body.get("_embedded") or {}).get("errors")
        if isinstance(embedded, list) and embedded:
            for err in embedded:
                if isinstance(err, dict) and err.get("message"):
                    out.append(str(err["message"]))
        elif body.get("message"):
            out.append(str(body["message"]))
    elif isinstance(body.get("err"), str) and body["err"]:  # ClickUp: {"err": "Token invalid", "ECODE": "OAUTH_025"}
        code = body.get("ECODE")
        out.append(f"{body['err']} ({code})" if isinstance(code, str) and code else body["err"])
    elif not out:
        message = body.get("message")
        if isinstance(message, str) and message:
            out.append(message)
        data = body.get("data")
        if isinstance(data, dict):
            out.extend(_from_json({"errors": data.get("errors")}))
    return out


def upstream_messages(content_type: str, body: bytes, redact: Redactor = _NOTHING) -> list[str]:
    """The upstream's own error messages, redacted, de-duplicated, clipped; empty for HTML pages and empty bodies."""
    if not body:
        return []
    ctype = content_type.split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    found: list[str]
    if ctype.endswith("json") or ctype.endswith("+json"):
        try:
            found = _from_json(json.loads(text))
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python can follow
            found = [text]
    elif ctype.startswith("text/plain"):
        found = [text]
    else:
        return []
    seen: list[str] = []
    for msg in found:
        clipped = _clip(redact(msg))
        if clipped and clipped not in seen:
            seen.append(clipped)
    return seen[:_MAX_MESSAGES]
