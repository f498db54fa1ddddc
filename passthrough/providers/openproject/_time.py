"""OpenProject API v3 calls for time entries and their activities, and versions.

Facts (OpenProject's costs module, API v3): time entries carry no lockVersion; `hours` is an ISO 8601
duration; the activities a project offers come from the create form's schema
(`POST /time_entries/form` → `_embedded.schema.activity`), as there is no list endpoint for them;
`/time_entries/activities/{id}` reads one. A project's versions are `GET /projects/{id}/versions`,
a new one is `POST /versions` with its `definingProject` link.
"""

from __future__ import annotations

import json
from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment


def _filters(filters: list[dict[str, Any]]) -> str:
    return json.dumps(filters, separators=(",", ":"))


class TimeCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""

    # ---- time entries

    async def time_entries(
        self, filters: list[dict[str, Any]], page_size: int, page: int, sort: list[list[str]] | None = None
    ) -> dict[str, Any]:
        """One page (1-based) of the time entries matching `filters`, by `sort` (default newest day first)."""
        params = {
            "filters": _filters(filters),
            "pageSize": page_size,
            "offset": page,
            "sortBy": json.dumps(sort or [["spent_on", "desc"], ["id", "desc"]], separators=(",", ":")),
        }
        return await self._get("/time_entries", params)

    async def time_entry(self, entry_id: int) -> dict[str, Any]:
        return await self._get(f"/time_entries/{entry_id}")

    async def create_time_entry(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", "/time_entries", body)

    async def update_time_entry(self, entry_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return await self._send("PATCH", f"/time_entries/{entry_id}", changes)

    async def delete_time_entry(self, entry_id: int) -> None:
        await self._no_answer("DELETE", f"/time_entries/{entry_id}")

    # ---- activities (per user and project: the form answers with what this user may book there)

    async def time_entry_form(self, project_id: str) -> dict[str, Any]:
        body = {"_links": {"project": {"href": f"{self.api}/projects/{segment(project_id)}"}}}
        return await self._send("POST", "/time_entries/form", body)

    async def time_activities(self, project_id: str) -> dict[str, Any]:
        """The create form for `project_id`, remembered per user: its schema lists the activities offered."""

        async def load() -> dict[str, Any]:
            return await self.time_entry_form(project_id)

        return await self._cached(f"time_activities:{project_id}", load)

    async def time_projects(self, page_size: int) -> dict[str, Any]:
        """The projects this user may log time in (first page)."""
        return await self._get("/time_entries/available_projects", {"pageSize": page_size, "offset": 1})

    # ---- versions

    async def versions(self, project_id: str, page_size: int, page: int) -> dict[str, Any]:
        params = {"pageSize": page_size, "offset": page}
        return await self._get(f"/projects/{segment(project_id)}/versions", params)

    async def create_version(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", "/versions", body)
