"""Confluence REST calls for footer and inline comments: read, reply, anchor.

Cloud: REST v2 (``/api/v2/{footer,inline}-comments``, a page's comments, a comment's ``/children``).
Server/Data Center: v1 content (``/rest/api/content/{id}/child/comment`` with ``depth=all``; a comment is
``POST /rest/api/content`` with ``ancestors`` for a reply and ``extensions.inlineProperties`` for an anchor).
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from passthrough.errors import UpstreamError
from passthrough.providers._client import ProviderClient, next_offset, offset_token
from passthrough.providers._upstream import segment

Kind = Literal["footer", "inline"]
V1_COMMENT_EXPAND = "body.storage,version,history,ancestors,extensions.inlineProperties,extensions.resolution"
V1_LOCATIONS: dict[Kind, tuple[str, ...]] = {"footer": ("footer",), "inline": ("inline", "resolved")}
NO_V1_INLINE = (
    "This Confluence Server/Data Center did not take the inline comment through its REST API (Data Center 8 "
    "takes one as a comment with inline properties; older releases have no REST call for it)."
)


def _storage(value: str) -> dict[str, Any]:
    return {"representation": "storage", "value": value}


def _v2_cursor(data: dict[str, Any]) -> str | None:
    link = (data.get("_links") or {}).get("next")
    if not isinstance(link, str) or not link:
        return None
    values = parse_qs(urlsplit(link).query).get("cursor")
    return values[0] if values else None


class DiscussionCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""

    # ---- Cloud (v2)

    async def page_comments_v2(
        self, kind: Kind, page_id: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a page's top-level footer or inline comments, and the cursor of the next."""
        params: dict[str, Any] = {"body-format": "storage", "limit": limit}
        if cursor:
            params["cursor"] = cursor
        data = await self._get(f"/api/v2/pages/{segment(page_id)}/{kind}-comments", params)
        return list(data.get("results") or []), _v2_cursor(data)

    async def comment_children_v2(self, kind: Kind, comment_id: str, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """The first `limit` replies to a comment, and whether there are more."""
        params = {"body-format": "storage", "limit": limit}
        data = await self._get(f"/api/v2/{kind}-comments/{segment(comment_id)}/children", params)
        return list(data.get("results") or []), _v2_cursor(data) is not None

    async def comment_v2(self, kind: Kind, comment_id: str) -> dict[str, Any] | None:
        """A footer or inline comment by id; None when there is none of that kind (a 404)."""
        try:
            return await self._get(f"/api/v2/{kind}-comments/{segment(comment_id)}", {"body-format": "storage"})
        except UpstreamError as exc:
            if exc.status == 404:
                return None
            raise

    async def reply_v2(self, kind: Kind, parent_id: str, storage: str) -> dict[str, Any]:
        body = {"parentCommentId": parent_id, "body": _storage(storage)}
        return await self._send("POST", f"/api/v2/{kind}-comments", body)

    async def inline_comment_v2(
        self, page_id: str, storage: str, selection: str, count: int, index: int
    ) -> dict[str, Any]:
        body = {
            "pageId": page_id,
            "body": _storage(storage),
            "inlineCommentProperties": {
                "textSelection": selection,
                "textSelectionMatchCount": count,
                "textSelectionMatchIndex": index,
            },
        }
        return await self._send("POST", "/api/v2/inline-comments", body)

    # ---- Server/Data Center (v1)

    async def page_comments_v1(
        self, kind: Kind, page_id: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a page's comments of one kind, each thread's replies after its root (depth=all)."""
        start = offset_token(cursor, "cursor")
        params = {
            "expand": V1_COMMENT_EXPAND,
            "depth": "all",
            "location": list(V1_LOCATIONS[kind]),
            "start": start,
            "limit": limit,
        }
        data = await self._get(f"/rest/api/content/{segment(page_id)}/child/comment", params)
        items = list(data.get("results") or [])
        return items, next_offset(start, len(items), bool((data.get("_links") or {}).get("next")))

    async def comment_v1(self, comment_id: str) -> dict[str, Any]:
        """Any content by id, with what a reply needs of a comment: its page and where it sits."""
        return await self._get(f"/rest/api/content/{segment(comment_id)}", {"expand": "container,extensions"})

    async def reply_v1(self, page_id: str, parent_id: str, storage: str) -> dict[str, Any]:
        body = {
            "type": "comment",
            "container": {"id": page_id, "type": "page"},
            "ancestors": [{"id": parent_id}],
            "body": {"storage": {"value": storage, "representation": "storage"}},
        }
        return await self._send("POST", "/rest/api/content", body)

    async def inline_comment_v1(
        self, page_id: str, storage: str, selection: str, count: int, index: int
    ) -> dict[str, Any]:
        """Data Center 8's inline comment: a comment whose inline properties carry what its editor would send."""
        body = {
            "type": "comment",
            "container": {"id": page_id, "type": "page"},
            "body": {"storage": {"value": storage, "representation": "storage"}},
            "extensions": {
                "location": "inline",
                "inlineProperties": {
                    "originalSelection": selection,
                    "numMatches": count,
                    "matchIndex": index,
                    "lastFetchTime": str(int(time.time() * 1000)),
                    "serializedHighlights": json.dumps([[selection]]),
                },
            },
        }
        try:
            return await self._send("POST", "/rest/api/content", body)
        except UpstreamError as exc:
            if exc.status in (400, 403, 405, 501):
                raise UpstreamError(exc.provider, exc.status, f"{exc} {NO_V1_INLINE}") from None
            raise
