"""The fake OpenProject's workspace: who may do what (capabilities), project writes, in-app notifications
for each user, saved queries, board grids, documents and the instance's configuration.

Who may do what follows the people family's administrators, roles and memberships (``_people_state``):
capabilities are the actions a user's roles grant; a Project admin may edit the project, only an
administrator create or delete one. Notifications belong to their recipient: nobody sees, reads or marks
another's. A query is its owner's, or public; board columns are hidden public queries. Board grids are
scoped to ``/projects/{identifier}/boards``, a My page grid to ``/my/page`` (its owner only).

Projects have no ``lockVersion`` in API v3: a PATCH changes what it names and nothing else. ``DELETE``
archives a project at once and schedules its deletion (OpenProject deletes asynchronously), so it stays
readable, archived, for a while.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from weakref import WeakKeyDictionary

from ._data import SEED_EPOCH, op_timestamp
from ._errors import Violation, blank, forbidden, invalid_query, not_found, violations
from ._people_state import PROJECT_ADMIN, ROLES, people_of
from ._render import API, HalRenderer, formattable, link
from ._state import OpenProjectState, now

QUERY_NOT_FOUND = "The specified query does not exist."
PROJECT_STATUSES = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "finished": "Finished",
    "discontinued": "Discontinued",
}
REASONS = (
    "mentioned",
    "assigned",
    "responsible",
    "watched",
    "subscribed",
    "commented",
    "created",
    "processed",
    "prioritized",
    "scheduled",
    "dateAlert",
    "shared",
    "reminder",
)
ACTION_TITLES = {
    "projects/create": "Create project",
    "projects/update": "Edit project",
    "projects/copy": "Copy project",
    "users/read": "View users",
    "users/create": "Create users",
    "users/update": "Edit users",
    "memberships/read": "View members",
    "memberships/create": "Add members",
    "memberships/update": "Edit members",
    "work_packages/read": "View work packages",
    "work_packages/create": "Add work package",
    "work_packages/update": "Edit work packages",
    "work_packages/move": "Move work packages",
    "work_packages/copy": "Copy work packages",
    "work_packages/assigned": "Be assigned to work packages",
}
GLOBAL_ACTIONS = ("projects/create", "users/read", "users/create", "users/update")  # an administrator's
# the actions a role's permissions grant (roles and memberships: ``_people_state``)
PERMISSION_ACTIONS: dict[str, tuple[str, ...]] = {
    "view_work_packages": ("work_packages/read",),
    "add_work_packages": ("work_packages/create",),
    "edit_work_packages": ("work_packages/update", "work_packages/move", "work_packages/copy"),
    "work_package_assigned": ("work_packages/assigned",),
    "view_members": ("memberships/read",),
    "manage_members": ("memberships/create", "memberships/update"),
}
EDIT_PROJECT = ("projects/update", "projects/copy")  # what a Project admin may do to the project itself
CONFIGURATION: dict[str, Any] = {
    "maximumAttachmentFileSize": 268_435_456,
    "perPageOptions": [20, 100],
    "durationFormat": "hours_and_minutes",
    "activeFeatureFlags": ["built_in_oauth_applications"],
}
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]{0,99}$")
_PROJECT_HREF = re.compile(r"^/api/v3/projects/(?P<ref>[^/?#]+)/?$")
_STATUS_HREF = re.compile(r"^/api/v3/project_statuses/(?P<code>[a-z_]+)/?$")

# columns and sort criteria a query may hold: API name -> title
COLUMNS = {
    "id": "ID",
    "subject": "Subject",
    "type": "Type",
    "status": "Status",
    "priority": "Priority",
    "assignee": "Assignee",
    "author": "Author",
    "startDate": "Start date",
    "dueDate": "Finish date",
    "updatedAt": "Updated on",
}
FILTER_LABELS = {
    "status": "Status",
    "type": "Type",
    "priority": "Priority",
    "assignee": "Assignee",
    "author": "Author",
    "project": "Project",
    "subject": "Subject",
    "search": "Search",
}
OPERATOR_TITLES = {
    "o": "open",
    "c": "closed",
    "=": "is",
    "!": "is not",
    "*": "is not empty",
    "!*": "is empty",
    "~": "contains",
    "!~": "doesn't contain",
    "**": "search",
}
_LINKED_FILTERS = {
    "status": "statuses",
    "type": "types",
    "priority": "priorities",
    "assignee": "users",
    "author": "users",
    "project": "projects",
}


@dataclass
class WorkspaceState:
    """The workspace of one fake OpenProject; tests may read and tweak it."""

    state: OpenProjectState
    notifications: dict[int, dict[str, Any]] = field(default_factory=dict)
    queries: dict[int, dict[str, Any]] = field(default_factory=dict)
    grids: dict[int, dict[str, Any]] = field(default_factory=dict)
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)
    deletions: list[int] = field(default_factory=list)  # projects whose (asynchronous) deletion was scheduled
    next_project: int = 0

    # ------------------------------------------------------------------ who may do what

    def is_admin(self, user: int | None) -> bool:
        return people_of(self.state).is_admin(user)

    def actions(self, user: int | None, project: int | None) -> tuple[str, ...]:
        """What `user` may do in `project` (None: globally)."""
        if user is None:
            return ()
        people = people_of(self.state)
        if project is None:
            return GLOBAL_ACTIONS if people.is_admin(user) else ()
        roles = people.roles_in(user, project)
        granted = {a for r in roles for p in ROLES[r][3] for a in PERMISSION_ACTIONS.get(p, ())}
        if PROJECT_ADMIN in roles:
            granted.update(EDIT_PROJECT)
        return tuple(sorted(granted))

    def require(self, user: int | None, action: str, project: int | None = None) -> None:
        if self.is_admin(user) or action in self.actions(user, project):
            return
        raise forbidden()

    # ------------------------------------------------------------------ projects

    def project_body(self, render: HalRenderer, project: Mapping[str, Any], viewer: int | None) -> dict[str, Any]:
        """A project as `viewer` sees it: the shared rendering plus parent, status and the actions they may take."""
        body = render.project(project)
        base = f"{API}/projects/{project['id']}"
        links = body["_links"]
        parent = self.state.projects.get(project.get("parent") or -1)
        links["parent"] = link(f"{API}/projects/{parent['id']}", parent["name"]) if parent else link(None)
        code = project.get("status")
        links["status"] = link(f"{API}/project_statuses/{code}", PROJECT_STATUSES[code]) if code else link(None)
        body["statusExplanation"] = formattable(project.get("statusExplanation") or "")
        if self.is_admin(viewer) or "projects/update" in self.actions(viewer, project["id"]):
            links["update"] = link(f"{base}/form", method="post")
            links["updateImmediately"] = link(base, method="patch")
        if self.is_admin(viewer):
            links["delete"] = link(base, method="delete")
        links["memberships"] = link(
            f"{API}/memberships?filters=%5B%7B%22project%22%3A%7B%22operator%22%3A%22%3D%22%2C%22values%22%3A%5B%22"
            f"{project['id']}%22%5D%7D%7D%5D",
            "Memberships",
        )
        return body

    def create_project(self, payload: Mapping[str, Any], actor: int) -> dict[str, Any]:
        found: list[Violation] = []
        values: dict[str, Any] = {"public": False, "active": True, "description": "", "parent": None, "status": None}
        name = payload.get("name")
        if not isinstance(name, str) or not name.strip():
            found.append(blank("name", "Name"))
        identifier = payload.get("identifier")
        if not isinstance(identifier, str) or not identifier.strip():
            found.append(blank("identifier", "Identifier"))
        found += self._apply(values, payload, current=None)
        if found:
            raise violations(found)
        self.require(actor, "projects/create")
        stamp = now()
        self.next_project = max(self.next_project, *self.state.projects) + 1
        project = {
            "id": self.next_project,
            "identifier": str(identifier),
            "name": str(name).strip(),
            **values,
            "types": [1, 2, 3],
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        self.state.projects[project["id"]] = project
        return project

    def update_project(self, project: dict[str, Any], payload: Mapping[str, Any], actor: int) -> None:
        self.require(actor, "projects/update", project["id"])
        values = {key: project.get(key) for key in ("public", "active", "description", "parent", "status")}
        found: list[Violation] = []
        if "name" in payload:
            name = payload["name"]
            if not isinstance(name, str) or not name.strip():
                found.append(blank("name", "Name"))
            else:
                values["name"] = name.strip()
        if "identifier" in payload:
            found.append(Violation("identifier", "You must not write a read-only attribute.", "PropertyIsReadOnly"))
        found += self._apply(values, payload, current=project)
        if found:
            raise violations(found)
        project.update(values)
        project["updatedAt"] = now()

    def delete_project(self, project: dict[str, Any], actor: int) -> None:
        if not self.is_admin(actor):
            raise forbidden()
        project["active"] = False  # archived at once; the deletion itself runs later
        project["updatedAt"] = now()
        self.deletions.append(project["id"])

    def _apply(
        self, values: dict[str, Any], payload: Mapping[str, Any], current: Mapping[str, Any] | None
    ) -> list[Violation]:
        found: list[Violation] = []
        identifier = payload.get("identifier")
        if current is None and isinstance(identifier, str) and identifier.strip():
            if not _IDENTIFIER.match(identifier):
                found.append(Violation("identifier", "Identifier is invalid."))
            elif any(p["identifier"] == identifier for p in self.state.projects.values()):
                found.append(Violation("identifier", "Identifier has already been taken."))
        for key in ("public", "active"):
            if key in payload:
                if isinstance(payload[key], bool):
                    values[key] = payload[key]
                else:
                    found.append(Violation(key, f"{key.capitalize()} is invalid.", "PropertyFormatError"))
        for key, label in (("description", "Description"), ("statusExplanation", "Status description")):
            if key not in payload:
                continue
            text = payload[key]
            if text is None or (isinstance(text, dict) and isinstance(text.get("raw", ""), str | None)):
                values[key] = (text or {}).get("raw") or ""
            else:
                found.append(Violation(key, f"{label} is invalid.", "PropertyFormatError"))
        links = payload.get("_links") if isinstance(payload.get("_links"), dict) else {}
        assert isinstance(links, dict)
        if "parent" in links:
            href = (links["parent"] or {}).get("href") if isinstance(links["parent"], dict) else ""
            match = _PROJECT_HREF.match(href) if isinstance(href, str) else None
            parent = self.state.find_project(match["ref"]) if match else None
            if href is None:
                values["parent"] = None
            elif parent is None or (current is not None and parent["id"] == current["id"]):
                found.append(Violation("parent", "Subproject of is not set to one of the allowed values."))
            else:
                values["parent"] = parent["id"]
        if "status" in links:
            href = (links["status"] or {}).get("href") if isinstance(links["status"], dict) else ""
            match = _STATUS_HREF.match(href) if isinstance(href, str) else None
            if href is None:
                values["status"] = None
            elif match is None or match["code"] not in PROJECT_STATUSES:
                found.append(Violation("status", "Status is not set to one of the allowed values."))
            else:
                values["status"] = match["code"]
        return found

    # ------------------------------------------------------------------ notifications

    def notification(self, ref: str, viewer: int | None) -> dict[str, Any]:
        found = self.notifications.get(int(ref)) if ref.isdigit() else None
        if found is None or found["recipient"] != viewer:
            raise not_found()
        return found

    def render_notification(self, render: HalRenderer, n: Mapping[str, Any]) -> dict[str, Any]:
        wp = self.state.work_packages.get(n["resource"])
        project = self.state.projects.get(wp["project"]) if wp else None
        href = f"{API}/notifications/{n['id']}"
        links: dict[str, Any] = {"self": link(href)}
        if n["readIAN"]:
            links["unreadIAN"] = link(f"{href}/unread_ian", method="post")
        else:
            links["readIAN"] = link(f"{href}/read_ian", method="post")
        if n["actor"] is not None:
            links["actor"] = render.principal_link(n["actor"])
        if project is not None:
            links["project"] = link(f"{API}/projects/{project['id']}", project["name"])
        if wp is not None:
            links["resource"] = link(f"{API}/work_packages/{wp['id']}", wp["subject"])
            journal = self.state.activities.get(wp["id"]) or []
            if journal:
                links["activity"] = link(f"{API}/activities/{journal[-1]['id']}")
        return {
            "_type": "Notification",
            "id": n["id"],
            "readIAN": n["readIAN"],
            "reason": n["reason"],
            "createdAt": n["createdAt"],
            "updatedAt": n["updatedAt"],
            "_embedded": {"details": []},
            "_links": links,
        }

    def notification_matchers(self, raw: str | None) -> list[Callable[[dict[str, Any]], bool]]:
        specs = {
            "readIAN": ("Read", ("=",)),
            "reason": ("Reason", ("=", "!")),
            "id": ("ID", ("=", "!")),
            "project": ("Project", ("=", "!")),
            "resourceId": ("Resource", ("=", "!")),
            "resourceType": ("Resource type", ("=",)),
        }
        return [self._notification_matcher(n, o, v, specs[n][0]) for n, o, v in parse_simple_filters(raw, specs)]

    def _notification_matcher(
        self, name: str, operator: str, values: list[str], label: str
    ) -> Callable[[dict[str, Any]], bool]:
        if name == "readIAN":
            if not all(v in ("t", "f", "true", "false") for v in values):
                raise invalid_query(f"Filters {label} filter has invalid values.")
            wanted = {v in ("t", "true") for v in values}
            return lambda n: n["readIAN"] in wanted
        if name == "reason" and not set(values) <= set(REASONS):
            raise invalid_query(f"Filters {label} filter has invalid values.")
        if name == "resourceType":
            return lambda n: "WorkPackage" in values
        if name in ("id", "project", "resourceId") and not all(v.isdigit() for v in values):
            raise invalid_query(f"Filters {label} filter has invalid values.")

        def key(n: dict[str, Any]) -> str:
            if name == "project":
                wp = self.state.work_packages.get(n["resource"])
                return str(wp["project"]) if wp else ""
            return str(n["resource"] if name == "resourceId" else n[name])

        chosen, negate = frozenset(values), operator == "!"
        return lambda n: (key(n) in chosen) != negate

    # ------------------------------------------------------------------ queries

    def visible_query(self, ref: str, viewer: int | None) -> dict[str, Any]:
        found = self.queries.get(int(ref)) if ref.isdigit() else None
        if found is None or not (found["public"] or found["user"] == viewer):
            raise not_found(QUERY_NOT_FOUND)
        return found

    def render_query(self, render: HalRenderer, q: Mapping[str, Any]) -> dict[str, Any]:
        project = self.state.projects.get(q["project"]) if q["project"] is not None else None
        scope = f"{API}/projects/{project['id']}/work_packages" if project else f"{API}/work_packages"
        return {
            "_type": "Query",
            "id": q["id"],
            "name": q["name"],
            "public": q["public"],
            "starred": q["starred"],
            "hidden": q["hidden"],
            "sums": False,
            "timelineVisible": False,
            "showHierarchies": True,
            "createdAt": q["createdAt"],
            "updatedAt": q["updatedAt"],
            "filters": [self._filter_instance(name, body) for f in q["filters"] for name, body in f.items()],
            "_links": {
                "self": link(f"{API}/queries/{q['id']}", q["name"]),
                "project": link(f"{API}/projects/{project['id']}", project["name"]) if project else link(None),
                "user": render.principal_link(q["user"]),
                "columns": [link(f"{API}/queries/columns/{c}", COLUMNS[c]) for c in q["columns"]],
                "sortBy": [
                    link(
                        f"{API}/queries/sort_bys/{c}-{d}",
                        f"{COLUMNS[c]} ({'Descending' if d == 'desc' else 'Ascending'})",
                    )
                    for c, d in q["sortBy"]
                ],
                "groupBy": link(f"{API}/queries/group_bys/{q['groupBy']}", COLUMNS[q["groupBy"]])
                if q["groupBy"]
                else link(None),
                "results": link(scope),
            },
        }

    def _filter_instance(self, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        label = FILTER_LABELS.get(name, name)
        operator = str(body["operator"])
        values = [str(v) for v in body.get("values") or []]
        instance: dict[str, Any] = {
            "_type": f"{name[:1].upper()}{name[1:]}QueryFilter",
            "name": label,
            "_links": {
                "filter": link(f"{API}/queries/filters/{name}", label),
                "operator": link(f"{API}/queries/operators/{operator}", OPERATOR_TITLES.get(operator, operator)),
                "schema": link(f"{API}/queries/filter_instance_schemas/{name}"),
            },
        }
        namespace = _LINKED_FILTERS.get(name)
        if namespace is None:
            instance["values"] = values
        else:
            instance["_links"]["values"] = [self._value_link(namespace, v) for v in values]
        return instance

    def _value_link(self, namespace: str, value: str) -> dict[str, Any]:
        if value == "me":
            return link(f"{API}/users/me", "me")
        ident = int(value) if value.isdigit() else -1
        title: str | None
        if namespace == "projects":
            project = self.state.projects.get(ident)
            title = project["name"] if project else None
        elif namespace == "users":
            title = self.state.principal_name(ident)
        else:
            catalog = self.state.catalog({"statuses": "status", "types": "type", "priorities": "priority"}[namespace])
            entry = catalog.get(ident) if catalog is not None else None
            title = entry.name if entry else None
        return link(f"{API}/{namespace}/{value}", title)

    # ------------------------------------------------------------------ grids

    def grid_visible(self, grid: Mapping[str, Any], viewer: int | None) -> bool:
        if grid["scope"] == "/my/page":
            return viewer is not None and grid["user"] == viewer
        return True

    def render_grid(self, g: Mapping[str, Any]) -> dict[str, Any]:
        href = f"{API}/grids/{g['id']}"
        body: dict[str, Any] = {
            "_type": "Grid",
            "id": g["id"],
            "rowCount": g["rowCount"],
            "columnCount": g["columnCount"],
            "options": dict(g["options"]),
            "widgets": [
                {
                    "_type": "GridWidget",
                    "id": w["id"],
                    "identifier": w["identifier"],
                    "startRow": w["startRow"],
                    "endRow": w["endRow"],
                    "startColumn": w["startColumn"],
                    "endColumn": w["endColumn"],
                    "options": dict(w["options"]),
                }
                for w in g["widgets"]
            ],
            "createdAt": g["createdAt"],
            "updatedAt": g["updatedAt"],
            "_links": {
                "self": link(href),
                "scope": link(g["scope"], type="text/html"),
                "update": link(f"{href}/form", method="post"),
                "updateImmediately": link(href, method="patch"),
            },
        }
        if g.get("name") is not None:
            body["name"] = g["name"]
        return body

    # ------------------------------------------------------------------ documents

    def render_document(self, d: Mapping[str, Any]) -> dict[str, Any]:
        project = self.state.projects[d["project"]]
        href = f"{API}/documents/{d['id']}"
        return {
            "_type": "Document",
            "id": d["id"],
            "title": d["title"],
            "description": formattable(d["description"]),
            "createdAt": d["createdAt"],
            "_links": {
                "self": link(href, d["title"]),
                "project": link(f"{API}/projects/{project['id']}", project["name"]),
                "attachments": link(f"{href}/attachments"),
                "addAttachment": link(f"{href}/attachments", method="post"),
            },
        }


def parse_simple_filters(
    raw: str | None, specs: Mapping[str, tuple[str, tuple[str, ...]]]
) -> list[tuple[str, str, list[str]]]:
    """``filters`` as ``(name, operator, values)``; a 400 ``InvalidQuery`` for what OpenProject refuses."""
    if raw is None:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        raise invalid_query(f"unexpected token at '{raw}'") from None
    if not isinstance(data, list):
        raise invalid_query("Filters must be an array of filter objects.")
    parsed: list[tuple[str, str, list[str]]] = []
    for item in data:
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid_query("Filters must be an array of objects with exactly one filter name each.")
        ((name, body),) = item.items()
        spec = specs.get(str(name))
        if spec is None:
            raise invalid_query(f"Filters {name} does not exist.")
        label, operators = spec
        if not isinstance(body, dict) or not body.get("operator"):
            raise invalid_query("Operator can't be blank.")
        operator = str(body["operator"])
        if operator not in operators:
            raise invalid_query(f"Filters {label} filter has invalid operator '{operator}'.")
        values = body.get("values")
        if not isinstance(values, list) or not values or not all(isinstance(v, str | int) for v in values):
            raise invalid_query(f"Filters {label} filter has invalid values.")
        parsed.append((str(name), operator, [str(v) for v in values]))
    return parsed


def _seed(ws: WorkspaceState) -> None:
    state = ws.state
    users = [u.id for u in state.users]
    if 2 in state.projects:
        state.projects[2].setdefault("status", "on_track")
        state.projects[2].setdefault("statusExplanation", "Sprint 1 is **on schedule**.")

    def at(hours: int) -> str:
        return op_timestamp(SEED_EPOCH + timedelta(days=6, hours=hours))

    first = users[0] if users else None
    second = users[1] if len(users) > 1 else None
    rows: list[tuple[int | None, int | None, str, int, bool]] = [  # recipient, actor, reason, work package, read
        (first, second, "mentioned", 1, False),
        (first, second, "assigned", 4, False),
        (first, second, "watched", 5, True),
        (first, None, "dateAlert", 16, False),
        (first, second, "commented", 21, False),
        (second, first, "mentioned", 2, False),
        (second, first, "assigned", 17, True),
    ]
    for number, (recipient, actor, reason, wp, read) in enumerate(rows, start=1):
        if recipient is None or wp not in state.work_packages:
            continue
        ws.notifications[number] = {
            "id": number,
            "recipient": recipient,
            "actor": actor,
            "reason": reason,
            "resource": wp,
            "readIAN": read,
            "createdAt": at(number),
            "updatedAt": at(number),
        }

    owner = first if first is not None else state.system.id
    queries: list[dict[str, Any]] = [
        {
            "name": "Open bugs",
            "project": 1,
            "user": owner,
            "public": True,
            "starred": True,
            "hidden": False,
            "filters": [{"status": {"operator": "o", "values": []}}, {"type": {"operator": "=", "values": ["7"]}}],
            "columns": ["id", "subject", "status", "priority", "assignee"],
            "sortBy": [("priority", "desc"), ("id", "asc")],
            "groupBy": None,
        },
        {
            "name": "Unassigned tasks",
            "project": 1,
            "user": owner,
            "public": False,
            "starred": False,
            "hidden": False,
            "filters": [{"assignee": {"operator": "!*", "values": []}}, {"type": {"operator": "=", "values": ["1"]}}],
            "columns": ["id", "subject", "status", "updatedAt"],
            "sortBy": [("updatedAt", "desc")],
            "groupBy": "status",
        },
        {
            "name": "Assigned to me",
            "project": None,
            "user": second if second is not None else owner,
            "public": False,
            "starred": False,
            "hidden": False,
            "filters": [{"status": {"operator": "o", "values": []}}, {"assignee": {"operator": "=", "values": ["me"]}}],
            "columns": ["id", "subject", "status", "dueDate"],
            "sortBy": [("dueDate", "asc")],
            "groupBy": None,
        },
        _board_column(owner, 1, "New", "1"),
        _board_column(owner, 1, "In progress", "7"),
        _board_column(owner, 2, "New", "1"),
    ]
    for number, query in enumerate(queries, start=1):
        ws.queries[number] = {"id": number, **query, "createdAt": at(number), "updatedAt": at(number)}

    def widget(wid: int, column: int, query_id: int, status: str) -> dict[str, Any]:
        return {
            "id": wid,
            "identifier": "work_package_query",
            "startRow": 1,
            "endRow": 2,
            "startColumn": column,
            "endColumn": column + 1,
            "options": {"queryId": str(query_id), "filters": [{"status": {"operator": "=", "values": [status]}}]},
        }

    grid_rows: list[dict[str, Any]] = []
    if 1 in state.projects:
        grid_rows.append(
            {
                "name": "Kanban",
                "scope": f"/projects/{state.projects[1]['identifier']}/boards",
                "user": owner,
                "options": {"type": "action", "attribute": "status", "highlightingMode": "priority"},
                "widgets": [widget(1, 1, 4, "1"), widget(2, 2, 5, "7")],
            }
        )
    grid_rows.append(
        {
            "name": None,
            "scope": "/my/page",
            "user": owner,
            "options": {},
            "widgets": [
                {
                    "id": 3,
                    "identifier": "work_packages_assigned",
                    "startRow": 1,
                    "endRow": 2,
                    "startColumn": 1,
                    "endColumn": 2,
                    "options": {"name": "Work packages assigned to me"},
                }
            ],
        }
    )
    if 2 in state.projects:
        grid_rows.append(
            {
                "name": "Sprint board",
                "scope": f"/projects/{state.projects[2]['identifier']}/boards",
                "user": owner,
                "options": {"type": "free", "highlightingMode": "none"},
                "widgets": [{**widget(4, 1, 6, "1"), "options": {"queryId": "6", "filters": []}}],
            }
        )
    for number, grid in enumerate(grid_rows, start=1):
        columns = max((w["endColumn"] - 1 for w in grid["widgets"]), default=1)
        ws.grids[number] = {
            "id": number,
            **grid,
            "rowCount": 1,
            "columnCount": columns,
            "createdAt": at(number),
            "updatedAt": at(number),
        }

    documents = (
        (1, "Project charter", "## Goals\n\nShip the **first release** by March.\n\n* Scope: web app\n* Budget: fixed"),
        (1, "Release checklist", "1. Tag the release\n2. Update the `CHANGELOG`\n3. Announce it"),
        (2, "Sprint 1 retrospective", "What went well: the *daily* stand-ups.\n\nWhat to improve: estimates."),
    )
    for number, (project, title, description) in enumerate(documents, start=1):
        if project in state.projects:
            ws.documents[number] = {
                "id": number,
                "project": project,
                "title": title,
                "description": description,
                "createdAt": at(number + 10),
            }


def _board_column(owner: int, project: int, name: str, status: str) -> dict[str, Any]:
    return {
        "name": name,
        "project": project,
        "user": owner,
        "public": True,
        "starred": False,
        "hidden": True,
        "filters": [{"status": {"operator": "=", "values": [status]}}],
        "columns": ["id", "subject", "assignee"],
        "sortBy": [("id", "asc")],
        "groupBy": None,
    }


_STATES: WeakKeyDictionary[Any, WorkspaceState] = WeakKeyDictionary()


def workspace_of(state: Any) -> WorkspaceState:
    """The workspace that goes with a fake OpenProject's state (``OpenProjectState``), seeded on first use."""
    found = _STATES.get(state)
    if found is None:
        found = _STATES[state] = WorkspaceState(state)
        _seed(found)
    return found


def host_configuration(host: str) -> dict[str, Any]:
    return {
        "_type": "Configuration",
        "hostName": host,
        **CONFIGURATION,
        "_links": {"self": link(f"{API}/configuration"), "userPreferences": link(f"{API}/my_preferences")},
    }


__all__ = ["WorkspaceState", "host_configuration", "workspace_of"]
