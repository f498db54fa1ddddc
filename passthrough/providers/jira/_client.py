"""Jira REST: v3 on Cloud (rich text as ADF), v2 on Server/Data Center (rich text as wiki markup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from passthrough.credentials import Credential
from passthrough.errors import InvalidArguments
from passthrough.markup import convert, markdown_to_adf, markdown_to_wiki
from passthrough.providers._upstream import Upstream, segment

DEFAULT_FIELDS = (
    "summary,status,issuetype,priority,assignee,reporter,created,updated,labels,description,project,comment,parent"
)
SEARCH_FIELDS = "summary,status,issuetype,priority,assignee,updated,project"


@dataclass(frozen=True, slots=True)
class SearchPage:
    issues: list[dict[str, Any]]
    next_page_token: str | None
    total: int | None


class JiraClient:
    """Jira for one request's credential; cheap to build, holds nothing but references."""

    def __init__(self, upstream: Upstream, credential: Credential) -> None:
        self._up = upstream
        self._cred = credential
        self.cloud = upstream.config.deployment == "cloud"
        self.api = "/rest/api/3" if self.cloud else "/rest/api/2"

    @property
    def base_url(self) -> str:
        return self._up.base_url

    def browse_url(self, key: str) -> str:
        return f"{self._up.base_url}/browse/{segment(key)}"

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return (await self._up.call("GET", self.api + path, credential=self._cred, params=params)).json()

    async def _send(self, method: str, path: str, body: Any) -> Any:
        return (await self._up.call(method, self.api + path, credential=self._cred, body=body)).json()

    async def rich_text(self, markdown: str) -> Any:
        """Markdown as this deployment's rich text: ADF for Cloud v3, wiki markup for v2.

        Raises `TextTooLong` or `NestingTooDeep` beyond the markup limits."""
        return await convert(markdown_to_adf if self.cloud else markdown_to_wiki, markdown)

    async def myself(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._get("/myself")
        return result

    async def issue(self, key: str, fields: str = DEFAULT_FIELDS) -> dict[str, Any]:
        result: dict[str, Any] = await self._get(f"/issue/{segment(key)}", {"fields": fields})
        return result

    async def search(
        self, jql: str, max_results: int, page_token: str | None, fields: str = SEARCH_FIELDS
    ) -> SearchPage:
        if self.cloud:
            params: dict[str, Any] = {"jql": jql, "maxResults": max_results, "fields": fields}
            if page_token:
                params["nextPageToken"] = page_token
            data = await self._get("/search/jql", params)
            token = data.get("nextPageToken") if not data.get("isLast", not data.get("nextPageToken")) else None
            return SearchPage(list(data.get("issues") or []), token, None)
        start = 0
        if page_token:
            # ASCII digits only, and few of them: str.isdigit() admits '²', and int() refuses 5,000 digits.
            if not page_token.isascii() or not page_token.isdigit() or len(page_token) > 9:
                raise InvalidArguments("page_token is not one this server handed out; start again without it")
            start = int(page_token)
        data = await self._get("/search", {"jql": jql, "startAt": start, "maxResults": max_results, "fields": fields})
        issues = list(data.get("issues") or [])
        total = data.get("total")
        following = start + len(issues)
        more = issues and isinstance(total, int) and following < total
        return SearchPage(issues, str(following) if more else None, total if isinstance(total, int) else None)

    async def create_issue(self, fields: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._send("POST", "/issue", {"fields": fields})
        return result

    async def update_issue(self, key: str, fields: dict[str, Any]) -> None:
        await self._send("PUT", f"/issue/{segment(key)}", {"fields": fields})

    async def comments(self, key: str, start: int, max_results: int) -> dict[str, Any]:
        params = {"startAt": start, "maxResults": max_results, "orderBy": "-created"}
        result: dict[str, Any] = await self._get(f"/issue/{segment(key)}/comment", params)
        return result

    async def add_comment(self, key: str, markdown: str) -> dict[str, Any]:
        body = await self.rich_text(markdown)
        result: dict[str, Any] = await self._send("POST", f"/issue/{segment(key)}/comment", {"body": body})
        return result

    async def transitions(self, key: str) -> list[dict[str, Any]]:
        data = await self._get(f"/issue/{segment(key)}/transitions")
        return list(data.get("transitions") or [])

    async def transition(self, key: str, transition_id: str, comment: str | None) -> None:
        body: dict[str, Any] = {"transition": {"id": transition_id}}
        if comment:
            body["update"] = {"comment": [{"add": {"body": await self.rich_text(comment)}}]}
        await self._send("POST", f"/issue/{segment(key)}/transitions", body)

    async def projects(self, limit: int = 500) -> list[dict[str, Any]]:
        if not self.cloud:
            return list(await self._get("/project"))[:limit]
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
        await self._up.call("POST", self.api + "/issueLink", credential=self._cred, body=body, expect_json=False)
