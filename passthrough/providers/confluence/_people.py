"""Confluence REST calls for users, page views, templates and permissions.

Cloud: user CQL on /rest/api/search/user, users by account id, groups by name, page analytics, content
templates, the content permission check (all v1) and a space's permission assignments (v2). Server/Data
Center: user CQL on /rest/api/search, group members, and (Data Center) a space's permissions; it has no
analytics or template REST API, which the methods here say in one sentence.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

NO_ANALYTICS = (
    "Confluence Server/Data Center has no page analytics REST API: page views can be read through the REST API "
    "on Confluence Cloud only (on Data Center, see the page's Analytics in the browser)."
)
NO_TEMPLATES = (
    "This Confluence Server/Data Center has no content template REST API (/rest/api/template answered 404 Not "
    "Found): page templates can be read through the REST API on Confluence Cloud only."
)
NO_SPACE_PERMISSIONS = (
    "This Confluence Server/Data Center has no REST API for space permissions (/rest/api/space/{key}/permissions "
    "answered 404 Not Found; newer Data Center versions have it): see the space's Permissions page in the browser."
)
_NO_ROUTE = "null for uri"  # Confluence's 404 for a REST path it does not serve


def _route_missing(exc: UpstreamError) -> bool:
    return exc.status == 404 and _NO_ROUTE in str(exc).lower()


class PeopleCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""

    # ---- users and groups

    async def user_search(self, cql: str, limit: int) -> dict[str, Any]:
        """One page of a user CQL search: Cloud's /search/user; Server's /search, which takes user fields."""
        path = "/rest/api/search/user" if self.cloud else "/rest/api/search"
        return await self._get(path, {"cql": cql, "limit": limit})

    async def group_members(self, group: str, start: int, limit: int) -> dict[str, Any]:
        """Server/Data Center: one page of a group's members (v1 start/limit)."""
        return await self._get(f"/rest/api/group/{segment(group)}/member", {"start": start, "limit": limit})

    async def user_by_account_id(self, account_id: str) -> dict[str, Any] | None:
        """Cloud: the user with this account id, or None if there is none."""
        try:
            return await self._get("/rest/api/user", {"accountId": account_id})
        except UpstreamError as exc:
            if exc.status == 404:
                return None
            raise

    async def group_id(self, name: str) -> str:
        """Cloud: the id of the group named `name` (what permission checks take), cached per user."""

        async def load() -> str:
            try:
                data = await self._get("/rest/api/group/by-name", {"name": name})
            except UpstreamError as exc:
                if exc.status == 404:
                    raise InvalidArguments(f"No Confluence group named '{name}' is visible to this user.") from None
                raise
            if not data.get("id"):
                raise UpstreamError("confluence", 200, f"Confluence named no id for the group '{name}'.")
            return str(data["id"])

        return await self._cached(f"group-id:{name.casefold()}", load)

    async def user_names(self, account_ids: list[str]) -> dict[str, str]:
        """Cloud v2: display names by account id, 100 ids a call."""
        names: dict[str, str] = {}
        for i in range(0, len(account_ids), 100):
            data = await self._send("POST", "/api/v2/users-bulk", {"accountIds": account_ids[i : i + 100]})
            for user in data.get("results") or []:
                if isinstance(user, dict) and user.get("accountId"):
                    names[str(user["accountId"])] = str(user.get("displayName") or user.get("publicName") or "")
        return names

    async def group_name(self, group_id: str) -> str | None:
        """Cloud: a group's name by its id, cached per user; None when Confluence does not show it."""

        async def load() -> str | None:
            try:
                data = await self._get("/rest/api/group/by-id", {"id": group_id})
            except UpstreamError as exc:
                if exc.status in (403, 404):
                    return None
                raise
            return str(data["name"]) if data.get("name") else None

        return await self._cached(f"group-name:{group_id}", load)

    # ---- analytics (Cloud)

    async def page_views(self, page_id: str) -> dict[str, Any]:
        if not self.cloud:
            raise InvalidArguments(NO_ANALYTICS)
        return await self._get(f"/rest/api/analytics/content/{segment(page_id)}/views")

    async def page_viewers(self, page_id: str) -> dict[str, Any]:
        if not self.cloud:
            raise InvalidArguments(NO_ANALYTICS)
        return await self._get(f"/rest/api/analytics/content/{segment(page_id)}/viewers")

    async def page_title(self, page_id: str) -> str:
        """A page's title alone (Cloud v2 without its body; Server v1 without expansions)."""
        if self.cloud:
            data = await self._get(f"/api/v2/pages/{segment(page_id)}")
        else:
            data = await self._get(f"/rest/api/content/{segment(page_id)}")
        return str(data.get("title") or "")

    # ---- templates

    async def _template_get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            return await self._get(path, params)
        except UpstreamError as exc:
            if not self.cloud and _route_missing(exc):
                raise UpstreamError("confluence", 404, NO_TEMPLATES) from None
            raise

    async def page_templates(self, space_key: str | None, start: int, limit: int) -> dict[str, Any]:
        """One page of content templates: a space's, or the global ones without a space."""
        params: dict[str, Any] = {"start": start, "limit": limit}
        if space_key:
            params["spaceKey"] = space_key
        return await self._template_get("/rest/api/template/page", params)

    async def template(self, template_id: str) -> dict[str, Any]:
        """One content template with its body (storage format)."""
        return await self._template_get(f"/rest/api/template/{segment(template_id)}")

    # ---- permissions

    async def check_permission(
        self, content_id: str, subject_type: str, identifier: str, operation: str
    ) -> dict[str, Any]:
        """Cloud: whether the user (account id) or group (group id) may do `operation` on the content."""
        body = {"subject": {"type": subject_type, "identifier": identifier}, "operation": operation}
        return await self._send("POST", f"/rest/api/content/{segment(content_id)}/permission/check", body)

    async def space_permissions(
        self, space_id: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Cloud v2: one page of a space's permission assignments, and the cursor of the next page."""
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        data = await self._get(f"/api/v2/spaces/{segment(space_id)}/permissions", params)
        rows = [r for r in data.get("results") or [] if isinstance(r, dict)]
        next_link = (data.get("_links") or {}).get("next")
        values = parse_qs(urlsplit(str(next_link)).query).get("cursor") if next_link else None
        return rows, values[0] if values else None

    async def space_permissions_v1(self, space_key: str) -> list[Any]:
        """Data Center: every permission granted in a space, as one list."""
        try:
            return await self._array(f"/rest/api/space/{segment(space_key)}/permissions")
        except UpstreamError as exc:
            if _route_missing(exc):
                raise UpstreamError("confluence", 404, NO_SPACE_PERMISSIONS) from None
            raise
