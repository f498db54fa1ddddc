"""Confluence's two ways of paging a list: v1 ``start``/``limit`` (cursors on Cloud), v2 cursors only.

Cursors are opaque tokens the fake remembers (``FakeConfluence.cursors``), so a client that builds one
itself, or reuses one from another fake, gets the 400 Confluence answers.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from aiohttp import web

from .._base import json_response
from ._call import ConfluenceCall
from ._errors import bad_request

T = TypeVar("T")
JSON = dict[str, Any]


def new_cursor(call: ConfluenceCall, offset: int) -> str:
    cursors = call.fake.cursors
    token = base64.b64encode(
        json.dumps({"offset": offset, "seq": len(cursors)}, separators=(",", ":")).encode()
    ).decode()
    cursors[token] = offset
    return token


def cursor_offset(call: ConfluenceCall) -> int | None:
    cursor = call.query.get("cursor")
    if not cursor:
        return None
    if cursor not in call.fake.cursors:
        raise bad_request("Invalid cursor", v2_title="Invalid cursor")
    return call.fake.cursors[cursor]


def _v1_window(call: ConfluenceCall, default_limit: int, max_limit: int) -> tuple[int, int]:
    """(start, limit) from ``start``/``limit``/``cursor``."""
    limit = call.int("limit", default_limit)
    if limit < 0:
        raise bad_request("The limit must be a positive number")
    limit = min(limit, max_limit)
    offset = cursor_offset(call)
    if offset is not None:
        return offset, limit
    return max(0, call.int("start", 0)), limit


def v1_page(
    call: ConfluenceCall,
    items: list[T],
    render: Callable[[T], JSON],
    *,
    default_limit: int = 25,
    max_limit: int = 200,
    cursor_links: bool = False,
    extra: JSON | None = None,
) -> JSON:
    """A v1 page of ``items``: ``results``, ``start``, ``limit``, ``size`` and ``_links`` (next, prev, self)."""
    start, limit = _v1_window(call, default_limit, max_limit)
    window = items[start : start + limit]
    rel = call.relative
    base = call.renderer.base
    kept = [(k, v) for k, v in call.query.items() if k not in ("start", "limit", "cursor", "next", "prev")]
    links: JSON = {"base": base, "context": call.fake.context_path}
    if limit > 0 and start + limit < len(items):
        if cursor_links:
            params = [("next", "true"), ("cursor", new_cursor(call, start + limit)), ("limit", str(limit))]
            params += [("start", str(start + limit)), *kept]
        else:
            params = [*kept, ("limit", str(limit)), ("start", str(start + limit))]
        links["next"] = f"{rel}?{urlencode(params, quote_via=quote)}"
    if start > 0 and limit > 0 and not cursor_links:
        params = [*kept, ("limit", str(limit)), ("start", str(max(0, start - limit)))]
        links["prev"] = f"{rel}?{urlencode(params, quote_via=quote)}"
    links["self"] = f"{base}{rel}" + (f"?{urlencode(kept, quote_via=quote)}" if kept else "")
    body: JSON = {"results": [render(i) for i in window], "start": start, "limit": limit, "size": len(window)}
    body.update(extra or {})
    body["_links"] = links
    return body


def v1_response(call: ConfluenceCall, items: list[T], render: Callable[[T], JSON], **options: Any) -> web.Response:
    return json_response(v1_page(call, items, render, **options))


def v2_limit(call: ConfluenceCall) -> int:
    limit = call.int("limit", 25)
    if not 1 <= limit <= 250:
        raise bad_request("limit must be between 1 and 250", v2_title="Limit must be between 1 and 250")
    return limit


def v2_page(call: ConfluenceCall, items: list[T], render: Callable[[T], JSON]) -> web.Response:
    """A v2 page of ``items``: ``results`` and ``_links`` (next as a relative URL, also in a Link header)."""
    limit = v2_limit(call)
    offset = cursor_offset(call) or 0
    window = items[offset : offset + limit]
    links: JSON = {}
    base = call.renderer.base
    headers: dict[str, str] = {}
    if offset + limit < len(items):
        kept = [(k, v) for k, v in call.query.items() if k != "cursor"]
        params = [*kept, ("cursor", new_cursor(call, offset + limit))]
        links["next"] = f"{call.request.path}?{urlencode(params, quote_via=quote)}"
        headers["Link"] = f'<{links["next"]}>; rel="next", <{base}>; rel="base"'
    links["base"] = base
    return json_response({"results": [render(i) for i in window], "_links": links}, headers=headers)
