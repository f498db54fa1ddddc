"""The fake OpenProject's in-memory state and the writes that change it (no HTTP here).

See ``_openproject_data`` for the shape of stored work packages and activities.  People are stored by
principal id: the configured users, plus the built-in ``Anonymous`` and ``System`` principals whose ids are
picked so that they never collide with a configured user's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ._data import (
    PRIORITIES,
    STATUSES,
    TYPES,
    Entry,
    OpenProjectUser,
    Priority,
    Status,
    WpType,
    allowed_statuses,
    journal_entry,
    op_timestamp,
    seed,
    seed_projects,
)
from ._errors import (
    NOT_OBJECT,
    READ_ONLY,
    WORK_PACKAGE_NOT_FOUND,
    OpenProjectError,
    Violation,
    bad_body,
    blank,
    conflict,
    not_allowed,
    not_found,
    violations,
)
from ._relations_state import parent_change, parent_title, seed_hierarchy

WorkPackage = dict[str, Any]
Activity = dict[str, Any]

_LINK = re.compile(r"/api/v3/(?P<namespace>[a-z_]+)/(?P<ref>[^/?#]+)/?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MISSING = object()
_INVALID = -1  # a link whose href could not be parsed, or that names nothing that exists

# (stored key, label in journal details) in the order OpenProject lists changes
_TRACKED = (
    ("subject", "Subject"),
    ("project", "Project"),
    ("type", "Type"),
    ("parent", "Parent"),
    ("status", "Status"),
    ("priority", "Priority"),
    ("assignee", "Assignee"),
    ("startDate", "Start date"),
    ("dueDate", "Finish date"),
    ("percentageDone", "% Complete"),
    ("description", "Description"),
)
_READ_ONLY = ("id", "createdAt", "updatedAt")


@dataclass(frozen=True)
class Principal:
    """Who can appear as author / assignee / activity user: a configured user or a built-in one."""

    id: int
    login: str
    name: str
    email: str | None
    builtin: bool = False


def now() -> str:
    return op_timestamp(datetime.now(UTC))


def _free_id(preferred: int, taken: set[int]) -> int:
    candidate = preferred if preferred not in taken else max(taken) + 1
    taken.add(candidate)
    return candidate


class OpenProjectState:
    """Everything the fake OpenProject knows; tests may read (and tweak) the public attributes directly."""

    def __init__(self, users: tuple[OpenProjectUser, ...]) -> None:
        self.users = users
        taken = {u.id for u in users}
        self.anonymous = Principal(_free_id(2, taken), "", "Anonymous", None, builtin=True)
        self.system = Principal(_free_id(3, taken), "", "System", None, builtin=True)
        self.principals: dict[int, Principal] = {u.id: Principal(u.id, u.login, u.name, u.email) for u in users}
        self.principals[self.anonymous.id] = self.anonymous
        self.principals[self.system.id] = self.system
        self.projects: dict[int, dict[str, Any]] = seed_projects()
        self.statuses: dict[int, Status] = {s.id: s for s in STATUSES}
        self.types: dict[int, WpType] = {t.id: t for t in TYPES}
        self.priorities: dict[int, Priority] = {p.id: p for p in PRIORITIES}
        self.work_packages, self.activities = seed(users, fallback_author=self.system.id)
        seed_hierarchy(self.work_packages)  # parents: see _relations_state
        # every PATCH attempt: {"work_package", "lockVersion" (as sent), "current", "by", "status", "payload"}
        self.updates: list[dict[str, Any]] = []
        self._next_wp = 1 + max(self.work_packages)
        self._next_activity = 1 + max(a["id"] for acts in self.activities.values() for a in acts)

    # ------------------------------------------------------------------ lookups

    def user_by_login(self, login: str) -> OpenProjectUser | None:
        return next((u for u in self.users if u.login == login), None)

    def principal(self, principal_id: int | None) -> Principal | None:
        return None if principal_id is None else self.principals.get(principal_id)

    def principal_name(self, principal_id: int | None) -> str | None:
        found = self.principal(principal_id)
        return found.name if found else None

    def find_project(self, ref: str) -> dict[str, Any] | None:
        if ref.isdigit():
            return self.projects.get(int(ref))
        return next((p for p in self.projects.values() if p["identifier"] == ref), None)

    def get_work_package(self, ref: str | int) -> WorkPackage:
        wp = self.work_packages.get(int(ref)) if str(ref).isdigit() else None
        if wp is None:
            raise not_found(WORK_PACKAGE_NOT_FOUND)
        return wp

    def is_closed(self, wp: WorkPackage) -> bool:
        return self.statuses[wp["status"]].is_closed

    def catalog(self, key: str) -> Mapping[int, Entry] | None:
        """The catalog a work package key refers to (``type``, ``status``, ``priority``), None for others."""
        catalogs: dict[str, Mapping[int, Entry]] = {
            "type": self.types,
            "status": self.statuses,
            "priority": self.priorities,
        }
        return catalogs.get(key)

    def _lookup_name(self, key: str, value: Any) -> str | None:
        if value is None:
            return None
        catalog = self.catalog(key)
        if catalog is not None:
            return catalog[value].name
        if key == "project":
            return str(self.projects[value]["name"])
        if key == "assignee":
            return self.principal_name(value)
        if key == "parent":
            parent = self.work_packages.get(value)
            return parent_title(self.work_packages, self.types[parent["type"]].name if parent else None, value)
        return str(value)

    # ------------------------------------------------------------------ writes

    def create_work_package(self, payload: Mapping[str, Any], author: int, project: int | None) -> WorkPackage:
        """Validate ``payload`` (a create body) and store the new work package."""
        links = _links(payload)
        found: list[Violation] = []
        found += self._read_only(payload, links, current=None)
        subject = payload.get("subject")
        if not isinstance(subject, str) or not subject.strip():
            found.append(blank("subject", "Subject"))
        if project is None:
            project_ref = self._link(links, "project", "projects")
            if project_ref is _MISSING or project_ref is None:
                found.append(blank("project", "Project"))
            elif project_ref == _INVALID:
                found.append(not_allowed("project", "Project"))
            else:
                project = int(str(project_ref))
        values: WorkPackage = {
            "project": project,
            "type": None,
            "status": next(s.id for s in STATUSES if s.is_default),
            "priority": next(p.id for p in PRIORITIES if p.is_default),
            "assignee": None,
            "parent": None,
            "subject": subject.strip() if isinstance(subject, str) else "",
            "description": "",
            "startDate": None,
            "dueDate": None,
            "percentageDone": None,
        }
        found += self._apply(values, payload, links, creating=True)
        found += parent_change(self, None, values, links)
        if found:
            raise violations(found)
        stamp = now()
        wp_id = self._next_wp
        self._next_wp += 1
        wp = {"id": wp_id, **values, "author": author, "createdAt": stamp, "updatedAt": stamp, "lockVersion": 0}
        self.work_packages[wp_id] = wp
        self.activities[wp_id] = []
        self._journal(wp, author, "", [])
        return wp

    def update_work_package(self, wp: WorkPackage, payload: Mapping[str, Any], actor: int, by: str | None) -> None:
        """Apply a PATCH body; raises 409 for a missing or stale ``lockVersion``, 422 for invalid values."""
        sent = payload.get("lockVersion", _MISSING)
        entry: dict[str, Any] = {
            "work_package": wp["id"],
            "lockVersion": None if sent is _MISSING else sent,
            "current": wp["lockVersion"],
            "by": by,
            "status": 409,
            "payload": dict(payload),
        }
        self.updates.append(entry)
        if not _lock_matches(sent, wp["lockVersion"]):
            raise conflict()
        links = _links(payload)
        found = self._read_only(payload, links, current=wp)
        values = {key: wp.get(key) for key, _ in _TRACKED}
        found += self._apply(values, payload, links, creating=False)
        found += parent_change(self, wp, values, links)
        if found:
            entry["status"] = 422
            raise violations(found)
        entry["status"] = 200
        details = self._details(wp, values)
        if not details:
            return
        wp.update(values)
        wp["lockVersion"] += 1
        wp["updatedAt"] = now()
        self._journal(wp, actor, "", details)

    def add_comment(self, wp: WorkPackage, payload: Mapping[str, Any], actor: int) -> Activity:
        comment = payload.get("comment")
        raw = comment.get("raw") if isinstance(comment, dict) else None
        if not isinstance(raw, str) or not raw.strip():
            raise violations([blank("comment", "Comment")])
        return self._journal(wp, actor, raw, [])

    def touch(self, wp_id: int, by: int | None, changes: Mapping[str, Any]) -> WorkPackage:
        """Change a work package as someone else would: always bumps ``lockVersion`` and ``updatedAt``."""
        wp = self.get_work_package(wp_id)
        values = {key: wp.get(key) for key, _ in _TRACKED}
        comment = ""
        for key, value in changes.items():
            if key == "comment":
                comment = str(value)
            elif key in values:
                values[key] = self._resolve_touch(key, value)
            else:
                raise KeyError(f"touch() cannot change {key!r}; known: {[k for k, _ in _TRACKED]} and 'comment'")
        details = self._details(wp, values)
        wp.update(values)
        wp["lockVersion"] += 1
        wp["updatedAt"] = now()
        self._journal(wp, by if by is not None else self.system.id, comment, details)
        return wp

    # ------------------------------------------------------------------ helpers

    def _journal(self, wp: WorkPackage, user: int, comment: str, details: list[str]) -> Activity:
        stamp = now()
        journal = self.activities.setdefault(wp["id"], [])
        activity = journal_entry(self._next_activity, len(journal) + 1, user, comment, details, stamp)
        self._next_activity += 1
        journal.append(activity)
        return activity

    def _details(self, old: WorkPackage, new: Mapping[str, Any]) -> list[str]:
        details: list[str] = []
        for key, label in _TRACKED:
            before, after = old.get(key), new[key]
            if before == after or (key == "description" and (before or "") == (after or "")):
                continue
            if key == "description":
                verb = "set" if not before else "deleted" if not after else "changed"
                details.append(f"Description {verb} (Details)")
                continue
            old_name, new_name = self._lookup_name(key, before), self._lookup_name(key, after)
            if old_name is None:
                details.append(f"{label} set to {new_name}")
            elif new_name is None:
                details.append(f"{label} deleted ({old_name})")
            else:
                details.append(f"{label} changed from {old_name} to {new_name}")
        return details

    def _read_only(
        self, payload: Mapping[str, Any], links: Mapping[str, Any], current: WorkPackage | None
    ) -> list[Violation]:
        found: list[Violation] = []
        for key in _READ_ONLY:
            if key in payload and (current is None or payload[key] != current[key]):
                found.append(Violation(key, READ_ONLY, "PropertyIsReadOnly"))
        if "author" in links:
            author = self._link(links, "author", "users")
            if current is None or author != current["author"]:
                found.append(Violation("author", READ_ONLY, "PropertyIsReadOnly"))
        return found

    def _link(self, links: Mapping[str, Any], name: str, namespace: str) -> Any:
        """``_MISSING`` when absent, None for ``{"href": null}``, the referenced id, or ``_INVALID``."""
        if name not in links:
            return _MISSING
        link = links[name]
        if not isinstance(link, dict) or "href" not in link:
            return _INVALID
        href = link["href"]
        if href is None:
            return None
        match = _LINK.search(str(href))
        if match is None or match["namespace"] != namespace:
            return _INVALID
        ref = match["ref"]
        if namespace == "projects":
            project = self.find_project(ref)
            return project["id"] if project else _INVALID
        if not ref.isdigit():
            return _INVALID
        ident = int(ref)
        catalogs: dict[str, Mapping[int, object]] = {
            "types": self.types,
            "statuses": self.statuses,
            "priorities": self.priorities,
            "users": {u.id: u for u in self.users},
        }
        catalog = catalogs[namespace]
        return ident if ident in catalog else _INVALID

    def _apply(
        self, values: WorkPackage, payload: Mapping[str, Any], links: Mapping[str, Any], *, creating: bool
    ) -> list[Violation]:
        """Copy the writable properties of ``payload`` into ``values``; returns the violations found.

        Each property has its own rule in ``_RULES`` (in the order OpenProject reports violations).
        """
        write = _Write(payload, links, creating, old_status=values["status"], old_type=values["type"])
        for rule in _RULES:
            rule(self, values, write)
        return write.found

    def _resolve_touch(self, key: str, value: Any) -> Any:
        if value is None or key in ("subject", "description", "startDate", "dueDate", "percentageDone", "parent"):
            return value
        catalogs: dict[str, Mapping[int, Any]] = {
            "project": {p["id"]: p for p in self.projects.values()},
            "type": self.types,
            "status": self.statuses,
            "priority": self.priorities,
            "assignee": self.principals,
        }
        catalog = catalogs[key]
        if isinstance(value, int) and value in catalog:
            return value
        for ident, item in catalog.items():
            names = (
                (item["name"], item["identifier"])
                if isinstance(item, dict)
                else (item.name, getattr(item, "login", None))
            )
            if value in names:
                return ident
        raise KeyError(f"unknown {key}: {value!r}")


def _links(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    links = payload.get("_links")
    return links if isinstance(links, dict) else {}


def _lock_matches(sent: Any, current: int) -> bool:
    if isinstance(sent, bool) or sent is _MISSING or sent is None:
        return False
    if isinstance(sent, int):
        return sent == current
    return isinstance(sent, str) and sent.strip().isdigit() and int(sent) == current


def _valid_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def require_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_body(NOT_OBJECT)
    return data


@dataclass
class _Write:
    """One create or update being applied: what was sent, and the violations found so far."""

    payload: Mapping[str, Any]
    links: Mapping[str, Any]
    creating: bool
    old_status: Any
    old_type: Any
    found: list[Violation] = field(default_factory=list)


_Rule = Callable[[OpenProjectState, WorkPackage, _Write], None]


def _subject(state: OpenProjectState, values: WorkPackage, write: _Write) -> None:
    if "subject" not in write.payload or write.creating:  # a create checks its subject up front
        return
    subject = write.payload["subject"]
    if not isinstance(subject, str) or not subject.strip():
        write.found.append(blank("subject", "Subject"))
    else:
        values["subject"] = subject.strip()


def _description(state: OpenProjectState, values: WorkPackage, write: _Write) -> None:
    if "description" not in write.payload:
        return
    description = write.payload["description"]
    if description is None:
        values["description"] = ""
    elif isinstance(description, dict) and isinstance(description.get("raw", ""), str | None):
        values["description"] = description.get("raw") or ""
    else:
        write.found.append(Violation("description", "Description is invalid.", "PropertyFormatError"))


def _dates(state: OpenProjectState, values: WorkPackage, write: _Write) -> None:
    for key, label in (("startDate", "Start date"), ("dueDate", "Finish date"), ("date", "Date")):
        if key not in write.payload:
            continue
        value = write.payload[key]
        if value is None or (isinstance(value, str) and _DATE.match(value) and _valid_date(value)):
            # a milestone has a single "date", stored as equal start and finish dates
            for target in ("startDate", "dueDate") if key == "date" else (key,):
                values[target] = value
        else:
            write.found.append(Violation(key, f"{label} is not a valid date.", "PropertyFormatError"))
    if values["startDate"] and values["dueDate"] and values["dueDate"] < values["startDate"]:
        write.found.append(Violation("dueDate", "Finish date must be greater than or equal to the start date."))


def _done(state: OpenProjectState, values: WorkPackage, write: _Write) -> None:
    if "percentageDone" not in write.payload:
        return
    done = write.payload["percentageDone"]
    if done is None or (isinstance(done, int) and not isinstance(done, bool) and 0 <= done <= 100):
        values["percentageDone"] = done
    else:
        write.found.append(Violation("percentageDone", "% Complete must be between 0 and 100."))


def _project(state: OpenProjectState, values: WorkPackage, write: _Write) -> None:
    if write.creating:  # a create takes its project from the path or checks it up front
        return
    project = state._link(write.links, "project", "projects")
    if project is None or project == _INVALID:
        write.found.append(not_allowed("project", "Project"))
    elif project is not _MISSING:
        values["project"] = project


def _type(state: OpenProjectState, values: WorkPackage, write: _Write) -> None:
    project_types = state.projects[values["project"]]["types"] if values["project"] in state.projects else []
    type_ref = state._link(write.links, "type", "types")
    if type_ref is _MISSING:
        if values["type"] is None:
            values["type"] = project_types[0] if project_types else None
        elif project_types and values["type"] not in project_types:
            write.found.append(not_allowed("type", "Type"))
    elif type_ref is None or type_ref == _INVALID or (project_types and type_ref not in project_types):
        write.found.append(not_allowed("type", "Type"))
    else:
        values["type"] = type_ref


def _people_and_catalogs(state: OpenProjectState, values: WorkPackage, write: _Write) -> None:
    for key, label, namespace in (
        ("status", "Status", "statuses"),
        ("priority", "Priority", "priorities"),
        ("assignee", "Assignee", "users"),
    ):
        ref = state._link(write.links, key, namespace)
        if ref is _MISSING:
            continue
        if ref == _INVALID or (ref is None and key != "assignee"):
            write.found.append(not_allowed(key, label))
        else:
            values[key] = ref


def _workflow(state: OpenProjectState, values: WorkPackage, write: _Write) -> None:
    type_id = values["type"]
    status_changed = write.creating or values["status"] != write.old_status or type_id != write.old_type
    if type_id is not None and values["status"] not in allowed_statuses(type_id) and status_changed:
        write.found.append(
            Violation(
                "status",
                "Status is invalid because no valid transition exists from old to new status "
                "for the current user's roles.",
            )
        )


_RULES: tuple[_Rule, ...] = (
    _subject,
    _description,
    _dates,
    _done,
    _project,
    _type,
    _people_and_catalogs,
    _workflow,
)


__all__ = ["Activity", "OpenProjectError", "OpenProjectState", "Principal", "WorkPackage", "require_object"]
