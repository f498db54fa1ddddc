"""Confluence REST. Cloud: v2 for pages, spaces and footer comments, v1 for CQL search and the current user.
Server/Data Center: the v1 content API throughout. Bodies travel in storage format."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._client import ProviderClient, next_offset, offset_token
from passthrough.providers._upstream import segment
from passthrough.providers.confluence._attachments import AttachmentCalls
from passthrough.providers.confluence._discussion import DiscussionCalls
from passthrough.providers.confluence._history import HistoryCalls
from passthrough.providers.confluence._people import PeopleCalls
from passthrough.providers.confluence._structure import StructureCalls

V1_EXPAND = "body.storage,version,space,ancestors"


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    title: str
    space_key: str | None
    space_id: str | None
    version: int
    body: str
    parent_id: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Listing:
    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None = None
    next_start: int | None = None  # where the next page starts, when it is reached by offset (Cloud children)


class VersionConflict(UpstreamError):
    pass


def _cursor(next_link: str | None) -> str | None:
    if not next_link:
        return None
    values = parse_qs(urlsplit(next_link).query).get("cursor")
    return values[0] if values else None


class ConfluenceClient(HistoryCalls, StructureCalls, DiscussionCalls, AttachmentCalls, PeopleCalls, ProviderClient):
    """Confluence for one request's credential. Bodies go and come as storage format (XHTML)."""

    provider = "confluence"
    MAX_CHILD_SKIP: ClassVar[int] = 2500  # children a Cloud `start` may read past (10 v2 pages of 250)

    def _web(self, links: dict[str, Any] | None) -> str | None:
        if not links or not links.get("webui"):
            return None
        base = links.get("base") or self.base_url
        return f"{base}{links['webui']}"

    async def myself(self) -> dict[str, Any]:
        return await self._get("/rest/api/user/current")

    # ---- spaces

    async def space_id(self, key: str) -> str:
        """The numeric id v2 needs for a space key, cached per user and upstream."""

        async def load() -> str:
            data = await self._get("/api/v2/spaces", {"keys": key, "limit": 1})
            results = data.get("results") or []
            if not results:
                raise InvalidArguments(f"No Confluence space with key '{key}' is visible to this user.")
            return str(results[0]["id"])

        return await self._cached(f"space-id:{key}", load)

    async def space_key(self, space_id: str) -> str | None:
        async def load() -> str | None:
            data = await self._get(f"/api/v2/spaces/{segment(space_id)}")
            key = data.get("key")
            return str(key) if key else None

        try:
            return await self._cached(f"space-key:{space_id}", load)
        except UpstreamError:
            return None

    async def _listing(self, v2_path: str, v1_path: str, limit: int, cursor: str | None) -> Listing:
        """One page of a collection: v2's opaque cursor on Cloud, v1's `start` offset on Server/Data Center."""
        if self.cloud:
            params: dict[str, Any] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            data = await self._get(v2_path, params)
            return Listing(list(data.get("results") or []), _cursor((data.get("_links") or {}).get("next")))
        start = offset_token(cursor, "cursor")
        data = await self._get(v1_path, {"start": start, "limit": limit})
        items = list(data.get("results") or [])
        return Listing(items, next_offset(start, len(items), bool((data.get("_links") or {}).get("next"))))

    async def spaces(self, limit: int, cursor: str | None) -> Listing:
        return await self._listing("/api/v2/spaces", "/rest/api/space", limit, cursor)

    # ---- pages

    def _page_v1(self, data: dict[str, Any]) -> Page:
        ancestors = data.get("ancestors") or []
        return Page(
            id=str(data.get("id", "")),
            title=str(data.get("title", "")),
            space_key=(data.get("space") or {}).get("key"),
            space_id=str((data.get("space") or {}).get("id", "")) or None,
            version=int((data.get("version") or {}).get("number", 0)),
            body=str((((data.get("body") or {}).get("storage")) or {}).get("value", "")),
            parent_id=str(ancestors[-1]["id"]) if ancestors else None,
            url=self._web(data.get("_links")),
        )

    async def _page_v2(self, data: dict[str, Any]) -> Page:
        space_id = str(data.get("spaceId", "")) or None
        return Page(
            id=str(data.get("id", "")),
            title=str(data.get("title", "")),
            space_key=await self.space_key(space_id) if space_id else None,
            space_id=space_id,
            version=int((data.get("version") or {}).get("number", 0)),
            body=str((((data.get("body") or {}).get("storage")) or {}).get("value", "")),
            parent_id=str(data["parentId"]) if data.get("parentId") else None,
            url=self._web(data.get("_links")),
        )

    async def page(self, page_id: str) -> Page:
        if self.cloud:
            return await self._page_v2(await self._get(f"/api/v2/pages/{segment(page_id)}", {"body-format": "storage"}))
        return self._page_v1(await self._get(f"/rest/api/content/{segment(page_id)}", {"expand": V1_EXPAND}))

    async def page_by_title(self, space_key: str, title: str) -> Page:
        if self.cloud:
            space_id = await self.space_id(space_key)
            params = {"space-id": space_id, "title": title, "body-format": "storage", "limit": 1}
            results = (await self._get("/api/v2/pages", params)).get("results") or []
            if results:
                return await self._page_v2(results[0])
        else:
            params = {"spaceKey": space_key, "title": title, "expand": V1_EXPAND, "limit": 1}
            results = (await self._get("/rest/api/content", params)).get("results") or []
            if results:
                return self._page_v1(results[0])
        raise InvalidArguments(f"No page titled '{title}' in space {space_key} is visible to this user.")

    async def create_page(
        self, space_key: str, title: str, storage: str, parent_id: str | None, subtype: str | None = None
    ) -> Page:
        if subtype and not self.cloud:
            raise InvalidArguments(
                f"subtype '{subtype}' (a live doc) exists on Confluence Cloud only; this Confluence is "
                "Server/Data Center, so nothing was created."
            )
        if self.cloud:
            body: dict[str, Any] = {
                "spaceId": await self.space_id(space_key),
                "status": "current",
                "title": title,
                "body": {"representation": "storage", "value": storage},
            }
            if parent_id:
                body["parentId"] = parent_id
            if subtype:
                body["subtype"] = subtype
            return await self._page_v2(await self._send("POST", "/api/v2/pages", body))
        body = {
            "type": "page",
            "title": title,
            "space": {"key": space_key},
            "body": {"storage": {"value": storage, "representation": "storage"}},
        }
        if parent_id:
            body["ancestors"] = [{"id": parent_id}]
        return self._page_v1(await self._send("POST", "/rest/api/content", body))

    async def update_page(
        self,
        current: Page,
        storage: str,
        title: str | None,
        *,
        minor: bool = False,
        message: str | None = None,
        parent_id: str | None = None,
    ) -> Page:
        """A new version of `current` (its number + 1, so a page that moved on meanwhile is a 409, never
        overwritten); `minor` and `message` go in the version, `parent_id` moves the page in the same write."""
        version: dict[str, Any] = {"number": current.version + 1, "minorEdit": minor}
        if message:
            version["message"] = message
        try:
            if self.cloud:
                body: dict[str, Any] = {
                    "id": current.id,
                    "status": "current",
                    "title": title or current.title,
                    "body": {"representation": "storage", "value": storage},
                    "version": version,
                }
                if parent_id:
                    body["parentId"] = parent_id
                return await self._page_v2(await self._send("PUT", f"/api/v2/pages/{segment(current.id)}", body))
            body = {
                "id": current.id,
                "type": "page",
                "title": title or current.title,
                "version": version,
                "body": {"storage": {"value": storage, "representation": "storage"}},
            }
            if parent_id:
                body["ancestors"] = [{"id": parent_id}]
            return self._page_v1(await self._send("PUT", f"/rest/api/content/{segment(current.id)}", body))
        except UpstreamError as exc:
            if exc.status == 409:
                raise VersionConflict(
                    "confluence",
                    409,
                    f"Page {current.id} changed after it was read (it was version {current.version}); nothing was "
                    "overwritten. Read it again with confluence_get_page and reapply the change.",
                ) from None
            raise

    async def wiki_to_storage(self, wiki: str) -> str:
        """Confluence's own converter: wiki markup in, storage format out (the same call on both deployments)."""
        body = {"value": wiki, "representation": "wiki"}
        data = await self._send("POST", "/rest/api/contentbody/convert/storage", body)
        value = data.get("value")
        if not isinstance(value, str):
            raise self._unexpected("POST", "/rest/api/contentbody/convert/storage", "a converted body")
        return value

    async def set_property(self, page_id: str, key: str, value: str | None) -> None:
        """Set a page's content property `key` to `value` (created, or its next version), or remove it (None).
        Cloud: v2 page properties (addressed by the property's id); Server/Data Center: v1 by key."""
        page = segment(page_id)
        if self.cloud:
            found = (await self._get(f"/api/v2/pages/{page}/properties", {"key": key})).get("results") or []
            existing = next((p for p in found if isinstance(p, dict) and p.get("key") == key), None)
            if value is None:
                if existing is not None:
                    await self._no_answer("DELETE", f"/api/v2/pages/{page}/properties/{segment(str(existing['id']))}")
                return
            if existing is None:
                await self._send("POST", f"/api/v2/pages/{page}/properties", {"key": key, "value": value})
                return
            number = int((existing.get("version") or {}).get("number", 0)) + 1
            body = {"key": key, "value": value, "version": {"number": number}}
            await self._send("PUT", f"/api/v2/pages/{page}/properties/{segment(str(existing['id']))}", body)
            return
        path = f"/rest/api/content/{page}/property/{segment(key)}"
        try:
            existing = await self._get(path)
        except UpstreamError as exc:
            if exc.status != 404:
                raise
            existing = None
        if value is None:
            if existing is not None:
                await self._no_answer("DELETE", path)
            return
        if existing is None:
            await self._send("POST", f"/rest/api/content/{page}/property", {"key": key, "value": value})
            return
        number = int((existing.get("version") or {}).get("number", 0)) + 1
        await self._send("PUT", path, {"key": key, "value": value, "version": {"number": number}})

    async def children(
        self,
        page_id: str,
        limit: int,
        cursor: str | None,
        *,
        start: int = 0,
        folders: bool = False,
        expand: str | None = None,
    ) -> Listing:
        """One page of a page's children. Cloud: v2 `direct-children` (pages and folders) when `folders`, else
        `children` (pages); a `start` offset is reached by following cursors (v2 has no offsets), at most
        `MAX_CHILD_SKIP` items in. Server/Data Center: v1 `child/page` with `start` and `expand` as given."""
        page = segment(page_id)
        if not self.cloud:
            if cursor and start:
                raise InvalidArguments("give start or cursor, not both")
            offset = offset_token(cursor, "cursor") if cursor else start
            params: dict[str, Any] = {"start": offset, "limit": limit}
            if expand:
                params["expand"] = expand
            data = await self._get(f"/rest/api/content/{page}/child/page", params)
            items = list(data.get("results") or [])
            return Listing(items, next_offset(offset, len(items), bool((data.get("_links") or {}).get("next"))))
        path = f"/api/v2/pages/{page}/direct-children" if folders else f"/api/v2/pages/{page}/children"
        wanted = ("page", "folder") if folders else ("page",)
        if not start:
            listing = await self._listing(path, "", limit, cursor)
            return Listing([c for c in listing.items if c.get("type", "page") in wanted], listing.next_cursor)
        if cursor:
            raise InvalidArguments("give start or cursor, not both")
        if start > self.MAX_CHILD_SKIP:
            raise InvalidArguments(
                f"On Confluence Cloud children are paged by cursor, so start is reached by reading past the first "
                f"ones: at most {self.MAX_CHILD_SKIP}. Use cursor (next_cursor of the previous page) to go further."
            )
        skipped: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            window = await self._listing(path, "", 250, token)
            skipped += [c for c in window.items if c.get("type", "page") in wanted]
            token = window.next_cursor
            if len(skipped) >= start + limit or not token:
                break
        items = skipped[start : start + limit]
        more = len(skipped) > start + limit or token is not None
        return Listing(items, None, next_start=start + len(items) if more and items else None)

    async def pages_with_bodies(self, ids: list[str]) -> dict[str, Page]:
        """Pages by id with their storage bodies (Cloud's child listings carry none), a few at a time."""
        gate = asyncio.Semaphore(4)

        async def one(page_id: str) -> Page:
            async with gate:
                return await self.page(page_id)

        pages = await asyncio.gather(*(one(i) for i in ids))
        return {p.id: p for p in pages}

    async def add_comment(self, page_id: str, storage: str) -> dict[str, Any]:
        if self.cloud:
            body: dict[str, Any] = {"pageId": page_id, "body": {"representation": "storage", "value": storage}}
            return await self._send("POST", "/api/v2/footer-comments", body)
        body = {
            "type": "comment",
            "container": {"id": page_id, "type": "page"},
            "body": {"storage": {"value": storage, "representation": "storage"}},
        }
        return await self._send("POST", "/rest/api/content", body)

    async def labels(self, page_id: str) -> list[str]:
        """A page's labels (v2 on Cloud); other content, such as an attachment (att…), through v1."""
        if self.cloud and page_id.isdigit():
            path = f"/api/v2/pages/{segment(page_id)}/labels"
            data = await self._get(path, {"limit": 250})
        else:
            data = await self._get(f"/rest/api/content/{segment(page_id)}/label", {"limit": 200})
        return [str(item.get("name") or item.get("label")) for item in data.get("results") or []]

    async def add_labels(self, page_id: str, labels: list[str]) -> list[str]:
        """Add `labels` (v1 on both deployments: v2 has no label writes); the labels the content has now."""
        body = [{"prefix": "global", "name": name} for name in labels]
        data = await self._json("POST", f"/rest/api/content/{segment(page_id)}/label", body=body)
        results = data.get("results") if isinstance(data, dict) else data
        return [str(i.get("name")) for i in results or [] if isinstance(i, dict) and i.get("name")]

    # ---- search

    async def search(self, cql: str, limit: int, cursor: str | None) -> Listing:
        params: dict[str, Any] = {"cql": cql, "limit": limit}
        start = 0
        if self.cloud:
            if cursor:
                params["cursor"] = cursor
        else:
            start = offset_token(cursor, "cursor")
            params["start"] = start
        data = await self._get("/rest/api/search", params)
        items = list(data.get("results") or [])
        next_link = (data.get("_links") or {}).get("next")
        total = data.get("totalSize")
        if self.cloud:
            token = _cursor(next_link)
        else:
            more = bool(next_link) or (isinstance(total, int) and start + len(items) < total)
            token = next_offset(start, len(items), more)
        return Listing(items, token, total if isinstance(total, int) else None)
