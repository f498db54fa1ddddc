"""OpenProject API v3 calls for projects, the instance, priorities, notifications, queries, boards, documents."""

from __future__ import annotations

import json
from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

# OpenProject wants a JSON Content-Type on every write, a bodiless POST or DELETE included (else 406)


def _filters(filters: list[dict[str, Any]]) -> str:
    return json.dumps(filters, separators=(",", ":"))


class WorkspaceCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""

    # ---- the instance

    async def api_root(self) -> dict[str, Any]:
        return await self._get("")

    async def configuration(self) -> dict[str, Any]:
        return await self._get("/configuration")

    async def capabilities(self, principal: str, contexts: list[str], page_size: int) -> dict[str, Any]:
        """What `principal` may do in `contexts` ("g" global, "p<id>" a project), by action id."""
        filters = [
            {"principal": {"operator": "=", "values": [principal]}},
            {"context": {"operator": "=", "values": contexts}},
        ]
        params = {"filters": _filters(filters), "pageSize": page_size, "sortBy": json.dumps([["id", "asc"]])}
        return await self._get("/capabilities", params)

    async def priorities(self) -> list[dict[str, Any]]:
        async def load() -> list[dict[str, Any]]:
            data = await self._get("/priorities")
            return list(((data.get("_embedded") or {}).get("elements")) or [])

        return await self._cached("priorities", load)

    # ---- projects

    async def project(self, ref: str) -> dict[str, Any]:
        return await self._get(f"/projects/{segment(ref)}")

    async def project_identifier(self, ref: str) -> str:
        """The identifier of a project named by id or identifier (a board's scope is its identifier)."""
        if not ref.isdigit():
            return ref

        async def load() -> str:
            return str((await self.project(ref))["identifier"])

        return await self._cached(f"project-identifier:{ref}", load)

    async def find_projects(self, text: str, page_size: int, page: int) -> dict[str, Any]:
        """Projects whose name or identifier contains `text`."""
        params = {
            "filters": _filters([{"name_and_identifier": {"operator": "~", "values": [text]}}]),
            "pageSize": page_size,
            "offset": page,
        }
        return await self._get("/projects", params)

    async def create_project(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", "/projects", body)

    async def update_project(self, project_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        return await self._send("PATCH", f"/projects/{segment(project_id)}", changes)

    async def delete_project(self, project_id: str) -> int:
        """The status OpenProject answered (204, or 202 where it says the deletion was only accepted)."""
        return await self._no_answer("DELETE", f"/projects/{segment(project_id)}")

    # ---- notifications

    async def notifications(self, filters: list[dict[str, Any]], page_size: int, page: int) -> dict[str, Any]:
        params: dict[str, Any] = {"pageSize": page_size, "offset": page}
        if filters:
            params["filters"] = _filters(filters)
        return await self._get("/notifications", params)

    async def notification(self, notification_id: int) -> dict[str, Any]:
        return await self._get(f"/notifications/{notification_id}")

    async def read_notification(self, notification_id: int) -> None:
        await self._no_answer("POST", f"/notifications/{notification_id}/read_ian")

    async def read_notifications(self, filters: list[dict[str, Any]]) -> None:
        """Marks every notification of the user matching `filters` (all of them when none) as read."""
        await self._no_answer(
            "POST", "/notifications/read_ian", params={"filters": _filters(filters)} if filters else None
        )

    # ---- queries and boards

    async def queries(self, filters: list[dict[str, Any]]) -> dict[str, Any]:
        return await self._get("/queries", {"filters": _filters(filters)} if filters else None)

    async def query(self, query_id: int, page_size: int, page: int) -> dict[str, Any]:
        return await self._get(f"/queries/{query_id}", {"pageSize": page_size, "offset": page})

    async def grids(self, scopes: list[str], page_size: int, page: int) -> dict[str, Any]:
        params = {
            "filters": _filters([{"scope": {"operator": "=", "values": scopes}}]),
            "pageSize": page_size,
            "offset": page,
        }
        return await self._get("/grids", params)

    async def grid(self, grid_id: int) -> dict[str, Any]:
        return await self._get(f"/grids/{grid_id}")

    # ---- documents

    async def documents(self, page_size: int, page: int, sort: list[list[str]]) -> dict[str, Any]:
        params = {"pageSize": page_size, "offset": page, "sortBy": json.dumps(sort)}
        return await self._get("/documents", params)

    async def document(self, document_id: int) -> dict[str, Any]:
        return await self._get(f"/documents/{document_id}")
