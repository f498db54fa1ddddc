"""Jira REST calls for Jira Software agile: boards and sprints (/rest/agile/1.0)."""

from __future__ import annotations

from typing import Any

from passthrough.errors import UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

AGILE = "/rest/agile/1.0"
NO_AGILE = (
    "Jira answered 404 Not Found under /rest/agile/1.0: this Jira has no Jira Software (boards and sprints "
    "come with it), or the configured JIRA_URL is not the site's base URL."
)
_NO_ROUTE = ("null for uri", "dead link")  # Jira's answers for a REST path it does not serve


def _without_agile(exc: UpstreamError, path: str) -> UpstreamError:
    """A 404 that says the agile API itself is missing (not a board or sprint), said so; any other as it was."""
    missing = exc.status == 404 and (path == "/board" or any(m in str(exc).lower() for m in _NO_ROUTE))
    return UpstreamError(exc.provider, 404, NO_AGILE) if missing else exc


def _without_none(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class AgileCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""

    async def _agile_get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self._get(path, params, api=AGILE)
        except UpstreamError as exc:
            raise _without_agile(exc, path) from None

    async def _agile_send(self, path: str, body: dict[str, Any], *, answer: bool = True) -> dict[str, Any]:
        try:
            if not answer:
                await self._no_answer("POST", path, body, api=AGILE)
                return {}
            return await self._send("POST", path, body, api=AGILE)
        except UpstreamError as exc:
            raise _without_agile(exc, path) from None

    async def boards(
        self, start: int, max_results: int, *, name: str | None, board_type: str | None, project: str | None
    ) -> dict[str, Any]:
        params = {"startAt": start, "maxResults": max_results, "name": name, "type": board_type}
        params["projectKeyOrId"] = project
        return await self._agile_get("/board", _without_none(params))

    async def board_sprints(self, board_id: str, start: int, max_results: int, state: str | None) -> dict[str, Any]:
        params = _without_none({"startAt": start, "maxResults": max_results, "state": state})
        return await self._agile_get(f"/board/{segment(board_id)}/sprint", params)

    async def board_issues(
        self, board_id: str, jql: str, start: int, max_results: int, fields: str, expand: str | None
    ) -> dict[str, Any]:
        params = {"jql": jql, "startAt": start, "maxResults": max_results, "fields": fields, "expand": expand}
        return await self._agile_get(f"/board/{segment(board_id)}/issue", _without_none(params))

    async def sprint_issues(
        self, sprint_id: str, jql: str | None, start: int, max_results: int, fields: str, expand: str | None
    ) -> dict[str, Any]:
        params = {"jql": jql, "startAt": start, "maxResults": max_results, "fields": fields, "expand": expand}
        return await self._agile_get(f"/sprint/{segment(sprint_id)}/issue", _without_none(params))

    async def create_sprint(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._agile_send("/sprint", body)

    async def update_sprint(self, sprint_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A partial update: only the values in `body` change (POST; PUT would replace the sprint)."""
        return await self._agile_send(f"/sprint/{segment(sprint_id)}", body)

    async def move_to_sprint(self, sprint_id: str, keys: list[str]) -> None:
        await self._agile_send(f"/sprint/{segment(sprint_id)}/issue", {"issues": keys}, answer=False)

    async def move_to_backlog(self, keys: list[str]) -> None:
        await self._agile_send("/backlog/issue", {"issues": keys}, answer=False)
