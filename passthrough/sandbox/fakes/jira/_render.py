"""JSON shapes of the fake Jira's answers, per deployment and API version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .._adf import rich_to_adf, rich_to_html, rich_to_wiki
from . import _project_meta_render as project_meta_render
from ._data import ISSUE_TYPES, LINK_TYPES, PRIORITIES, RESOLUTION_DONE, TRANSITIONS, JiraUser, Project
from ._extras_state import changelog, render_attachment
from ._people_render import people_field
from ._state import Issue, JiraState

ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
ALL_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "priority",
    "assignee",
    "reporter",
    "creator",
    "created",
    "updated",
    "labels",
    "description",
    "project",
    "resolution",
    "resolutiondate",
    "issuelinks",
    "subtasks",
    "parent",
    "comment",
)
NON_NAVIGABLE = frozenset({"comment"})
FIELD_NAMES = {
    "summary": "Summary",
    "status": "Status",
    "issuetype": "Issue Type",
    "priority": "Priority",
    "assignee": "Assignee",
    "reporter": "Reporter",
    "creator": "Creator",
    "created": "Created",
    "updated": "Updated",
    "labels": "Labels",
    "description": "Description",
    "project": "Project",
    "resolution": "Resolution",
    "resolutiondate": "Resolved",
    "issuelinks": "Linked Issues",
    "subtasks": "Sub-tasks",
    "parent": "Parent",
    "comment": "Comment",
}


@dataclass(frozen=True)
class FieldSelection:
    """Fields to render, parsed from a ``fields`` parameter (``*all``, ``*navigable``, ``-name``, names)."""

    names: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str | Sequence[str] | None, default: str) -> FieldSelection:
        if raw is None or raw == "" or raw == []:
            raw = default
        items = raw.split(",") if isinstance(raw, str) else [str(x) for x in raw]
        wanted: list[str] = []
        excluded: set[str] = set()
        for item in (x.strip() for x in items):
            if item == "*all":
                wanted.extend(ALL_FIELDS)
            elif item == "*navigable":
                wanted.extend(f for f in ALL_FIELDS if f not in NON_NAVIGABLE)
            elif item.startswith("-"):
                excluded.add(item[1:])
            elif item:
                wanted.append(item)
        return cls(tuple(f for f in dict.fromkeys(wanted) if f not in excluded))

    @property
    def id_only(self) -> bool:
        return self.names == ("id",)

    @property
    def keys_only(self) -> bool:
        return set(self.names) <= {"id", "key"}


T = TypeVar("T")


def _known(value: T | None) -> T:
    """A catalog entry (or user) that a stored name refers to: stored names always resolve."""
    assert value is not None
    return value


class JiraRenderer:
    """Renders stored state for one request (its deployment, API version and base URL)."""

    def __init__(self, state: JiraState, version: int, base_url: str) -> None:
        self.state = state
        self.cloud = state.cloud
        self.version = version
        self.base = base_url
        self.api = f"{base_url}/rest/api/{version}"

    # ------------------------------------------------------------------ small objects

    def _avatars(self, kind: str, ident: str) -> dict[str, str]:
        return {
            f"{size}x{size}": f"{self.base}/secure/{kind}avatar?size={label}&avatarId={ident}"
            for size, label in ((48, "large"), (24, "small"), (16, "xsmall"), (32, "medium"))
        }

    def user(self, name: str | None) -> dict[str, Any] | None:
        user = self.state.user(name)
        if user is None:
            return None
        if self.cloud:
            return {
                "self": f"{self.api}/user?accountId={user.account_id}",
                "accountId": user.account_id,
                "emailAddress": user.email,
                "avatarUrls": self._avatars("user", user.account_id),
                "displayName": user.display_name,
                "active": True,
                "timeZone": "Europe/Berlin",
                "accountType": "atlassian",
            }
        return {
            "self": f"{self.api}/user?username={user.name}",
            "name": user.name,
            "key": self.state.user_key(user),
            "emailAddress": user.email,
            "avatarUrls": self._avatars("user", self.state.user_key(user)),
            "displayName": user.display_name,
            "active": True,
            "timeZone": "Europe/Berlin",
        }

    def myself(self, user: JiraUser) -> dict[str, Any]:
        body = _known(self.user(user.name))
        body.update({"locale": "en_US", "groups": {"size": 1, "items": []}, "expand": "groups,applicationRoles"})
        body["applicationRoles"] = {"size": 1, "items": []}
        return body

    def status(self, name: str) -> dict[str, Any]:
        status = _known(self.state.status(name))
        return {
            "self": f"{self.api}/status/{status.id}",
            "description": "",
            "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": {
                "self": f"{self.api}/statuscategory/{status.category_id}",
                "id": status.category_id,
                "key": status.category_key,
                "colorName": status.category_color,
                "name": status.category_name,
            },
        }

    def issue_type(self, name: str) -> dict[str, Any]:
        issue_type = _known(self.state.issue_type(name))
        body: dict[str, Any] = {
            "self": f"{self.api}/issuetype/{issue_type.id}",
            "id": issue_type.id,
            "description": issue_type.description,
            "iconUrl": f"{self.base}/secure/viewavatar?avatarId={issue_type.id}&avatarType=issuetype",
            "name": issue_type.name,
            "subtask": issue_type.subtask,
        }
        if self.cloud:
            body["hierarchyLevel"] = issue_type.hierarchy_level
        return body

    def priority(self, name: str) -> dict[str, Any]:
        priority = _known(self.state.priority(name))
        return {
            "self": f"{self.api}/priority/{priority.id}",
            "iconUrl": f"{self.base}/images/icons/priorities/{priority.name.lower()}.svg",
            "name": priority.name,
            "id": priority.id,
        }

    def priorities(self) -> list[dict[str, Any]]:
        return [self.priority(p.name) for p in PRIORITIES]

    def issue_types(self) -> list[dict[str, Any]]:
        return [self.issue_type(t.name) for t in ISSUE_TYPES]

    def project(self, project: Project, *, detailed: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
            "self": f"{self.api}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "avatarUrls": self._avatars("project", project.id),
            "projectTypeKey": "software",
        }
        if self.cloud:
            body.update({"simplified": False, "style": "classic", "isPrivate": False, "properties": {}})
        else:
            body["archived"] = False
        if detailed:
            body["description"] = f"{project.name} for the fake Jira"
            body["lead"] = self.user(self.state.users[0].name) if self.state.users else None
            body["issueTypes"] = self.issue_types()
        return body

    def project_ref(self, key: str) -> dict[str, Any]:
        project = self.state.projects[key]
        body = self.project(project)
        for name in ("expand", "archived", "properties", "style", "isPrivate"):
            body.pop(name, None)
        return body

    def rich(self, value: object) -> object:
        """Stored rich text as this API version speaks it: ADF on v3, wiki markup on v2."""
        return rich_to_adf(value) if self.version == 3 else rich_to_wiki(value)

    def link_type(self, name: str) -> dict[str, Any]:
        link_type = next(t for t in LINK_TYPES if t.name == name)
        return {
            "id": link_type.id,
            "name": link_type.name,
            "inward": link_type.inward,
            "outward": link_type.outward,
            "self": f"{self.api}/issueLinkType/{link_type.id}",
        }

    def link_types(self) -> list[dict[str, Any]]:
        return [self.link_type(t.name) for t in LINK_TYPES]

    # ------------------------------------------------------------------ issues

    def issue_self(self, issue: Issue) -> str:
        return f"{self.api}/issue/{issue['id']}"

    def issue_stub(self, issue: Issue) -> dict[str, Any]:
        """The short form used for parents, sub-tasks and links."""
        return {
            "id": issue["id"],
            "key": issue["key"],
            "self": self.issue_self(issue),
            "fields": {
                "summary": issue["summary"],
                "status": self.status(issue["status"]),
                "priority": self.priority(issue["priority"]),
                "issuetype": self.issue_type(issue["issuetype"]),
            },
        }

    def comment(self, issue: Issue, comment: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "self": f"{self.issue_self(issue)}/comment/{comment['id']}",
            "id": comment["id"],
            "author": self.user(comment["author"]),
            "body": self.rich(comment["body"]),
            "updateAuthor": self.user(comment["update_author"]),
            "created": comment["created"],
            "updated": comment["updated"],
        }
        if self.cloud:
            body["jsdPublic"] = True
        return body

    def comment_page(self, issue: Issue, start_at: int, max_results: int) -> dict[str, Any]:
        comments = self.state.comments.get(issue["key"], [])
        page = comments[start_at : start_at + max_results]
        return {
            "startAt": start_at,
            "maxResults": max_results,
            "total": len(comments),
            "comments": [self.comment(issue, c) for c in page],
        }

    def _links(self, issue: Issue) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for link in self.state.links:
            if issue["key"] not in (link["inward"], link["outward"]):
                continue
            entry: dict[str, Any] = {
                "id": link["id"],
                "self": f"{self.api}/issueLink/{link['id']}",
                "type": self.link_type(link["type"]),
            }
            if link["inward"] == issue["key"]:
                entry["outwardIssue"] = self.issue_stub(self.state.issues[link["outward"]])
            else:
                entry["inwardIssue"] = self.issue_stub(self.state.issues[link["inward"]])
            result.append(entry)
        return result

    def field(self, issue: Issue, name: str) -> tuple[bool, Any]:
        """(present, value) of one field; unknown fields are absent, as in Jira."""
        if name in ("summary", "created", "updated", "resolutiondate"):
            return True, issue.get(name)
        if name == "labels":
            return True, list(issue["labels"])
        if name == "status":
            return True, self.status(issue["status"])
        if name == "issuetype":
            return True, self.issue_type(issue["issuetype"])
        if name == "priority":
            return True, self.priority(issue["priority"])
        if name in ("assignee", "reporter", "creator"):
            return True, self.user(issue.get(name))
        if name == "description":
            return True, self.rich(issue.get("description"))
        if name == "project":
            return True, self.project_ref(issue["project"])
        if name == "resolution":
            if issue.get("resolution") is None:
                return True, None
            return True, {"self": f"{self.api}/resolution/{RESOLUTION_DONE['id']}", **RESOLUTION_DONE}
        if name == "issuelinks":
            return True, self._links(issue)
        if name == "subtasks":
            return True, [self.issue_stub(s) for s in self.state.subtasks(issue)]
        if name == "parent":
            parent = self.state.issues.get(issue.get("parent") or "")
            return (parent is not None), (self.issue_stub(parent) if parent else None)
        if name == "comment":
            page = self.comment_page(issue, 0, 5000)
            page["maxResults"] = page["total"]
            if self.cloud:
                page["self"] = f"{self.issue_self(issue)}/comment"
            return True, page
        if name == "attachment":  # attachments and due dates: _extras_state
            return True, [render_attachment(self, a) for a in self.state.extras.of_issue(issue["key"])]
        if name == "duedate":
            return True, issue.get("duedate")
        if name in ("timetracking", "worklog"):  # time tracking and worklogs: _people_render
            return people_field(self, issue, name)
        return False, None

    def issue(self, issue: Issue, fields: FieldSelection, expand: Iterable[str] = ()) -> dict[str, Any]:
        if fields.id_only:
            return {"id": issue["id"]}
        rendered: dict[str, Any] = {}
        for name in fields.names:
            present, value = self.field(issue, name)
            if present:
                rendered[name] = value
        body: dict[str, Any] = {
            "expand": ISSUE_EXPAND,
            "id": issue["id"],
            "self": self.issue_self(issue),
            "key": issue["key"],
            "fields": rendered,
        }
        expansions = set(expand)
        if "renderedFields" in expansions:
            body["renderedFields"] = {
                name: (rich_to_html(issue.get("description")) if name == "description" else None) for name in rendered
            }
        if "names" in expansions:
            body["names"] = {name: FIELD_NAMES.get(name, name) for name in rendered}
        if "transitions" in expansions:
            body["transitions"] = self.transitions()
        if "changelog" in expansions:
            body["changelog"] = changelog(self, issue)
            self.state.issue_ops.add_to(self, issue, body["changelog"])
        return body

    def transitions(self) -> list[dict[str, Any]]:
        return [
            {
                "id": t.id,
                "name": t.name,
                "to": self.status(t.to),
                "hasScreen": False,
                "isGlobal": True,
                "isInitial": False,
                "isAvailable": True,
                "isConditional": False,
                "isLooped": False,
            }
            for t in TRANSITIONS
        ]

    # ------------------------------------------------------------------ create metadata

    def create_fields(self, project: Project, type_name: str) -> list[dict[str, Any]]:
        issue_type = _known(self.state.issue_type(type_name))

        def entry(field_id: str, name: str, kind: str, required: bool, **extra: Any) -> dict[str, Any]:
            schema: dict[str, Any] = {"type": kind, "system": field_id}
            if kind == "array":
                schema = {"type": "array", "items": "string", "system": field_id}
            body: dict[str, Any] = {
                "required": required,
                "schema": schema,
                "name": name,
                "fieldId": field_id,
                "hasDefaultValue": False,
                "operations": ["set"] if field_id not in ("labels",) else ["add", "set", "remove"],
                **extra,
            }
            if self.cloud:
                body["key"] = field_id
            return body

        # (field id, name, schema type, required)
        plain = [
            ("description", "Description", "string", False),
            ("labels", "Labels", "array", False),
        ]
        people = [("assignee", "Assignee", "user", False), ("reporter", "Reporter", "user", True)]
        fields = [
            entry("summary", "Summary", "string", True),
            entry("issuetype", "Issue Type", "issuetype", True, allowedValues=[self.issue_type(issue_type.name)]),
            entry("project", "Project", "project", True, allowedValues=[self.project_ref(project.key)]),
            *(entry(*spec) for spec in plain),
            entry("priority", "Priority", "priority", False, allowedValues=self.priorities()),
            *(entry(*spec) for spec in people),
        ]
        if issue_type.subtask:
            fields.append(entry("parent", "Parent", "issuelink", True))
        fields += project_meta_render.create_field_entries(self, project.key)  # components, versions, custom
        return fields
