"""OpenProject API v3 (HAL+JSON). The key goes upstream as Basic `apikey:<key>`.

An instance may serve anonymous users, so a wrong key can come back as a 200
for the anonymous user; every request's user is therefore verified once per
user and upstream (cached) before their data is trusted.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment
from passthrough.providers.openproject._attachments import AttachmentCalls
from passthrough.providers.openproject._people import PeopleCalls
from passthrough.providers.openproject._relations import RelationCalls
from passthrough.providers.openproject._time import TimeCalls
from passthrough.providers.openproject._workspace import WorkspaceCalls

API = "/api/v3"


def href_id(link: Any) -> str | None:
    """The trailing id of a HAL link such as {"href": "/api/v3/statuses/7"}."""
    href = (link or {}).get("href") if isinstance(link, dict) else None
    return href.rstrip("/").rsplit("/", 1)[-1] if isinstance(href, str) and href else None


def elements(collection: Any) -> list[dict[str, Any]]:
    return list(((collection or {}).get("_embedded") or {}).get("elements") or [])


class OpenProjectClient(RelationCalls, TimeCalls, PeopleCalls, WorkspaceCalls, AttachmentCalls, ProviderClient):
    """OpenProject for one request's key. Text fields are Markdown natively (`{"raw": …}`)."""

    provider = "openproject"
    # OpenProject wants a JSON Content-Type on every write, a bodiless DELETE or POST included (else 406)
    bodiless_headers: ClassVar[dict[str, str] | None] = {"Content-Type": "application/json"}

    @property
    def api(self) -> str:
        return API

    def web_url(self, work_package_id: int | str) -> str:
        return f"{self.base_url}/work_packages/{work_package_id}"

    async def ready(self) -> None:
        """A tool may use this key only once it is known to name a real user, not the anonymous one."""
        await self.verified()

    async def me(self) -> dict[str, Any]:
        """The user behind the key; refuses an anonymous answer, whatever its status code."""
        data = await self._get("/users/me")
        if (
            data.get("_type") == "AnonymousUser"
            or not data.get("login")
            or str(data.get("login")).lower() == "anonymous"
            or not data.get("id")
        ):
            source = {"header": "X-OpenProject-Key", "global": "the server's shared key"}.get(
                self.credential_source, "the key"
            )
            raise UpstreamError(
                "openproject",
                200,
                f"OpenProject did not accept the API key from {source}: it answered as the anonymous user "
                "(this instance allows anonymous access). Check the key under My account → Access tokens.",
            )
        return data

    async def verified(self) -> dict[str, Any]:
        """`me()`, remembered per user for a while so each tool call does not pay for it."""
        return await self._cached("me", self.me)

    # ---- reference data (non-secret, cached per user and upstream)

    async def projects(self) -> list[dict[str, Any]]:
        return elements(await self._get("/projects", {"pageSize": 500}))

    async def project_id(self, ref: str) -> str:
        if ref.isdigit():
            return ref

        async def load() -> str:
            try:
                data = await self._get(f"/projects/{segment(ref)}")
            except UpstreamError as exc:
                if exc.status == 404:
                    raise InvalidArguments(f"No OpenProject project '{ref}' is visible to this user.") from None
                raise
            return str(data["id"])

        return await self._cached(f"project:{ref}", load)

    async def statuses(self) -> list[dict[str, Any]]:
        async def load() -> list[dict[str, Any]]:
            return elements(await self._get("/statuses"))

        return await self._cached("statuses", load)

    async def types(self, project_id: str | None = None) -> list[dict[str, Any]]:
        path = f"/projects/{segment(project_id)}/types" if project_id else "/types"

        async def load() -> list[dict[str, Any]]:
            return elements(await self._get(path))

        return await self._cached(f"types:{project_id or '*'}", load)

    @staticmethod
    def by_name(items: list[dict[str, Any]], name: str, what: str) -> dict[str, Any]:
        wanted = name.strip().casefold()
        for item in items:
            if str(item.get("id")) == name.strip() or str(item.get("name", "")).casefold() == wanted:
                return item
        known = ", ".join(str(i.get("name")) for i in items) or "none"
        raise InvalidArguments(f"No {what} named '{name}'. Known: {known}.")

    # ---- work packages

    async def search(self, filters: list[dict[str, Any]], page_size: int, page: int) -> dict[str, Any]:
        params = {
            "filters": json.dumps(filters, separators=(",", ":")),
            "pageSize": page_size,
            "offset": page,
            "sortBy": json.dumps([["updatedAt", "desc"]]),
        }
        return await self._get("/work_packages", params)

    async def work_package(self, wp_id: int) -> dict[str, Any]:
        return await self._get(f"/work_packages/{wp_id}")

    async def activities(self, wp_id: int) -> list[dict[str, Any]]:
        return elements(await self._get(f"/work_packages/{wp_id}/activities"))

    async def create(self, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", f"/projects/{segment(project_id)}/work_packages", body)

    async def update(self, wp_id: int, lock_version: int, changes: dict[str, Any]) -> dict[str, Any]:
        return await self._send("PATCH", f"/work_packages/{wp_id}", {"lockVersion": lock_version, **changes})

    async def comment(self, wp_id: int, markdown: str) -> dict[str, Any]:
        return await self._send("POST", f"/work_packages/{wp_id}/activities", {"comment": {"raw": markdown}})
