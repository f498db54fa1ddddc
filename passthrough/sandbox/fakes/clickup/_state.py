"""The fake ClickUp's data and the lookups every route makes (no HTTP here).

Access follows membership: a user sees a Workspace (and everything in it) only when a member of it; a
Workspace, Space, Folder or List they are no member of answers 401 ``Team not authorized`` (OAUTH_023),
as ClickUp does, and one that does not exist its 404. Task routes take a task id, or a custom task id
with ``custom_task_ids=true&team_id=…``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._data import ClickUpUser, Comment, Folder, Space, Status, Task, TaskList, Team, TimeEntry, seed
from ._errors import (
    FOLDER_NOT_FOUND,
    LIST_NOT_FOUND,
    SPACE_NOT_FOUND,
    TASK_NOT_FOUND,
    TEAM_NOT_FOUND,
    bad_request,
    not_authorized,
    not_found,
)


class ClickUpState:
    def __init__(self, users: tuple[ClickUpUser, ...]) -> None:
        self.users = users
        data = seed(users)
        self.teams: dict[str, Team] = data.teams
        self.spaces: dict[str, Space] = data.spaces
        self.folders: dict[str, Folder] = data.folders
        self.lists: dict[str, TaskList] = data.lists
        self.tasks: dict[str, Task] = data.tasks
        self.comments: dict[str, Comment] = data.comments
        self.time_entries: dict[str, TimeEntry] = data.time_entries

    # ---- people

    def user(self, user_id: int) -> ClickUpUser | None:
        return next((u for u in self.users if u.id == user_id), None)

    def user_by_name(self, username: str) -> ClickUpUser | None:
        return next((u for u in self.users if u.username == username), None)

    def teams_of(self, user_id: int) -> list[Team]:
        return [t for t in self.teams.values() if any(uid == user_id for uid, _ in t.members)]

    # ---- the hierarchy, as one user may see it

    def team(self, team_id: str, user_id: int) -> Team:
        team = self.teams.get(team_id)
        if team is None:
            raise not_found(TEAM_NOT_FOUND) if team_id.isdigit() else bad_request("Team ID invalid", "TEAM_025")
        if team not in self.teams_of(user_id):
            raise not_authorized()
        return team

    def space(self, space_id: str, user_id: int) -> Space:
        space = self.spaces.get(space_id)
        if space is None:
            raise not_found(SPACE_NOT_FOUND)
        self.team(space.team_id, user_id)
        return space

    def folder(self, folder_id: str, user_id: int) -> Folder:
        folder = self.folders.get(folder_id)
        if folder is None:
            raise not_found(FOLDER_NOT_FOUND)
        self.space(folder.space_id, user_id)
        return folder

    def task_list(self, list_id: str, user_id: int) -> TaskList:
        found = self.lists.get(list_id)
        if found is None:
            raise not_found(LIST_NOT_FOUND)
        self.space(found.space_id, user_id)
        return found

    def statuses(self, task_list: TaskList) -> list[Status]:
        return task_list.statuses if task_list.statuses is not None else self.spaces[task_list.space_id].statuses

    def team_of_list(self, task_list: TaskList) -> Team:
        return self.teams[self.spaces[task_list.space_id].team_id]

    def task(self, ref: str, user_id: int, query: Mapping[str, str]) -> Task:
        """The task `ref` names: its id, or with ``custom_task_ids=true&team_id=…`` its custom id."""
        if query.get("custom_task_ids", "").lower() == "true":
            team_id = query.get("team_id", "")
            if not team_id:
                raise bad_request("Must provide team_id when using custom_task_ids", "ITEM_070")
            team = self.team(team_id, user_id)
            found = next(
                (
                    t
                    for t in self.tasks.values()
                    if t.custom_id is not None
                    and t.custom_id.upper() == ref.upper()
                    and self.team_of_list(self.lists[t.list_id]) is team
                ),
                None,
            )
        else:
            found = self.tasks.get(ref)
        if found is None:
            raise not_found(TASK_NOT_FOUND)
        self.task_list(found.list_id, user_id)
        return found
