"""Jira REST: v3 on Cloud (rich text as ADF), v2 on Server/Data Center (rich text as wiki markup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from passthrough.providers._client import ProviderClient, next_offset, offset_token
from passthrough.providers._upstream import segment
from passthrough.providers.jira._agile import AgileCalls
from passthrough.providers.jira._extras import ExtrasCalls
from passthrough.providers.jira._forms import FormsCalls
from passthrough.providers.jira._issue_ops import IssueOpsCalls
from passthrough.providers.jira._people import PeopleCalls
from passthrough.providers.jira._projects import ProjectCalls
from passthrough.providers.jira._service_desk import ServiceDeskCalls

DEFAULT_FIELDS = (
    "summary,status,issuetype,priority,assignee,reporter,created,updated,labels,description,project,comment,parent"
)
SEARCH_FIELDS = "summary,status,issuetype,priority,assignee,updated,project"


@dataclass(frozen=True, slots=True)
class SearchPage:
    issues: list[dict[str, Any]]
    next_page_token: str | None
    total: int | None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) else None


class JiraClient(
    PeopleCalls, AgileCalls, ProjectCalls, IssueOpsCalls, ExtrasCalls, ServiceDeskCalls, FormsCalls, ProviderClient
):
    """Jira for one request's credential. Rich-text values (`body`, `description`) go as the deployment's
    format: ADF on Cloud, wiki markup on Server/Data Center."""

    provider = "jira"

    @property
    def api(self) -> str:
        return "/rest/api/3" if self.cloud else "/rest/api/2"

    def browse_url(self, key: str) -> str:
        return f"{self.base_url}/browse/{segment(key)}"

    async def myself(self) -> dict[str, Any]:
        return await self._get("/myself")

    async def issue(
        self,
        key: str,
        fields: str = DEFAULT_FIELDS,
        *,
        expand: str | None = None,
        properties: str | None = None,
        update_history: bool | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"fields": fields}
        if expand:
            params["expand"] = expand
        if properties:
            params["properties"] = properties
        if update_history is not None:
            params["updateHistory"] = "true" if update_history else "false"
        return await self._get(f"/issue/{segment(key)}", params)

    async def search(
        self,
        jql: str,
        max_results: int,
        page_token: str | None,
        fields: str = SEARCH_FIELDS,
        *,
        expand: str | None = None,
    ) -> SearchPage:
        extra = {"expand": expand} if expand else {}
        if self.cloud:
            params: dict[str, Any] = {"jql": jql, "maxResults": max_results, "fields": fields, **extra}
            if page_token:
                params["nextPageToken"] = page_token
            data = await self._get("/search/jql", params)
            token = data.get("nextPageToken") if not data.get("isLast", not data.get("nextPageToken")) else None
            return SearchPage(list(data.get("issues") or []), token, None)
        start = offset_token(page_token, "page_token")
        params = {"jql": jql, "startAt": start, "maxResults": max_results, "fields": fields, **extra}
        data = await self._get("/search", params)
        issues = list(data.get("issues") or [])
        total = _count(data.get("total"))
        return SearchPage(
            issues, next_offset(start, len(issues), total is not None and start + len(issues) < total), total
        )

    async def create_issue(self, fields: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", "/issue", {"fields": fields})

    async def update_issue(self, key: str, fields: dict[str, Any]) -> None:
        await self._json("PUT", f"/issue/{segment(key)}", body={"fields": fields})

    async def comments(self, key: str, start: int, max_results: int) -> dict[str, Any]:
        params = {"startAt": start, "maxResults": max_results, "orderBy": "-created"}
        return await self._get(f"/issue/{segment(key)}/comment", params)

    async def add_comment(self, key: str, body: Any) -> dict[str, Any]:
        return await self._send("POST", f"/issue/{segment(key)}/comment", {"body": body})

    async def transitions(self, key: str) -> list[dict[str, Any]]:
        data = await self._get(f"/issue/{segment(key)}/transitions")
        return list(data.get("transitions") or [])

    async def transition(self, key: str, transition_id: str, comment: Any = None) -> None:
        body: dict[str, Any] = {"transition": {"id": transition_id}}
        if comment is not None:
            body["update"] = {"comment": [{"add": {"body": comment}}]}
        await self._json("POST", f"/issue/{segment(key)}/transitions", body=body)

    async def projects(self, limit: int = 500) -> list[dict[str, Any]]:
        if not self.cloud:
            return list(await self._array("/project"))[:limit]
        found: list[dict[str, Any]] = []
        while len(found) < limit:
            page = await self._get("/project/search", {"startAt": len(found), "maxResults": 50})
            values = list(page.get("values") or [])
            found += values
            if page.get("isLast", True) or not values:
                break
        return found[:limit]

    async def issue_types(self, project_key: str) -> list[dict[str, Any]]:
        data = await self._get(f"/issue/createmeta/{segment(project_key)}/issuetypes", {"maxResults": 100})
        return list(data.get("issueTypes") or data.get("values") or [])

    async def link_types(self) -> list[dict[str, Any]]:
        data = await self._get("/issueLinkType")
        return list(data.get("issueLinkTypes") or [])

    async def link(self, link_type: str, inward: str, outward: str) -> None:
        body = {"type": {"name": link_type}, "inwardIssue": {"key": inward}, "outwardIssue": {"key": outward}}
        await self._no_answer("POST", "/issueLink", body)
