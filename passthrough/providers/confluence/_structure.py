"""Confluence REST calls that change where a page lives or who may see it: move, copy, delete, restrictions.

Cloud moves a page with v1's `PUT /rest/api/content/{id}/move/{position}/{targetId}` and copies one with
`POST /rest/api/content/{id}/copy`; Server/Data Center has neither, so a move there is v1's content update
with new ancestors and the next version number (Confluence refuses it if the page changed meanwhile).
Restrictions are v1 on both (`/restriction/byOperation` to read, `PUT /restriction` to replace)."""

from __future__ import annotations

from typing import Any

from passthrough.errors import InvalidArguments
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

RESTRICTION_EXPAND = "restrictions.user,restrictions.group"


class StructureCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""

    async def space_homepage(self, space_key: str) -> str | None:
        """The id of a space's home page (the top of its page tree), None when it has none."""
        if self.cloud:
            results = (await self._get("/api/v2/spaces", {"keys": space_key, "limit": 1})).get("results") or []
            if not results:
                raise InvalidArguments(f"No Confluence space with key '{space_key}' is visible to this user.")
            home = results[0].get("homepageId")
        else:
            data = await self._get(f"/rest/api/space/{segment(space_key)}", {"expand": "homepage"})
            home = (data.get("homepage") or {}).get("id")
        return str(home) if home else None

    async def move_page_relative(self, page_id: str, position: str, target_id: str) -> dict[str, Any]:
        """Cloud: `append` under the target, or `before`/`after` it among its siblings (any space)."""
        path = f"/rest/api/content/{segment(page_id)}/move/{segment(position)}/{segment(target_id)}"
        return await self._send("PUT", path)

    async def reparent_page(
        self, page_id: str, *, title: str, storage: str, version: int, parent_id: str
    ) -> dict[str, Any]:
        """Server/Data Center: the page as read, under a new parent, as version `version` + 1."""
        body = {
            "id": page_id,
            "type": "page",
            "title": title,
            "version": {"number": version + 1, "message": "Moved"},
            "ancestors": [{"id": parent_id}],
            "body": {"storage": {"value": storage, "representation": "storage"}},
        }
        return await self._send("PUT", f"/rest/api/content/{segment(page_id)}", body)

    async def copy_page(
        self, source_id: str, *, space_key: str, parent_id: str | None, title: str, attachments: bool
    ) -> dict[str, Any]:
        """Cloud: one page copied into a space (at its top) or under a parent page."""
        destination = (
            {"type": "parent_page", "value": parent_id} if parent_id else {"type": "space", "value": space_key}
        )
        body = {
            "copyAttachments": attachments,
            "copyPermissions": False,
            "copyProperties": False,
            "copyLabels": False,
            "copyCustomContents": False,
            "destination": destination,
            "pageTitle": title,
        }
        return await self._send("POST", f"/rest/api/content/{segment(source_id)}/copy", body)

    async def delete_page(self, page_id: str) -> None:
        """Moves a current page to its space's trash (Cloud v2, Server v1)."""
        if self.cloud:
            await self._no_answer("DELETE", f"/api/v2/pages/{segment(page_id)}")
        else:
            await self._no_answer("DELETE", f"/rest/api/content/{segment(page_id)}")

    async def restrictions(self, page_id: str) -> dict[str, Any]:
        """The read and update restrictions, users and groups expanded."""
        path = f"/rest/api/content/{segment(page_id)}/restriction/byOperation"
        return await self._get(path, {"expand": RESTRICTION_EXPAND})

    async def set_restrictions(self, page_id: str, entries: list[dict[str, Any]]) -> None:
        """Replaces every restriction on the page with `entries` (none: unrestricted)."""
        path = f"/rest/api/content/{segment(page_id)}/restriction"
        await self._json("PUT", path, params={"expand": RESTRICTION_EXPAND}, body=entries)

    async def find_users(self, cql: str, limit: int) -> list[dict[str, Any]]:
        """Cloud's people search (`user.fullname ~ "…"`): the users of its results."""
        data = await self._get("/rest/api/search/user", {"cql": cql, "limit": limit})
        return [r["user"] for r in data.get("results") or [] if isinstance(r, dict) and isinstance(r.get("user"), dict)]
