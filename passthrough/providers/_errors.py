"""Turning an upstream's error answer into words a person can act on.

Understands the error bodies of the products passthrough speaks to: Jira
(`errorMessages` + `errors` per field), Confluence v1/Data Center
(`statusCode`/`message`, `data.errors`), Confluence Cloud v2 (`errors[]` with
`title`/`detail`), OpenProject HAL (`_type: Error`, `errorIdentifier`,
`MultipleErrors` with embedded errors), and plain text.
"""

from __future__ import annotations

import json
from typing import Any

_MAX_TEXT = 500
_MAX_MESSAGES = 10


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


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
    errors = body.get("errors")
    if isinstance(errors, dict):
        out.extend(f"{field}: {msg}" for field, msg in errors.items() if isinstance(msg, str))
    elif isinstance(errors, list):
        for err in errors:
            if isinstance(err, dict):
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
    elif not out:
        message = body.get("message")
        if isinstance(message, str) and message:
            out.append(message)
        data = body.get("data")
        if isinstance(data, dict):
            out.extend(_from_json({"errors": data.get("errors")}))
    return out


def upstream_messages(content_type: str, body: bytes) -> list[str]:
    """The upstream's own error messages, de-duplicated, clipped; empty for HTML pages and empty bodies."""
    if not body:
        return []
    ctype = content_type.split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    found: list[str]
    if ctype.endswith("json") or ctype.endswith("+json"):
        try:
            found = _from_json(json.loads(text))
        except ValueError:
            found = [text]
    elif ctype.startswith("text/plain"):
        found = [text]
    else:
        return []
    seen: list[str] = []
    for msg in found:
        clipped = _clip(msg)
        if clipped and clipped not in seen:
            seen.append(clipped)
    return seen[:_MAX_MESSAGES]
