"""Jira REST calls for attachments and images, dates and SLAs, development information, forms, project analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers._multipart import FilePart, form_data
from passthrough.providers._upstream import segment

DEV_STATUS = "/rest/dev-status/1.0"
DATED_FIELDS = "summary,status,created,updated,duedate,resolutiondate,reporter,comment"


@dataclass(frozen=True, slots=True)
class Download:
    content: bytes
    content_type: str


class ExtrasCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""

    @property
    def max_attachment_bytes(self) -> int:
        return self._up.limits.max_attachment_bytes

    @property
    def max_reply_bytes(self) -> int:
        return self._up.limits.max_reply_bytes

    async def attachments(self, key: str) -> list[dict[str, Any]]:
        """The issue's attachments (metadata only)."""
        issue = await self._get(f"/issue/{segment(key)}", {"fields": "attachment"})
        found = (issue.get("fields") or {}).get("attachment")
        return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []

    def attachment_path(self, attachment_id: str, filename: str) -> str:
        """Where the deployment serves an attachment's bytes, built from its id (never a URL from an answer)."""
        if self.cloud:
            return f"{self.api}/attachment/content/{segment(attachment_id)}"
        return f"/secure/attachment/{segment(attachment_id)}/{segment(filename)}"

    async def download(self, attachment_id: str, filename: str, max_bytes: int) -> Download:
        """An attachment's bytes, at most `max_bytes` of them (a longer answer is an error, not read on)."""
        params = {"redirect": "false"} if self.cloud else None  # Cloud redirects to its media host otherwise
        answer = await self._up.call(
            "GET",
            self.attachment_path(attachment_id, filename),
            credential=self._cred,
            params=params,
            headers={"Accept": "*/*"},
            expect_json=False,
            max_bytes=max_bytes,
        )
        return Download(answer.body, answer.headers.get("content-type", ""))

    async def dated_issue(self, key: str) -> dict[str, Any]:
        """The issue's dates, comments and status history (the changelog)."""
        return await self._get(f"/issue/{segment(key)}", {"fields": DATED_FIELDS, "expand": "changelog"})

    async def issue_id(self, key: str) -> str:
        issue = await self._get(f"/issue/{segment(key)}", {"fields": "summary"})
        return str(issue.get("id") or "")

    async def dev_summary(self, issue_id: str) -> dict[str, Any]:
        return await self._get("/issue/summary", {"issueId": issue_id}, api=DEV_STATUS)

    async def dev_detail(self, issue_id: str, application_type: str, data_type: str) -> dict[str, Any]:
        params = {"issueId": issue_id, "applicationType": application_type, "dataType": data_type}
        return await self._get("/issue/detail", params, api=DEV_STATUS)

    async def upload(self, key: str, files: list[FilePart]) -> list[dict[str, Any]]:
        """Attach (filename, MIME type, bytes) files to an issue in one multipart POST."""
        form = form_data(files)
        answer = await self._up.call(
            "POST",
            f"{self.api}/issue/{segment(key)}/attachments",
            credential=self._cred,
            headers={"Content-Type": form.content_type, "X-Atlassian-Token": "no-check"},
            raw=form.body,
        )
        value = answer.json()
        return [a for a in value if isinstance(a, dict)] if isinstance(value, list) else []
