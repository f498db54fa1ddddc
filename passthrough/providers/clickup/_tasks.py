"""ClickUp API v2 calls for the hierarchy (spaces, folders, lists) and for tasks: search (filtered team tasks,
paged by `page`, 100 a page), read, create, update, delete.

Task routes take a task id, or a custom task id with `custom_task_ids=true&team_id=…`. What a user may
pick by name (statuses per list, Workspace members, space names) is read once per user and cached
(`self._cached`), never shared between users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

MAX_WORKSPACES_TRIED = 10  # a custom task id without a workspace: the token's Workspaces tried in turn


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def is_custom_id(task_id: str) -> bool:
    """ClickUp's own task ids are letters and digits (`86b1aa001`); custom ones carry a prefix (`ENG-1`)."""
    return "-" in task_id


class TaskCalls(ProviderClient):
    """Mixed into ClickUpClient; paths are under `self.api` (/api/v2)."""

    if TYPE_CHECKING:  # ClickUpClient's own, which this mixin uses

        async def workspaces(self) -> list[dict[str, Any]]: ...

        async def verified(self) -> dict[str, Any]: ...

    # ------------------------------------------------------------------ the hierarchy

    async def spaces(self, team_id: str) -> list[dict[str, Any]]:
        data = await self._get(f"/team/{segment(team_id)}/space", {"archived": False})
        return _objects(data.get("spaces"))

    async def space_names(self, team_id: str) -> dict[str, str]:
        """Space id -> name for one Workspace, cached per user (tasks name their space by id only)."""

        async def load() -> dict[str, str]:
            return {str(s.get("id")): str(s.get("name")) for s in await self.spaces(team_id)}

        return await self._cached(f"clickup-spaces:{team_id}", load)

    async def folders(self, space_id: str) -> list[dict[str, Any]]:
        data = await self._get(f"/space/{segment(space_id)}/folder", {"archived": False})
        return _objects(data.get("folders"))

    async def folder_lists(self, folder_id: str) -> list[dict[str, Any]]:
        data = await self._get(f"/folder/{segment(folder_id)}/list", {"archived": False})
        return _objects(data.get("lists"))

    async def folderless_lists(self, space_id: str) -> list[dict[str, Any]]:
        data = await self._get(f"/space/{segment(space_id)}/list", {"archived": False})
        return _objects(data.get("lists"))

    async def list_statuses(self, list_id: str) -> list[str]:
        """The statuses a List's tasks may take (its own, or its Space's), in order; cached per user."""

        async def load() -> list[str]:
            found = await self._get(f"/list/{segment(list_id)}")
            return [str(s["status"]) for s in _objects(found.get("statuses")) if s.get("status") is not None]

        return await self._cached(f"clickup-list-statuses:{list_id}", load)

    async def status_of(self, list_id: str, name: str) -> str:
        """`name` as the List spells the status (ClickUp matches statuses case-insensitively); else refused."""
        statuses = await self.list_statuses(list_id)
        wanted = " ".join(name.split()).casefold()
        found = next((s for s in statuses if s.casefold() == wanted), None)
        if found is None:
            known = ", ".join(f"'{s}'" for s in statuses) or "none"
            raise InvalidArguments(f"List {list_id} has no status '{name}'; its statuses are {known}")
        return found

    # ------------------------------------------------------------------ people

    async def _members(self) -> list[dict[str, Any]]:
        """Everyone in the token's Workspaces (user ids are ClickUp-wide), cached per user."""

        async def load() -> list[dict[str, Any]]:
            seen: dict[int, dict[str, Any]] = {}
            for team in await self.workspaces():
                for entry in _objects(team.get("members")):
                    user = entry.get("user")
                    if isinstance(user, dict) and isinstance(user.get("id"), int):
                        seen.setdefault(user["id"], {k: user.get(k) for k in ("id", "username", "email")})
            return list(seen.values())

        return await self._cached("clickup-members", load)

    async def user_id(self, who: str) -> int:
        """A user id for "me", a user id, a username or an email of someone in the token's Workspaces."""
        text = who.strip()
        if text.casefold() == "me":
            me = await self.verified()
            if not isinstance(me.get("id"), int):
                raise self._unexpected("GET", "/user", "a user with an id")
            return int(me["id"])
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
        wanted = text.casefold()
        members = await self._members()
        found = [
            m
            for m in members
            if wanted in {str(m.get("username") or "").casefold(), str(m.get("email") or "").casefold()}
        ]
        if len(found) == 1:
            return int(found[0]["id"])
        if found:
            raise InvalidArguments(f"'{who}' names {len(found)} people; use a user id")
        raise InvalidArguments(
            f"No one in your ClickUp Workspaces is called '{who}'; use 'me', a user id, a username or an email "
            "(clickup_list_workspaces lists the members)"
        )

    # ------------------------------------------------------------------ tasks

    async def team_tasks(self, team_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """One page (up to 100) of a Workspace's tasks that match ClickUp's filters (`list_ids[]`, …)."""
        return await self._get(f"/team/{segment(team_id)}/task", params)

    async def _task_at(self, task_id: str, team_id: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"include_markdown_description": True}
        if team_id is not None:
            params |= {"custom_task_ids": True, "team_id": team_id}
        return await self._get(f"/task/{segment(task_id)}", params)

    async def task(self, task_id: str, workspace_id: str | None = None) -> dict[str, Any]:
        """A task with its Markdown description; a custom id in `workspace_id`, or else in each of the token's
        Workspaces in turn (the first that knows it)."""
        if not is_custom_id(task_id):
            return await self._task_at(task_id, None)
        if workspace_id is not None:
            return await self._task_at(task_id, workspace_id)
        teams = [str(t.get("id")) for t in await self.workspaces()][:MAX_WORKSPACES_TRIED]
        for team_id in teams:
            try:
                return await self._task_at(task_id, team_id)
            except UpstreamError as exc:
                if exc.status not in (400, 401, 404):
                    raise
        raise UpstreamError(
            self.provider,
            404,
            f"No ClickUp task has the custom id {task_id} in your Workspaces ({', '.join(teams) or 'none'}); "
            "check the id, or pass the task's own id",
        )

    async def create_task(self, list_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", f"/list/{segment(list_id)}/task", body)

    async def update_task(self, task_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Only the fields in `body` change (ClickUp's PUT is a partial update); the task as it now is."""
        return await self._send("PUT", f"/task/{segment(task_id)}", body)

    async def delete_task(self, task_id: str) -> None:
        await self._no_answer("DELETE", f"/task/{segment(task_id)}")
