"""ClickUp API v2 calls for a Workspace's time entries: `GET /team/{team_id}/time_entries` (filters
`start_date`/`end_date` in ms, by default the last 30 days; `task_id`; `assignee`: other people's entries,
for Workspace owners and admins; without it only the token's user's) and `POST /team/{team_id}/time_entries`
(`tid`, `start` and `duration` in ms, `description`, `billable`)."""

from __future__ import annotations

from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment


class TimeCalls(ProviderClient):
    """Mixed into ClickUpClient; paths are under `self.api` (/api/v2)."""

    async def time_entries(self, team_id: str, params: dict[str, Any]) -> list[Any]:
        data = (await self._get(f"/team/{segment(team_id)}/time_entries", params)).get("data")
        if not isinstance(data, list):
            raise self._unexpected("GET", "/team/{team_id}/time_entries", "an object with data")
        return data

    async def add_time_entry(self, team_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The new time entry as ClickUp answers it (its `data`)."""
        data = (await self._send("POST", f"/team/{segment(team_id)}/time_entries", body)).get("data")
        if not isinstance(data, dict):
            raise self._unexpected("POST", "/team/{team_id}/time_entries", "an object with data")
        return data
