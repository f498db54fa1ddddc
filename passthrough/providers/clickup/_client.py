"""ClickUp API v2 (JSON under `/api/v2`). The token goes upstream as ClickUp takes it: a personal token
(`pk_…`) as the bare Authorization value, an OAuth access token as Bearer (see credentials/_resolve.py).

ClickUp's errors are `{"err": …, "ECODE": …}` and its rate limits per token and minute, told in
`X-RateLimit-Limit/Remaining/Reset` (a Unix time in seconds); the shared upstream client reads both
(providers/_errors.py, providers/_upstream.py): a 429 is retried only for idempotent calls, and only when
the reset is near, else the tool says when to try again.
"""

from __future__ import annotations

from typing import Any

from passthrough.providers._client import ProviderClient
from passthrough.providers.clickup._discussion import DiscussionCalls
from passthrough.providers.clickup._tasks import TaskCalls
from passthrough.providers.clickup._time import TimeCalls

API = "/api/v2"
APP_URL = "https://app.clickup.com"


class ClickUpClient(TaskCalls, DiscussionCalls, TimeCalls, ProviderClient):
    """ClickUp for one request's token. Workspaces are `team`s in API v2 (their ids are `team_id`)."""

    provider = "clickup"

    @property
    def api(self) -> str:
        return API

    @staticmethod
    def task_url(task_id: str) -> str:
        """Where a person opens a task in ClickUp's web app."""
        return f"{APP_URL}/t/{task_id}"

    async def me(self) -> dict[str, Any]:
        """The user behind the token (`GET /user`)."""
        user = (await self._get("/user")).get("user")
        if not isinstance(user, dict):
            raise self._unexpected("GET", "/user", "an object with a user")
        return user

    async def verified(self) -> dict[str, Any]:
        """`me()`, remembered per user for a while (for tools that need to know who asks, e.g. "me")."""
        return await self._cached("me", self.me)

    async def workspaces(self) -> list[dict[str, Any]]:
        """The Workspaces the token may use (`GET /team`), with their members."""
        teams = (await self._get("/team")).get("teams")
        return [t for t in teams if isinstance(t, dict)] if isinstance(teams, list) else []
