"""The fake Jira's in-memory state and the writes that change it (no HTTP here).

Stored issues are plain dicts (see ``_jira_data.seed`` for the keys); people are stored by user name,
statuses / types / priorities by name, rich text as it was written (ADF dict or wiki string).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from .._adf import is_adf
from .._atlassian import AtlassianState
from ._data import (
    ISSUE_TYPES,
    LINK_TYPES,
    PRIORITIES,
    PROJECTS,
    RESOLUTION_DONE,
    STATUSES,
    TRANSITIONS,
    IssueType,
    JiraUser,
    LinkType,
    Priority,
    Project,
    Status,
    jira_timestamp,
    seed,
)
from ._errors import JiraError, bad_request, cannot_set, field_errors, issue_not_found
from ._extras_state import ExtrasState
from ._issue_ops_state import IssueOpsState
from ._people_state import PeopleState, set_time_tracking
from ._project_meta_state import ProjectMetaState
from ._service_desk_state import ServiceDeskState

Deployment = Literal["server", "cloud"]
Issue = dict[str, Any]
_T = TypeVar("_T")

_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)-(\d+)$")
_EDITABLE = frozenset({"summary", "description", "labels", "priority", "assignee", "reporter"})
_CREATABLE = _EDITABLE | {"project", "issuetype", "parent"}
_EDITABLE = _EDITABLE | {"timetracking"}  # estimates: set by editing an issue (see _people_state)
_EDITABLE = _EDITABLE | {"parent"}  # Cloud: an epic as parent (see _issue_ops_state)
_CREATABLE = _CREATABLE | {"components"}  # by name or id, the project's own (see _project_meta_state)
_EDITABLE = _EDITABLE | {"components"}
ADF_REQUIRED = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
STRING_REQUIRED = "Operation value must be a string"


def now() -> str:
    return jira_timestamp(datetime.now(UTC))


def key_sort(key: str) -> tuple[str, int]:
    match = _KEY.match(key)
    return (match.group(1).upper(), int(match.group(2))) if match else (key, 0)


def _find(items: tuple[_T, ...], ref: object, *attrs: str) -> _T | None:
    wanted = str(ref).lower()
    for item in items:
        if any(str(getattr(item, attr)).lower() == wanted for attr in attrs):
            return item
    return None


class JiraState(AtlassianState[JiraUser]):
    """Everything the fake Jira knows; tests may read (and tweak) the public attributes directly."""

    def __init__(self, deployment: Deployment, users: tuple[JiraUser, ...]) -> None:
        super().__init__(deployment, users)
        self.projects: dict[str, Project] = {p.key: p for p in PROJECTS}
        self.issues, self.comments = seed(users, adf=self.cloud)
        self.transitions: list[dict[str, Any]] = []  # log of performed transitions
        self.links: list[dict[str, Any]] = []
        self.people = PeopleState(users, adf=self.cloud)  # watchers, worklogs
        self.issue_ops = IssueOpsState(users)  # histories, remote links, epic links, bulk tasks
        self.project_meta = ProjectMetaState(self.projects)  # versions, components, fields
        self.extras = ExtrasState.seeded(users, self.issues, self.links)  # attachments, development information
        self._next_issue_id = 1 + max(int(issue["id"]) for issue in self.issues.values())
        self._next_comment_id = 10100
        self._next_link_id = 10200
        self.service_desk = ServiceDeskState(self)  # the HELP project: queues, request types, requests

    # ------------------------------------------------------------------ lookups

    def user_key(self, user: JiraUser) -> str:
        return f"JIRAUSER{10000 + self.users.index(user)}"

    def find_user(self, ref: object) -> JiraUser | None:
        """A user by name, key, account id, email or display name (case-insensitive)."""
        found = _find(self.users, ref, "name", "account_id", "email", "display_name")
        if found is None:
            found = next((u for u in self.users if self.user_key(u).lower() == str(ref).lower()), None)
        return found

    def find_project(self, ref: object) -> Project | None:
        return _find(tuple(self.projects.values()), ref, "key", "id")

    def status(self, ref: object) -> Status | None:
        return _find(STATUSES, ref, "name", "id")

    def issue_type(self, ref: object) -> IssueType | None:
        return _find(ISSUE_TYPES, ref, "name", "id")

    def priority(self, ref: object) -> Priority | None:
        return _find(PRIORITIES, ref, "name", "id")

    def link_type(self, ref: Mapping[str, Any]) -> LinkType | None:
        if "id" in ref:
            return _find(LINK_TYPES, ref["id"], "id")
        return _find(LINK_TYPES, ref.get("name"), "name")

    def find_issue(self, ref: str) -> Issue | None:
        """An issue by key (any case) or numeric id."""
        issue = self.issues.get(ref.upper()) or self.issues.get(self.issue_ops.moved.get(ref.upper(), ""))
        if issue is None and ref.isdigit():
            issue = next((i for i in self.issues.values() if i["id"] == ref), None)
        return issue

    def get_issue(self, ref: str) -> Issue:
        issue = self.find_issue(ref)
        if issue is None:
            raise issue_not_found()
        return issue

    def subtasks(self, issue: Issue) -> list[Issue]:
        return sorted(
            (i for i in self.issues.values() if i.get("parent") == issue["key"]),
            key=lambda i: key_sort(i["key"]),
        )

    # ------------------------------------------------------------------ value checks

    def _rich(self, value: object, adf: bool, errors: dict[str, str], field: str) -> object:
        if value is None:
            return None
        if adf and not is_adf(value):
            errors[field] = ADF_REQUIRED
        elif not adf and not isinstance(value, str):
            errors[field] = STRING_REQUIRED
        return value

    def _person(self, value: object, errors: dict[str, str], field: str) -> str | None:
        """A user reference from a payload: {"name"} or {"key"} on Server, {"accountId"} on Cloud."""
        if value is None:
            return None
        if not isinstance(value, Mapping):
            errors[field] = f"Specify a valid value for {field}"
            return None
        if self.cloud:
            ref = value.get("accountId")
            if ref is None and ("name" in value or "key" in value):
                errors[field] = f"Specify the user's accountId for {field}; 'name' and 'key' are not supported"
            user = _find(self.users, ref, "account_id") if ref is not None else None
        else:
            ref = value.get("name", value.get("key"))
            user = None
            if ref is not None:
                user = _find(self.users, ref, "name") or next(
                    (u for u in self.users if self.user_key(u).lower() == str(ref).lower()), None
                )
        if ref is None:
            return None
        if user is None:
            errors[field] = f"User '{ref}' does not exist."
            return None
        return user.name

    def _apply_field(self, issue: Issue, field: str, value: Any, adf: bool, errors: dict[str, str]) -> None:
        if field == "summary":
            if not isinstance(value, str) or not value.strip():
                errors["summary"] = "You must specify a summary of the issue."
            else:
                issue["summary"] = value
        elif field == "description":
            issue["description"] = self._rich(value, adf, errors, "description")
        elif field == "labels":
            if not isinstance(value, list) or not all(isinstance(v, str) and " " not in v for v in value):
                errors["labels"] = "The label must not contain spaces and must be a list of strings."
            else:
                issue["labels"] = list(dict.fromkeys(value))
        elif field == "priority":
            ref = value.get("id", value.get("name")) if isinstance(value, Mapping) else None
            priority = self.priority(ref) if ref is not None else None
            if priority is None:
                errors["priority"] = "The priority selected is invalid."
            else:
                issue["priority"] = priority.name
        elif field in ("assignee", "reporter"):
            person = self._person(value, errors, field)
            if field not in errors:
                issue[field] = person
        elif field == "timetracking":
            set_time_tracking(issue, value, errors)
        elif field == "parent":
            self.issue_ops.set_parent(self, issue, value, errors)
        elif field == "components":
            known = {c.name: c for c in self.project_meta.components if c.project == issue.get("project")}
            ids = {c.id: c for c in known.values()}
            items = value if isinstance(value, list) else None
            refs = None if items is None else [v.get("name") or v.get("id") for v in items if isinstance(v, Mapping)]
            if refs is None or not all(isinstance(r, str) and (r in known or r in ids) for r in refs):
                errors["components"] = "Component name or id is not valid."
            else:
                issue["components"] = [(known.get(r) or ids[r]).name for r in refs if isinstance(r, str)]
        else:
            errors[field] = cannot_set(field)

    # ------------------------------------------------------------------ writes

    def create_issue(self, fields: Mapping[str, Any], *, adf: bool, reporter: str | None) -> Issue:
        errors: dict[str, str] = {}
        project_ref = fields.get("project")
        project = None
        if isinstance(project_ref, Mapping):
            project = self.find_project(project_ref.get("key", project_ref.get("id", "")))
        if project is None:
            errors["project"] = "Specify a valid project ID or key"
        type_ref = fields.get("issuetype")
        issue_type = None
        if not isinstance(type_ref, Mapping) or not (type_ref.get("id") or type_ref.get("name")):
            errors["issuetype"] = "Specify an issue type"
        else:
            issue_type = self.issue_type(type_ref.get("id", type_ref.get("name")))
            if issue_type is None:
                errors["issuetype"] = "The issue type selected is invalid."
        summary = fields.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        for name in fields:
            if name not in _CREATABLE:
                errors[name] = cannot_set(name)
        parent_key = None
        if issue_type is not None and issue_type.subtask:
            parent_ref = fields.get("parent")
            parent = None
            if isinstance(parent_ref, Mapping):
                parent = self.find_issue(str(parent_ref.get("key", parent_ref.get("id", ""))))
            if parent is None:
                errors["issuetype"] = "Issue type is a sub-task but parent issue key or id not specified."
            else:
                parent_key = parent["key"]
        if errors:
            raise field_errors(errors)
        assert project is not None and issue_type is not None
        stamp = now()
        number = 1 + max((key_sort(k)[1] for k in self.issues if key_sort(k)[0] == project.key), default=0)
        issue: Issue = {
            "id": str(self._next_issue_id),
            "key": f"{project.key}-{number}",
            "project": project.key,
            "summary": summary,
            "issuetype": issue_type.name,
            "status": STATUSES[0].name,
            "priority": "Medium",
            "resolution": None,
            "resolutiondate": None,
            "assignee": None,
            "reporter": reporter,
            "creator": reporter,
            "created": stamp,
            "updated": stamp,
            "labels": [],
            "description": None,
            "parent": parent_key,
        }
        for name in ("description", "labels", "priority", "assignee", "reporter"):
            if name in fields:
                self._apply_field(issue, name, fields[name], adf, errors)
        if errors:
            raise field_errors(errors)
        self._next_issue_id += 1
        self.issues[issue["key"]] = issue
        self.comments[issue["key"]] = []
        return issue

    def edit_issue(
        self,
        issue: Issue,
        fields: Mapping[str, Any],
        update: Mapping[str, Any],
        *,
        adf: bool,
        actor: str | None,
    ) -> None:
        """Apply ``fields`` (set) and ``update`` (operations) atomically, as PUT /issue does."""
        errors: dict[str, str] = {}
        draft = dict(issue, labels=list(issue["labels"]))
        new_comments: list[object] = []
        for name, value in fields.items():
            if name in update:
                errors[name] = f"Field '{name}' cannot be set in both 'fields' and 'update'."
            elif name not in _EDITABLE:
                errors[name] = cannot_set(name)
            else:
                self._apply_field(draft, name, value, adf, errors)
        for name, operations in update.items():
            if not isinstance(operations, list):
                errors[name] = "Operations must be given as a list."
                continue
            for operation in operations:
                if not isinstance(operation, Mapping) or len(operation) != 1:
                    errors[name] = "Each operation must have exactly one verb."
                    continue
                verb, value = next(iter(operation.items()))
                if name == "comment" and verb == "add":
                    body = value.get("body") if isinstance(value, Mapping) else None
                    self._check_comment_body(body, adf, errors)
                    new_comments.append(body)
                elif name == "labels" and verb in ("add", "remove"):
                    if verb == "add" and value not in draft["labels"]:
                        draft["labels"].append(value)
                    elif verb == "remove" and value in draft["labels"]:
                        draft["labels"].remove(value)
                elif verb == "set" and name in _EDITABLE:
                    self._apply_field(draft, name, value, adf, errors)
                elif name not in _EDITABLE and name != "comment":
                    errors[name] = cannot_set(name)
                else:
                    errors[name] = f"Operation '{verb}' is not supported for field '{name}'."
        if errors:
            raise field_errors(errors)
        draft["updated"] = now()
        issue.update(draft)
        for body in new_comments:
            self._store_comment(issue, body, actor)

    def _check_comment_body(self, body: object, adf: bool, errors: dict[str, str]) -> None:
        if body is None or (isinstance(body, str) and not body.strip()):
            errors["comment"] = "Comment body can not be empty!"
        elif adf and not is_adf(body):
            errors["comment"] = ADF_REQUIRED
        elif not adf and not isinstance(body, str):
            errors["comment"] = STRING_REQUIRED

    def _store_comment(self, issue: Issue, body: object, author: str | None) -> dict[str, Any]:
        stamp = now()
        comment = {
            "id": str(self._next_comment_id),
            "author": author,
            "update_author": author,
            "body": body,
            "created": stamp,
            "updated": stamp,
        }
        self._next_comment_id += 1
        self.comments.setdefault(issue["key"], []).append(comment)
        issue["updated"] = stamp
        return comment

    def add_comment(self, issue: Issue, body: object, *, adf: bool, author: str | None) -> dict[str, Any]:
        errors: dict[str, str] = {}
        self._check_comment_body(body, adf, errors)
        if errors:
            raise field_errors(errors)
        return self._store_comment(issue, body, author)

    def transition(self, issue: Issue, payload: Mapping[str, Any], *, adf: bool, actor: str | None) -> None:
        ref = payload.get("transition")
        transition_id = str(ref.get("id", "")) if isinstance(ref, Mapping) else ""
        if not transition_id:
            raise bad_request("Missing 'transition' identifier")
        transition = next((t for t in TRANSITIONS if t.id == transition_id), None)
        if transition is None:
            raise bad_request(f"Transition id '{transition_id}' is not valid for this issue.")
        errors: dict[str, str] = {}
        fields = payload.get("fields") or {}
        for name in fields:
            if name != "resolution":
                errors[name] = cannot_set(name)
        update = payload.get("update") or {}
        new_comments: list[object] = []
        for name, operations in update.items():
            if name != "comment":
                errors[name] = cannot_set(name)
                continue
            for operation in operations or []:
                body = (operation.get("add") or {}).get("body") if isinstance(operation, Mapping) else None
                self._check_comment_body(body, adf, errors)
                new_comments.append(body)
        if errors:
            raise field_errors(errors)
        previous = issue["status"]
        stamp = now()
        issue["status"] = transition.to
        done = self.status(transition.to)
        if done is not None and done.category_key == "done":
            issue["resolution"] = RESOLUTION_DONE["name"]
            issue["resolutiondate"] = stamp
        else:
            issue["resolution"] = None
            issue["resolutiondate"] = None
        issue["updated"] = stamp
        for body in new_comments:
            self._store_comment(issue, body, actor)
        self.transitions.append(
            {"issue": issue["key"], "id": transition.id, "from": previous, "to": transition.to, "by": actor}
        )
        self.extras.transitioned_at.append(stamp)  # when each logged transition happened (_extras_state)

    def add_link(self, payload: Mapping[str, Any], *, adf: bool, actor: str | None) -> dict[str, Any]:
        type_ref = payload.get("type")
        link_type = self.link_type(type_ref) if isinstance(type_ref, Mapping) else None
        if link_type is None:
            name = type_ref.get("name") if isinstance(type_ref, Mapping) else None
            raise JiraError(404, [f"No issue link type with name '{name}' found."])
        ends: list[Issue] = []
        for side in ("inwardIssue", "outwardIssue"):
            ref = payload.get(side)
            issue = None
            if isinstance(ref, Mapping):
                issue = self.find_issue(str(ref.get("key", ref.get("id", ""))))
            if issue is None:
                raise JiraError(404, ["Issue Does Not Exist"])
            ends.append(issue)
        comment = payload.get("comment")
        body = comment.get("body") if isinstance(comment, Mapping) else None
        if comment is not None:
            errors: dict[str, str] = {}
            self._check_comment_body(body, adf, errors)
            if errors:
                raise field_errors(errors)
        link = {
            "id": str(self._next_link_id),
            "type": link_type.name,
            "inward": ends[0]["key"],
            "outward": ends[1]["key"],
            "by": actor,
        }
        self._next_link_id += 1
        self.links.append(link)
        if comment is not None:
            self._store_comment(ends[1], body, actor)
        return link

    def assign(self, issue: Issue, payload: Mapping[str, Any]) -> None:
        errors: dict[str, str] = {}
        person = self._person(payload if payload else None, errors, "assignee")
        if errors:
            raise field_errors(errors)
        issue["assignee"] = person
        issue["updated"] = now()
