"""Jira REST calls for Jira Service Management (/rest/servicedeskapi)."""

from __future__ import annotations

from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

SERVICE_DESK_API = "/rest/servicedeskapi"
# JSM refuses its experimental methods (queues, ADF request bodies, …) to a caller that does not opt in;
# on its other methods the header changes nothing, so every call sends it.
OPT_IN = {"X-ExperimentalApi": "opt-in"}


class ServiceDeskCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""

    async def _desk(
        self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None
    ) -> dict[str, Any]:
        """One JSM call, opted in to its experimental methods; the answer must be a JSON object."""
        answer = await self._up.call(
            method, SERVICE_DESK_API + path, credential=self._cred, params=params, body=body, headers=OPT_IN
        )
        value = answer.json()
        if not isinstance(value, dict):
            raise self._unexpected(method, SERVICE_DESK_API + path, "an object")
        return value

    async def service_desks(self, start: int, limit: int) -> dict[str, Any]:
        return await self._desk("GET", "/servicedesk", {"start": start, "limit": limit})

    async def service_desk_queues(self, desk_id: str, start: int, limit: int) -> dict[str, Any]:
        params = {"start": start, "limit": limit, "includeCount": "true"}
        return await self._desk("GET", f"/servicedesk/{segment(desk_id)}/queue", params)

    async def service_desk_queue(self, desk_id: str, queue_id: str) -> dict[str, Any]:
        path = f"/servicedesk/{segment(desk_id)}/queue/{segment(queue_id)}"
        return await self._desk("GET", path, {"includeCount": "true"})

    async def queue_issues(self, desk_id: str, queue_id: str, start: int, limit: int) -> dict[str, Any]:
        path = f"/servicedesk/{segment(desk_id)}/queue/{segment(queue_id)}/issue"
        return await self._desk("GET", path, {"start": start, "limit": limit})

    async def request_types(self, desk_id: str, start: int, limit: int, query: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"start": start, "limit": limit}
        if query:
            params["searchQuery"] = query
        return await self._desk("GET", f"/servicedesk/{segment(desk_id)}/requesttype", params)

    async def request_type_fields(self, desk_id: str, type_id: str) -> dict[str, Any]:
        return await self._desk("GET", f"/servicedesk/{segment(desk_id)}/requesttype/{segment(type_id)}/field")

    async def create_customer_request(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._desk("POST", "/request", body=body)
