"""ClickUp API v2 calls for task comments: `GET /task/{id}/comment` (newest first, 25 at a time; older ones
by the `start` (date, ms) and `start_id` of the oldest comment seen) and `POST /task/{id}/comment`
(`comment`: ClickUp's rich runs; `notify_all`). Task ids here are ClickUp's own: the tools resolve a custom
task id first (`TaskCalls.task`)."""

from __future__ import annotations

from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

COMMENTS_PAGE = 25
"""Comments ClickUp answers per call."""


class DiscussionCalls(ProviderClient):
    """Mixed into ClickUpClient; paths are under `self.api` (/api/v2)."""

    async def task_comments(self, task_id: str, start: int | None = None, start_id: str | None = None) -> list[Any]:
        """Up to 25 comments, newest first; with `start` and `start_id` (the oldest comment seen) the ones before."""
        params: dict[str, Any] = {}
        if start is not None and start_id is not None:
            params = {"start": start, "start_id": start_id}
        comments = (await self._get(f"/task/{segment(task_id)}/comment", params)).get("comments")
        if not isinstance(comments, list):
            raise self._unexpected("GET", "/task/{task_id}/comment", "an object with comments")
        return comments

    async def add_task_comment(self, task_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The new comment's `id`, `hist_id` and `date` (ClickUp answers no more)."""
        return await self._send("POST", f"/task/{segment(task_id)}/comment", body)
