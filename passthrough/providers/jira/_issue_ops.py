"""Jira REST calls for issue operations: delete, move, batches, changelogs, comment edits, links."""

from __future__ import annotations

from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

AGILE = "/rest/agile/1.0"


class IssueOpsCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""

    async def delete_issue(self, key: str, delete_subtasks: bool) -> None:
        params = {"deleteSubtasks": "true" if delete_subtasks else "false"}
        await self._json("DELETE", f"/issue/{segment(key)}", params=params)

    async def issue_fields(self, key: str, fields: str) -> dict[str, Any]:
        return await self._get(f"/issue/{segment(key)}", {"fields": fields})

    async def bulk_move(self, key: str, project_key: str, issue_type_id: str) -> dict[str, Any]:
        """Cloud's bulk move of one issue, keeping its type; answers the task to poll (`taskId`)."""
        mapping = {
            "inferClassificationDefaults": True,
            "inferFieldDefaults": True,
            "inferStatusDefaults": True,
            "inferSubtaskTypeDefault": True,
            "issueIdsOrKeys": [key],
        }
        body = {"sendBulkNotification": False, "targetToSourcesMapping": {f"{project_key},{issue_type_id}": mapping}}
        return await self._send("POST", "/bulk/issues/move", body, api="/rest/api/3")

    async def bulk_task(self, task_id: str) -> dict[str, Any]:
        return await self._get(f"/bulk/queue/{segment(task_id)}", api="/rest/api/3")

    async def create_issues(self, updates: list[dict[str, Any]]) -> dict[str, Any]:
        """POST /issue/bulk: `issues` created and `errors` by `failedElementNumber` (a 400 when none was)."""
        return await self._send("POST", "/issue/bulk", {"issueUpdates": updates})

    async def changelogs_bulk(
        self, keys: list[str], field_ids: list[str] | None, page_token: str | None, max_results: int
    ) -> dict[str, Any]:
        """Cloud: one page of the changelogs of up to 1000 issues, oldest first."""
        body: dict[str, Any] = {"issueIdsOrKeys": keys, "maxResults": max_results}
        if field_ids:
            body["fieldIds"] = field_ids
        if page_token:
            body["nextPageToken"] = page_token
        return await self._send("POST", "/changelog/bulkfetch", body)

    async def issue_changelog(self, key: str) -> dict[str, Any]:
        """Server/DC: an issue with its whole change history (expand=changelog)."""
        return await self._get(f"/issue/{segment(key)}", {"fields": "summary", "expand": "changelog"})

    async def edit_comment(self, key: str, comment_id: str, body: Any, visibility: Any = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"body": body}
        if visibility is not None:
            payload["visibility"] = visibility
        return await self._send("PUT", f"/issue/{segment(key)}/comment/{segment(comment_id)}", payload)

    async def add_remote_link(self, key: str, link: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", f"/issue/{segment(key)}/remotelink", link)

    async def issue_link(self, link_id: str) -> dict[str, Any]:
        return await self._get(f"/issueLink/{segment(link_id)}")

    async def delete_link(self, link_id: str) -> None:
        await self._no_answer("DELETE", f"/issueLink/{segment(link_id)}")

    async def create_link(self, payload: dict[str, Any]) -> None:
        await self._no_answer("POST", "/issueLink", payload)

    async def set_parent(self, key: str, parent_key: str) -> None:
        await self._json("PUT", f"/issue/{segment(key)}", body={"fields": {"parent": {"key": parent_key}}})

    async def move_to_epic(self, epic_key: str, keys: list[str]) -> None:
        """Jira Software's epic API (company-managed projects, Server/DC and Cloud)."""
        await self._no_answer("POST", f"/epic/{segment(epic_key)}/issue", {"issues": keys}, api=AGILE)

    async def post_comment(self, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST a comment with what else it carries (`visibility`, `properties`)."""
        return await self._send("POST", f"/issue/{segment(key)}/comment", payload)

    async def take_transition(
        self, key: str, transition_id: str, comment: Any = None, fields: dict[str, Any] | None = None
    ) -> None:
        body: dict[str, Any] = {"transition": {"id": transition_id}}
        if fields:
            body["fields"] = fields
        if comment is not None:
            body["update"] = {"comment": [{"add": {"body": comment}}]}
        await self._json("POST", f"/issue/{segment(key)}/transitions", body=body)
