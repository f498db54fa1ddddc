"""OpenProject API v3 calls for relations, parent and children, work package deletion and activities."""

from __future__ import annotations

import json
from typing import Any

from passthrough.providers._client import ProviderClient


def _filters(filters: list[dict[str, Any]]) -> str:
    return json.dumps(filters, separators=(",", ":"))


class RelationCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""

    async def children(self, wp_id: int, page_size: int, page: int) -> dict[str, Any]:
        """One page (1-based) of the work packages whose parent is `wp_id`, open or closed, by id."""
        params = {
            "filters": _filters([{"parent": {"operator": "=", "values": [str(wp_id)]}}]),
            "pageSize": page_size,
            "offset": page,
            "sortBy": json.dumps([["id", "asc"]]),
        }
        return await self._get("/work_packages", params)

    async def relations(self, wp_id: int, types: list[str], page_size: int, page: int) -> dict[str, Any]:
        """One page of the relations `wp_id` is in (either end), of `types` if any."""
        filters: list[dict[str, Any]] = [{"involved": {"operator": "=", "values": [str(wp_id)]}}]
        if types:
            filters.append({"type": {"operator": "=", "values": types}})
        params = {"filters": _filters(filters), "pageSize": page_size, "offset": page}
        return await self._get("/relations", params)

    async def relation(self, relation_id: int) -> dict[str, Any]:
        return await self._get(f"/relations/{relation_id}")

    async def create_relation(self, from_id: int, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", f"/work_packages/{from_id}/relations", body)

    async def update_relation(self, relation_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return await self._send("PATCH", f"/relations/{relation_id}", changes)

    async def delete_relation(self, relation_id: int) -> None:
        await self._no_answer("DELETE", f"/relations/{relation_id}")

    async def delete_work_package(self, wp_id: int) -> None:
        """Deletes the work package and, as OpenProject does, every work package below it."""
        await self._no_answer("DELETE", f"/work_packages/{wp_id}")
