"""The fake Jira's change histories, remote links, epic links and bulk tasks (no HTTP here).

Part of ``JiraState`` (as ``state.issue_ops``); its writes take the whole state where they touch issues.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._data import SEED_EPOCH, JiraUser, jira_timestamp
from ._errors import JiraError, bad_request, field_errors

if TYPE_CHECKING:
    from ._render import JiraRenderer
    from ._state import Issue, JiraState

History = dict[str, Any]
PARENT_HIERARCHY = "Given parent work item does not belong to appropriate hierarchy."


def _item(field: str, old: str | None, new: str | None, field_id: str | None = None) -> dict[str, Any]:
    return {
        "field": field,
        "fieldtype": "custom" if field == "Epic Link" else "jira",
        "fieldId": field_id or field,
        "from": old,
        "fromString": old,
        "to": new,
        "toString": new,
    }


class IssueOpsState:
    """What the issue-operation endpoints keep beyond the issues themselves."""

    def __init__(self, users: tuple[JiraUser, ...]) -> None:
        self.histories: dict[str, list[History]] = {}  # issue key -> change histories, oldest first
        self.remote_links: dict[str, list[dict[str, Any]]] = {}  # issue key -> remote links
        self.epic_links: dict[str, str] = {}  # Server/DC Epic Link: issue key -> epic key
        self.moved: dict[str, str] = {}  # old key -> the key the issue has now
        self.tasks: dict[str, dict[str, Any]] = {}  # bulk task id -> its status
        self._next_history_id = 10500
        self._next_remote_id = 10600
        self._next_task_id = 10700
        first = users[0].name if users else None
        second = users[1].name if len(users) > 1 else first
        seeded = (  # status changes come from _extras_state.changelog (seeded steps and transitions made)
            ("DEMO-1", second, 5, [_item("assignee", None, "Alice", "assignee"), _item("labels", "", "backend")]),
            ("DEMO-1", first, 30, [_item("priority", "High", "Medium", "priority")]),
            ("DEMO-2", first, 3, [_item("priority", "Medium", "High", "priority")]),
            ("DEMO-3", second, 4, [_item("labels", "", "frontend ux", "labels")]),
        )
        for key, author, hours, items in seeded:
            self._record(key, author, jira_timestamp(SEED_EPOCH + timedelta(hours=hours)), items)
        self.remote_links["DEMO-1"] = [
            {
                "id": "10599",
                "globalId": "system=https://ci.example.com/builds/42",
                "object": {"url": "https://ci.example.com/builds/42", "title": "CI build 42"},
                "relationship": "build",
            }
        ]

    def _record(self, key: str, author: str | None, created: str, items: list[dict[str, Any]]) -> None:
        history = {"id": str(self._next_history_id), "author": author, "created": created, "items": items}
        self._next_history_id += 1
        self.histories.setdefault(key, []).append(history)

    def record(self, key: str, author: str | None, items: list[dict[str, Any]]) -> None:
        from ._state import now

        self._record(key, author, now(), items)

    # ------------------------------------------------------------------ parent (Cloud) and epic link (Server)

    def set_parent(self, state: JiraState, draft: Issue, value: object, errors: dict[str, str]) -> None:
        """``fields.parent`` on edit: Cloud sets an epic (or, for a sub-task, a standard issue) as parent."""
        if not state.cloud:
            errors["parent"] = "Field 'parent' cannot be set. It is not on the appropriate screen, or unknown."
            return
        if value is None:
            draft["parent"] = None
            return
        ref = value.get("key", value.get("id")) if isinstance(value, Mapping) else None
        parent = state.find_issue(str(ref)) if ref is not None else None
        if parent is None:
            errors["parent"] = f"Could not find issue by id or key: {ref}."
            return
        own = state.issue_type(draft["issuetype"])
        kind = state.issue_type(parent["issuetype"])
        wanted = (own.hierarchy_level + 1) if own is not None else 1
        if kind is None or kind.hierarchy_level != wanted or parent["key"] == draft["key"]:
            errors["parent"] = PARENT_HIERARCHY
            return
        draft["parent"] = parent["key"]

    def move_to_epic(self, state: JiraState, epic_ref: str, keys: object, actor: str | None) -> None:
        epic = state.find_issue(epic_ref)
        if epic is None:
            raise JiraError(404, [f"Issue does not exist or you do not have permission to see it: {epic_ref}"])
        if epic["issuetype"] != "Epic":
            raise bad_request(f"Issue '{epic['key']}' is not an epic.")
        if not isinstance(keys, list) or not keys or len(keys) > 50:
            raise bad_request("'issues' must list between 1 and 50 issues.")
        found = [state.find_issue(str(k)) for k in keys]
        if any(i is None for i in found):
            raise bad_request("Some issues do not exist or you do not have permission to see them.")
        for issue in found:
            assert issue is not None
            before = self.epic_links.get(issue["key"])
            self.epic_links[issue["key"]] = epic["key"]
            self.record(issue["key"], actor, [_item("Epic Link", before, epic["key"])])

    # ------------------------------------------------------------------ delete, move

    def delete(self, state: JiraState, issue: Issue, delete_subtasks: bool) -> None:
        subtasks = state.subtasks(issue)
        if subtasks and not delete_subtasks:
            raise bad_request(f"The issue '{issue['key']}' has subtasks. Delete them first or use deleteSubtasks=true.")
        for gone in [*subtasks, issue]:
            key = gone["key"]
            del state.issues[key]
            state.comments.pop(key, None)
            self.histories.pop(key, None)
            self.remote_links.pop(key, None)
            self.epic_links.pop(key, None)
            state.links[:] = [link for link in state.links if key not in (link["inward"], link["outward"])]

    def bulk_move(self, state: JiraState, payload: Mapping[str, Any], actor: str | None) -> str:
        mapping = payload.get("targetToSourcesMapping")
        if not isinstance(mapping, Mapping) or not mapping:
            raise bad_request("targetToSourcesMapping must map 'projectKey,issueTypeId' to the issues to move.")
        moves: list[tuple[Issue, str, str]] = []
        for target, spec in mapping.items():
            project_ref, _, type_id = str(target).partition(",")
            project = state.find_project(project_ref)
            issue_type = state.issue_type(type_id)
            if project is None or issue_type is None:
                raise bad_request(f"The target '{target}' is not a valid project and issue type.")
            refs = spec.get("issueIdsOrKeys") if isinstance(spec, Mapping) else None
            if not isinstance(refs, list) or not refs:
                raise bad_request(f"No issues to move to '{target}'.")
            for ref in refs:
                issue = state.find_issue(str(ref))
                if issue is None:
                    raise bad_request(f"Issue '{ref}' does not exist or you do not have permission to see it.")
                moves.append((issue, project.key, issue_type.name))
        task_id = str(self._next_task_id)
        self._next_task_id += 1
        processed: list[int] = []
        from ._state import key_sort

        for issue, project_key, type_name in moves:
            old, old_project = issue["key"], issue["project"]
            number = 1 + max((key_sort(k)[1] for k in state.issues if key_sort(k)[0] == project_key), default=0)
            new = f"{project_key}-{number}"
            del state.issues[old]
            issue.update(key=new, project=project_key, issuetype=type_name)
            state.issues[new] = issue
            state.comments[new] = state.comments.pop(old, [])
            self.remote_links[new] = self.remote_links.pop(old, [])
            self.histories[new] = self.histories.pop(old, [])
            for link in state.links:
                for side in ("inward", "outward"):
                    if link[side] == old:
                        link[side] = new
            for other in state.issues.values():
                if other.get("parent") == old:
                    other["parent"] = new
            self.moved = {k: (new if v == old else v) for k, v in self.moved.items()}
            self.moved[old] = new
            self.record(
                new, actor, [_item("Key", old, new, "issuekey"), _item("project", old_project, project_key, "project")]
            )
            processed.append(int(issue["id"]))
        self.tasks[task_id] = {
            "taskId": task_id,
            "status": "COMPLETE",
            "progressPercent": 100,
            "processedAccessibleIssues": processed,
            "invalidOrInaccessibleIssueCount": 0,
            "totalIssueCount": len(processed),
            "submittedBy": actor,
        }
        return task_id

    # ------------------------------------------------------------------ remote links

    def add_remote_link(self, issue: Issue, payload: Mapping[str, Any]) -> dict[str, Any]:
        target = payload.get("object")
        errors: dict[str, str] = {}
        if not isinstance(target, Mapping):
            raise field_errors({"object": "'object' is required."})
        for name in ("url", "title"):
            if not isinstance(target.get(name), str) or not target[name].strip():
                errors[name] = f"'{name}' is required."
        if errors:
            raise field_errors(errors)
        links = self.remote_links.setdefault(issue["key"], [])
        global_id = payload.get("globalId")
        existing = next((link for link in links if global_id and link.get("globalId") == global_id), None)
        if existing is not None:
            existing.update(object=dict(target), relationship=payload.get("relationship"))
            return existing
        link = {
            "id": str(self._next_remote_id),
            "globalId": global_id,
            "object": dict(target),
            "relationship": payload.get("relationship"),
        }
        self._next_remote_id += 1
        links.append(link)
        return link

    # ------------------------------------------------------------------ rendering

    def history_json(self, renderer: JiraRenderer, history: History) -> dict[str, Any]:
        items = [dict(i) for i in history["items"]]
        if not renderer.cloud:  # Server/DC items have no fieldId
            for item in items:
                item.pop("fieldId", None)
        return {
            "id": history["id"],
            "author": renderer.user(history["author"]),
            "created": history["created"],
            "items": items,
        }

    def add_to(self, renderer: JiraRenderer, issue: Issue, page: dict[str, Any]) -> None:
        """Complete an ``expand=changelog`` page with the changes kept here, oldest first."""
        histories = list(page.get("histories") or [])
        histories += [self.history_json(renderer, h) for h in self.histories.get(issue["key"], [])]
        histories.sort(key=lambda h: (str(h["created"]), str(h["id"])))
        page.update(startAt=0, maxResults=len(histories), total=len(histories), histories=histories)
