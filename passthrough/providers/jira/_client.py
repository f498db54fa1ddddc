"""Jira REST: v3 on Cloud (rich text as ADF), v2 on Server/Data Center (rich text as wiki markup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from passthrough.credentials import Credential
from passthrough.errors import InvalidArguments
from passthrough.providers._upstream import Upstream

DEFAULT_FIELDS = (
    "summary,status,issuetype,priority,assignee,reporter,created,updated,labels,description,project,comment,parent"
)
SEARCH_FIELDS = "summary,status,issuetype,priority,assignee,updated,project"


def segment(value: str) -> str:
    """One path segment, percent-encoded so that no value can add or climb path levels."""
    return quote(value, safe="")


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
            if not page_token.isdigit():
                raise InvalidArguments("page_token is not one this server handed out; start again without it")
            start = int(page_token)
        data = await self._get("/search", {"jql": jql, "startAt": start, "maxResults": max_results, "fields": fields})
        issues = list(data.get("issues") or [])
        total = data.get("total")
        following = start + len(issues)
        more = issues and isinstance(total, int) and following < total
        return SearchPage(issues, str(following) if more else None, total if isinstance(total, int) else None)
