"""Jira REST calls for projects, versions, components and fields."""

from __future__ import annotations

from typing import Any

from passthrough.errors import UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

_PAGE = 100
_MAX_PAGES = 20  # a bound on the pages one lookup walks (2,000 entries)


class ProjectCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""

    async def project_versions(self, project_key: str) -> list[dict[str, Any]]:
        return list(await self._array(f"/project/{segment(project_key)}/versions"))

    async def create_version(self, project_key: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A new version of the project: Cloud names the project by id (looked up once per user), Server/DC
        by key."""
        if self.cloud:
            project: dict[str, Any] = {"projectId": int(await self.project_id(project_key))}
        else:
            project = {"project": project_key}
        return await self._send("POST", "/version", {**project, **fields})

    async def project_id(self, project_key: str) -> str:
        """The id of the project with this key, cached for this user."""

        async def load() -> str:
            project = await self._get(f"/project/{segment(project_key)}")
            return str(project.get("id", ""))

        found = await self._cached(f"jira.project-id:{project_key.upper()}", load)
        if not found.isdigit():
            raise UpstreamError(self.provider, 200, f"Jira answered project {project_key} without its id")
        return found

    async def update_version(self, version_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("PUT", f"/version/{segment(version_id)}", body)

    async def project_components(self, project_key: str) -> list[dict[str, Any]]:
        return list(await self._array(f"/project/{segment(project_key)}/components"))

    async def find_projects(self, query: str, max_results: int, exclude: list[str]) -> list[dict[str, Any]]:
        """Projects whose key or name matches `query`: Cloud's project search, Server/DC's project picker."""
        if self.cloud:
            page = await self._get("/project/search", {"query": query, "maxResults": max_results})
            return list(page.get("values") or [])
        params: dict[str, Any] = {"query": query, "maxResults": max_results}
        if exclude:
            params["currentProjectIds"] = ",".join(exclude)
        picked = await self._get("/projects/picker", params)
        return list(picked.get("projects") or [])

    async def fields(self) -> list[dict[str, Any]]:
        """Every field the user can see (system and custom)."""
        return list(await self._array("/field"))

    async def create_meta_fields(self, project_key: str, issue_type_id: str) -> list[dict[str, Any]]:
        """What creating an issue of this type in this project takes: every field, required or not, with
        its allowed values; all pages."""
        path = f"/issue/createmeta/{segment(project_key)}/issuetypes/{segment(issue_type_id)}"
        found: list[dict[str, Any]] = []
        for _ in range(_MAX_PAGES):
            page = await self._get(path, {"startAt": len(found), "maxResults": _PAGE})
            values = list(page.get("fields") or page.get("values") or [])
            found += values
            total = page.get("total")
            if not values or not isinstance(total, int) or len(found) >= total:
                break
        return found

    async def field_contexts(self, field_id: str) -> list[dict[str, Any]]:
        """A custom field's contexts (Cloud)."""
        page = await self._get(f"/field/{segment(field_id)}/context", {"maxResults": 100})
        return list(page.get("values") or [])

    async def field_context_options(self, field_id: str, context_id: str) -> list[dict[str, Any]]:
        """The options of a custom field in one context (Cloud), all pages."""
        path = f"/field/{segment(field_id)}/context/{segment(context_id)}/option"
        found: list[dict[str, Any]] = []
        for _ in range(_MAX_PAGES):
            page = await self._get(path, {"startAt": len(found), "maxResults": _PAGE})
            values = list(page.get("values") or [])
            found += values
            if not values or page.get("isLast", True):
                break
        return found

    async def projects_including_archived(self, limit: int = 500) -> list[dict[str, Any]]:
        """Every project the user can see, archived ones too (Cloud: `status=live,archived`)."""
        if not self.cloud:
            return list(await self._array("/project", {"includeArchived": "true"}))[:limit]
        found: list[dict[str, Any]] = []
        while len(found) < limit:
            params = {"startAt": len(found), "maxResults": 50, "status": "live,archived"}
            page = await self._get("/project/search", params)
            values = list(page.get("values") or [])
            found += values
            if page.get("isLast", True) or not values:
                break
        return found[:limit]

    # per-user reference data: cached per credential, so one user's view never answers another's

    async def field_catalog(self, *, refresh: bool = False) -> list[dict[str, Any]]:
        """`fields()`, cached for this user; `refresh` reads it afresh."""
        if refresh:
            return await self.fields()
        return await self._cached("jira.fields", self.fields)

    async def create_meta(self, project_key: str, issue_type_id: str) -> list[dict[str, Any]]:
        """`create_meta_fields()`, cached for this user, project and issue type."""
        name = f"jira.createmeta:{project_key.upper()}:{issue_type_id}"
        return await self._cached(name, lambda: self.create_meta_fields(project_key, issue_type_id))
