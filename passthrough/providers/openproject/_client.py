"""OpenProject API v3 (HAL+JSON). The key goes upstream as Basic `apikey:<key>`.

An instance may serve anonymous users, so a wrong key can come back as a 200
for the anonymous user; every request's user is therefore verified once per
user and upstream (cached) before their data is trusted.
"""

from __future__ import annotations

import json
from typing import Any

from passthrough.credentials import Credential
from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._upstream import Upstream, segment

API = "/api/v3"


def href_id(link: Any) -> str | None:
    """The trailing id of a HAL link such as {"href": "/api/v3/statuses/7"}."""
    href = (link or {}).get("href") if isinstance(link, dict) else None
    return href.rstrip("/").rsplit("/", 1)[-1] if isinstance(href, str) and href else None


def elements(collection: Any) -> list[dict[str, Any]]:
    return list(((collection or {}).get("_embedded") or {}).get("elements") or [])


class OpenProjectClient:
    def __init__(self, upstream: Upstream, credential: Credential) -> None:
        self._up = upstream
        self._cred = credential

    @property
    def base_url(self) -> str:
        return self._up.base_url

    def web_url(self, work_package_id: int | str) -> str:
        return f"{self.base_url}/work_packages/{work_package_id}"

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return (await self._up.call("GET", API + path, credential=self._cred, params=params)).json()

    async def _send(self, method: str, path: str, body: Any) -> Any:
        return (await self._up.call(method, API + path, credential=self._cred, body=body)).json()

    async def me(self) -> dict[str, Any]:
        """The user behind the key; refuses an anonymous answer, whatever its status code."""
        data: dict[str, Any] = await self._get("/users/me")
        if (
            data.get("_type") == "AnonymousUser"
            or not data.get("login")
            or str(data.get("login")).lower() == "anonymous"
            or not data.get("id")
        ):
            source = {"header": "X-OpenProject-Key", "global": "the server's shared key"}.get(
                self._cred.source, "the key"
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
        result: dict[str, Any] = await self._up.cached(self._cred, "me", self.me)
        return result

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

        project: str = await self._up.cached(self._cred, f"project:{ref}", load)
        return project

    async def statuses(self) -> list[dict[str, Any]]:
        async def load() -> list[dict[str, Any]]:
            return elements(await self._get("/statuses"))

        result: list[dict[str, Any]] = await self._up.cached(self._cred, "statuses", load)
        return result

    async def types(self, project_id: str | None = None) -> list[dict[str, Any]]:
        path = f"/projects/{segment(project_id)}/types" if project_id else "/types"

        async def load() -> list[dict[str, Any]]:
            return elements(await self._get(path))

        result: list[dict[str, Any]] = await self._up.cached(self._cred, f"types:{project_id or '*'}", load)
        return result

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
        result: dict[str, Any] = await self._get("/work_packages", params)
        return result

    async def work_package(self, wp_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self._get(f"/work_packages/{wp_id}")
        return result

    async def activities(self, wp_id: int) -> list[dict[str, Any]]:
        return elements(await self._get(f"/work_packages/{wp_id}/activities"))

    async def create(self, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._send("POST", f"/projects/{segment(project_id)}/work_packages", body)
        return result

    async def update(self, wp_id: int, lock_version: int, changes: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._send(
            "PATCH", f"/work_packages/{wp_id}", {"lockVersion": lock_version, **changes}
        )
        return result

    async def comment(self, wp_id: int, markdown: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._send(
            "POST", f"/work_packages/{wp_id}/activities", {"comment": {"raw": markdown}}
        )
        return result
