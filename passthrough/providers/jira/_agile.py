"""Jira REST calls for Jira Software agile: boards and sprints (/rest/agile/1.0)."""

from __future__ import annotations

from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

AGILE = "/rest/agile/1.0"


def _without_none(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class AgileCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""

    async def boards(
        self, start: int, max_results: int, *, name: str | None, board_type: str | None, project: str | None
    ) -> dict[str, Any]:
        params = {"startAt": start, "maxResults": max_results, "name": name, "type": board_type}
        params["projectKeyOrId"] = project
        return await self._get("/board", _without_none(params), api=AGILE)

    async def board_sprints(self, board_id: str, start: int, max_results: int, state: str | None) -> dict[str, Any]:
        params = _without_none({"startAt": start, "maxResults": max_results, "state": state})
        return await self._get(f"/board/{segment(board_id)}/sprint", params, api=AGILE)

    async def board_issues(
        self, board_id: str, jql: str, start: int, max_results: int, fields: str, expand: str | None
    ) -> dict[str, Any]:
        params = {"jql": jql, "startAt": start, "maxResults": max_results, "fields": fields, "expand": expand}
        return await self._get(f"/board/{segment(board_id)}/issue", _without_none(params), api=AGILE)

    async def sprint_issues(
        self, sprint_id: str, jql: str | None, start: int, max_results: int, fields: str, expand: str | None
    ) -> dict[str, Any]:
        params = {"jql": jql, "startAt": start, "maxResults": max_results, "fields": fields, "expand": expand}
        return await self._get(f"/sprint/{segment(sprint_id)}/issue", _without_none(params), api=AGILE)

    async def create_sprint(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", "/sprint", body, api=AGILE)

    async def update_sprint(self, sprint_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A partial update: only the values in `body` change (POST; PUT would replace the sprint)."""
        return await self._send("POST", f"/sprint/{segment(sprint_id)}", body, api=AGILE)

    async def move_to_sprint(self, sprint_id: str, keys: list[str]) -> None:
        await self._no_answer("POST", f"/sprint/{segment(sprint_id)}/issue", {"issues": keys}, api=AGILE)

    async def move_to_backlog(self, keys: list[str]) -> None:
        await self._no_answer("POST", "/backlog/issue", {"issues": keys}, api=AGILE)
