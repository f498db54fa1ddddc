"""Confluence REST calls for page history and diffs, the space's page tree, section updates.

A page at one version: Cloud `GET /api/v2/pages/{id}?version=N&body-format=storage`, Server/Data Center
`GET /rest/api/content/{id}?status=historical&version=N`. A space's pages with their parents: Cloud
`GET /api/v2/spaces/{id}/pages` (each page names its `parentId`), Server/Data Center
`GET /rest/api/content?spaceKey=…&type=page&expand=ancestors`, both paged. Section updates read and write
through ConfluenceClient.page and ConfluenceClient.update_page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

V2_PAGE_SIZE = 250  # the most v2 lists give at once
V1_PAGE_SIZE = 200  # the most Server/Data Center gives for /rest/api/content


@dataclass(frozen=True, slots=True)
class PageVersion:
    """A page as it was at one version, with who made that version, when and why."""

    id: str
    title: str
    version: int
    body: str  # storage XHTML
    space_key: str | None
    space_id: str | None
    status: str | None
    author: str | None  # display name (Server/Data Center) or account id (Cloud v2 names no more)
    when: str | None
    message: str
    minor_edit: bool


@dataclass(frozen=True, slots=True)
class TreePage:
    id: str
    title: str
    parent_id: str | None
    position: int | None
    parent_type: str = "page"  # Cloud pages may sit in a folder (which the page list does not include)


@dataclass(frozen=True, slots=True)
class SpacePages:
    pages: list[TreePage]
    more: bool  # the space has more pages than were read


def _position(value: Any) -> int | None:
    """A page's position among its siblings; Server may send "none" or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _next_cursor(links: Any) -> str | None:
    link = links.get("next") if isinstance(links, dict) else None
    if not isinstance(link, str) or not link:
        return None
    values = parse_qs(urlsplit(link).query).get("cursor")
    return values[0] if values else None


class HistoryCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""

    if TYPE_CHECKING:  # ConfluenceClient's own lookups, cached per user

        async def space_id(self, key: str) -> str: ...

        async def space_key(self, space_id: str) -> str | None: ...

    async def page_version(self, page_id: str, version: int) -> PageVersion:
        page = segment(page_id)
        if self.cloud:
            data = await self._get(f"/api/v2/pages/{page}", {"version": version, "body-format": "storage"})
            space_id = str(data.get("spaceId") or "") or None
            return _version_v2(data, await self.space_key(space_id) if space_id else None, space_id)
        params = {"status": "historical", "version": version, "expand": "body.storage,version,space"}
        return _version_v1(await self._get(f"/rest/api/content/{page}", params))

    async def space_pages(self, space_key: str, limit: int) -> SpacePages:
        """Up to `limit` pages of a space (current ones), each with its parent, read page by page."""
        if self.cloud:
            return await self._space_pages_v2(await self.space_id(space_key), limit)
        return await self._space_pages_v1(space_key, limit)

    async def _space_pages_v2(self, space_id: str, limit: int) -> SpacePages:
        pages: list[TreePage] = []
        cursor: str | None = None
        while True:
            size = min(V2_PAGE_SIZE, limit - len(pages))
            params: dict[str, Any] = {"depth": "all", "status": "current", "limit": size}
            if cursor:
                params["cursor"] = cursor
            data = await self._get(f"/api/v2/spaces/{segment(space_id)}/pages", params)
            for item in data.get("results") or []:
                if isinstance(item, dict):
                    parent = str(item.get("parentId") or "") or None
                    page = _tree_page(item, parent, item.get("position"))
                    kind = item.get("parentType")
                    pages.append(replace(page, parent_type=kind) if parent and isinstance(kind, str) else page)
            cursor = _next_cursor(data.get("_links"))
            if not cursor or len(pages) >= limit:
                return SpacePages(pages[:limit], bool(cursor) or len(pages) > limit)

    async def _space_pages_v1(self, space_key: str, limit: int) -> SpacePages:
        pages: list[TreePage] = []
        start = 0
        while True:
            params = {
                "spaceKey": space_key,
                "type": "page",
                "status": "current",
                "expand": "ancestors",
                "start": start,
                "limit": min(V1_PAGE_SIZE, limit - len(pages)),
            }
            data = await self._get("/rest/api/content", params)
            batch = [item for item in data.get("results") or [] if isinstance(item, dict)]
            for item in batch:
                ancestors = [a for a in item.get("ancestors") or [] if isinstance(a, dict)]
                parent = str(ancestors[-1].get("id") or "") or None if ancestors else None
                pages.append(_tree_page(item, parent, (item.get("extensions") or {}).get("position")))
            more = bool((data.get("_links") or {}).get("next"))
            start += len(batch)
            if not batch or not more or len(pages) >= limit:
                return SpacePages(pages[:limit], more or len(pages) > limit)

    async def space_exists(self, space_key: str) -> None:
        """Nothing when the space is visible; the upstream's 404 otherwise (Server/Data Center)."""
        await self._get(f"/rest/api/space/{segment(space_key)}")


def _tree_page(item: dict[str, Any], parent: str | None, position: Any) -> TreePage:
    return TreePage(str(item.get("id", "")), str(item.get("title") or ""), parent, _position(position))


def _version_v1(data: dict[str, Any]) -> PageVersion:
    version = data.get("version") or {}
    by = version.get("by") or {}
    space = data.get("space") or {}
    return PageVersion(
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        version=int(version.get("number") or 0),
        body=str(((data.get("body") or {}).get("storage") or {}).get("value") or ""),
        space_key=space.get("key"),
        space_id=str(space.get("id") or "") or None,
        status=data.get("status"),
        author=by.get("displayName") or by.get("username") or by.get("accountId"),
        when=version.get("when"),
        message=str(version.get("message") or ""),
        minor_edit=bool(version.get("minorEdit")),
    )


def _version_v2(data: dict[str, Any], space_key: str | None, space_id: str | None) -> PageVersion:
    version = data.get("version") or {}
    return PageVersion(
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        version=int(version.get("number") or 0),
        body=str(((data.get("body") or {}).get("storage") or {}).get("value") or ""),
        space_key=space_key,
        space_id=space_id,
        status=data.get("status"),
        author=version.get("authorId"),
        when=version.get("createdAt"),
        message=str(version.get("message") or ""),
        minor_edit=bool(version.get("minorEdit")),
    )
