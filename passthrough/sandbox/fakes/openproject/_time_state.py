"""The fake OpenProject's time entries, their activities, and versions (no HTTP here).

Held in a store of their own (``time_of(state)``), seeded on first use. Stored shapes::

    time entry: {"id", "project", "work_package" (id or None), "user", "activity", "hours" (float hours),
                 "spentOn" ("YYYY-MM-DD"), "comment" (raw text), "createdAt", "updatedAt"}
    version:    {"id", "project", "name", "description", "startDate", "endDate", "status", "sharing",
                 "createdAt", "updatedAt"}

As in OpenProject: ``hours`` travels as an ISO 8601 duration (``PT1H30M``) and time entries carry no
``lockVersion``; the activities a project offers are the shared ones it has not switched off (the scrum
project switched off Testing), listed by the create form's schema; a project's versions are its own plus
those shared with every project (``sharing: system``).

Permissions, kept small but per user: the first configured user may log, edit and delete anyone's time
and manage versions; every other user edits only their own time entries and manages no versions, and the
second configured user is no member of the scrum project, so may neither log nor see time there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from ._data import op_timestamp
from ._errors import (
    OpenProjectError,
    Violation,
    blank,
    forbidden,
    not_allowed,
    not_found,
    violations,
)

API = "/api/v3"
SCRUM_PROJECT = 2
TIME_ENTRY_NOT_FOUND = "The requested resource could not be found."

# (id, name, position, is_default)
ACTIVITIES: tuple[tuple[int, str, int, bool], ...] = (
    (1, "Development", 1, True),
    (2, "Management", 2, False),
    (3, "Testing", 3, False),
)
# the activities a project switched off
_SWITCHED_OFF = {SCRUM_PROJECT: {3}}

# (work package or None, project, user position, activity, hours, spentOn, comment)
_SEED_ENTRIES: tuple[tuple[int | None, int, int, int, float, str, str], ...] = (
    (4, 1, 0, 1, 2.5, "2026-01-19", "Runner image with `docker` and `buildx`."),
    (5, 1, 0, 3, 0.75, "2026-01-20", "Reproduced on staging."),
    (4, 1, 1, 2, 1.0, "2026-01-20", "Planned the pipeline stages."),
    (22, 2, 0, 1, 3.0, "2026-01-21", "Form layout and validation."),
    (None, 1, 1, 2, 0.5, "2026-01-22", "Weekly sync."),
    (12, 1, 1, 3, 1.25, "2026-01-23", ""),
)
# (project, name, description, start, end, status, sharing)
_SEED_VERSIONS: tuple[tuple[int, str, str, str | None, str | None, str, str], ...] = (
    (1, "1.0", "The first release: **login**, reports and billing.", "2026-01-12", "2026-03-31", "open", "none"),
    (1, "Bug backlog", "Bugs not yet planned for a release.", None, None, "open", "system"),
    (2, "Sprint 1", "", "2026-01-12", "2026-01-25", "closed", "none"),
    (2, "Sprint 2", "", "2026-01-26", "2026-02-08", "open", "none"),
)
VERSION_STATUSES = ("open", "locked", "closed")
VERSION_SHARINGS = ("none", "descendants", "hierarchy", "tree", "system")

Entry = dict[str, Any]
Version = dict[str, Any]


def now() -> str:
    return op_timestamp(datetime.now(UTC))


# ---------------------------------------------------------------------- durations


def iso_duration(hours: float) -> str:
    """Hours as OpenProject writes them: 1.5 → ``PT1H30M``, 2 → ``PT2H``, 0 → ``PT0S``."""
    seconds = round(hours * 3600)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    text = "".join(f"{v}{u}" for v, u in ((h, "H"), (m, "M"), (s, "S")) if v)
    return "PT" + (text or "0S")


def parse_iso_hours(value: str) -> float | None:
    """``PT1H30M`` → 1.5 (also ``P1DT2H``, decimals); None when it is not an ISO 8601 duration."""
    raw = value.strip().upper()
    if not raw.startswith("P") or raw in ("P", "PT") or raw.endswith("T") or len(raw) > 40:
        return None
    per = {"D": 24.0, "H": 1.0, "M": 1 / 60, "S": 1 / 3600}
    order = "DHMS"
    total, seen, in_time, number = 0.0, -1, False, ""
    for char in raw[1:]:
        if (char.isascii() and char.isdigit()) or char == ".":
            number += char
        elif char == "T" and not in_time and not number:
            in_time = True
        elif char in per and number and number.count(".") <= 1 and (char == "D") != in_time:
            if order.index(char) <= seen or number == ".":
                return None
            seen = order.index(char)
            total += float(number) * per[char]
            number = ""
        else:
            return None
    return None if number else total


# ---------------------------------------------------------------------- the store


class TimeStore:
    """Time entries, their activities and versions of one fake OpenProject."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.activities: dict[int, dict[str, Any]] = {
            a: {"id": a, "name": name, "position": pos, "default": default} for a, name, pos, default in ACTIVITIES
        }
        self.switched_off: dict[int, set[int]] = {p: set(off) for p, off in _SWITCHED_OFF.items()}
        self.entries: dict[int, Entry] = {}
        users = state.users
        for number, (wp, project, who, activity, hours, day, comment) in enumerate(_SEED_ENTRIES, start=1):
            if who >= len(users) or (wp is not None and wp not in state.work_packages):
                continue
            stamp = op_timestamp(datetime.fromisoformat(day + "T17:00:00+00:00"))
            self.entries[number] = {
                "id": number,
                "project": project,
                "work_package": wp,
                "user": users[who].id,
                "activity": activity,
                "hours": hours,
                "spentOn": day,
                "comment": comment,
                "createdAt": stamp,
                "updatedAt": stamp,
            }
        self._next_entry = 1 + len(_SEED_ENTRIES)
        self.versions: dict[int, Version] = {}
        created = op_timestamp(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
        for number, (project, name, text, start, end, status, sharing) in enumerate(_SEED_VERSIONS, start=1):
            self.versions[number] = {
                "id": number,
                "project": project,
                "name": name,
                "description": text,
                "startDate": start,
                "endDate": end,
                "status": status,
                "sharing": sharing,
                "createdAt": created,
                "updatedAt": created,
            }
        self._next_version = 1 + len(_SEED_VERSIONS)

    # ------------------------------------------------------------------ permissions

    def _position(self, user: int | None) -> int | None:
        return next((i for i, u in enumerate(self.state.users) if u.id == user), None)

    def may_log(self, user: int | None, project: int) -> bool:
        position = self._position(user)
        if position is None or project not in self.state.projects:
            return False
        return not (position == 1 and project == SCRUM_PROJECT)

    def may_edit(self, user: int | None, entry: Entry) -> bool:
        if not self.may_log(user, entry["project"]):
            return False
        return self._position(user) == 0 or entry["user"] == user

    def may_manage_versions(self, user: int | None) -> bool:
        return self._position(user) == 0

    def offered(self, project: int) -> list[dict[str, Any]]:
        """The activities ``project`` offers, by position."""
        off = self.switched_off.get(project, set())
        return sorted((a for a in self.activities.values() if a["id"] not in off), key=lambda a: a["position"])

    # ------------------------------------------------------------------ time entries

    def visible_entries(self, user: int | None) -> list[Entry]:
        return [e for _, e in sorted(self.entries.items()) if self.may_log(user, e["project"])]

    def get_entry(self, ref: str | int, user: int | None) -> Entry:
        found = self.entries.get(int(ref)) if str(ref).isdigit() else None
        if found is None or not self.may_log(user, found["project"]):
            raise not_found(TIME_ENTRY_NOT_FOUND)
        return found

    def create_entry(self, payload: Mapping[str, Any], actor: int) -> Entry:
        values: Entry = {
            "project": None,
            "work_package": None,
            "user": actor,
            "activity": None,
            "hours": None,
            "spentOn": date.today().isoformat(),
            "comment": "",
        }
        found = self._apply(values, payload, actor, creating=True)
        if values["project"] is not None and not self.may_log(actor, values["project"]):
            raise forbidden()
        if values["activity"] is None and values["project"] is not None:
            default = next((a for a in self.offered(values["project"]) if a["default"]), None)
            values["activity"] = default["id"] if default else None
            if default is None:
                found.append(blank("activity", "Activity"))
        if found:
            raise violations(found)
        stamp = now()
        entry = {"id": self._next_entry, **values, "createdAt": stamp, "updatedAt": stamp}
        self._next_entry += 1
        self.entries[entry["id"]] = entry
        return entry

    def update_entry(self, entry: Entry, payload: Mapping[str, Any], actor: int) -> Entry:
        if not self.may_edit(actor, entry):
            raise forbidden()
        values = {k: entry[k] for k in ("project", "work_package", "user", "activity", "hours", "spentOn", "comment")}
        found = self._apply(values, payload, actor, creating=False)
        if found:
            raise violations(found)
        entry.update(values)
        entry["updatedAt"] = now()
        return entry

    def delete_entry(self, entry: Entry, actor: int) -> None:
        if not self.may_edit(actor, entry):
            raise forbidden()
        del self.entries[entry["id"]]

    def _apply(self, values: Entry, payload: Mapping[str, Any], actor: int, *, creating: bool) -> list[Violation]:
        """Copy a create or update body into ``values``; the violations, in OpenProject's order."""
        found: list[Violation] = []
        raw_links = payload.get("_links")
        links: Mapping[str, Any] = raw_links if isinstance(raw_links, dict) else {}
        if "hours" in payload:
            hours = payload["hours"]
            parsed = parse_iso_hours(hours) if isinstance(hours, str) else None
            if parsed is None:
                found.append(
                    Violation("hours", f"The format of 'hours' is invalid: '{str(hours)[:40]}'.", "PropertyFormatError")
                )
            elif parsed < 0:
                found.append(Violation("hours", "Hours is invalid."))
            else:
                values["hours"] = parsed
        elif creating:
            found.append(blank("hours", "Hours"))
        if "spentOn" in payload:
            day = payload["spentOn"]
            if isinstance(day, str) and _is_date(day):
                values["spentOn"] = day
            else:
                found.append(Violation("spentOn", "Date is not a valid date.", "PropertyFormatError"))
        if "comment" in payload:
            comment = payload["comment"]
            raw = comment.get("raw") if isinstance(comment, dict) else comment
            if raw is not None and not isinstance(raw, str):
                found.append(Violation("comment", "Comment is invalid.", "PropertyFormatError"))
            elif raw is not None and len(raw) > 1000:
                found.append(Violation("comment", "Comment is too long (maximum is 1000 characters)."))
            else:
                values["comment"] = raw or ""
        wp_ref = _linked(links, "workPackage", "work_packages") or _linked(links, "entity", "work_packages")
        if wp_ref is not None:
            if wp_ref == "" or int(wp_ref) not in self.state.work_packages:
                found.append(Violation("workPackage", "Work package is invalid."))
            else:
                values["work_package"] = int(wp_ref)
        project_ref = _linked(links, "project", "projects")
        if project_ref is not None:
            project = self.state.find_project(project_ref) if project_ref else None
            if project is None:
                found.append(Violation("project", "Project is invalid."))
            else:
                values["project"] = project["id"]
        elif values["project"] is None and values["work_package"] is not None:
            values["project"] = self.state.work_packages[values["work_package"]]["project"]
        if values["project"] is None:
            found.append(blank("project", "Project"))
        elif values["work_package"] is not None:
            if self.state.work_packages[values["work_package"]]["project"] != values["project"]:
                found.append(Violation("workPackage", "Work package is invalid."))
        activity_ref = _linked(links, "activity", "time_entries/activities")
        if activity_ref is not None:
            offered = {a["id"] for a in self.offered(values["project"])} if values["project"] else set()
            if not activity_ref.isdigit() or int(activity_ref) not in offered:
                found.append(not_allowed("activity", "Activity"))
            else:
                values["activity"] = int(activity_ref)
        user_ref = _linked(links, "user", "users")
        if user_ref is not None:
            user = int(user_ref) if user_ref.isdigit() else None
            if user is None or user not in {u.id for u in self.state.users}:
                found.append(Violation("user", "User is invalid."))
            elif user != actor and self._position(actor) != 0:
                raise forbidden()  # "Log time for other users" is the first user's only
            else:
                values["user"] = user
        return found

    # ------------------------------------------------------------------ versions

    def project_versions(self, project: int) -> list[Version]:
        own = [v for v in self.versions.values() if v["project"] == project]
        shared = [v for v in self.versions.values() if v["project"] != project and v["sharing"] == "system"]
        return sorted(own + shared, key=lambda v: (v["startDate"] is None, v["startDate"] or "", v["name"].lower()))

    def create_version(self, payload: Mapping[str, Any], actor: int) -> Version:
        if not self.may_manage_versions(actor):
            raise forbidden()
        found: list[Violation] = []
        raw_links = payload.get("_links")
        links: Mapping[str, Any] = raw_links if isinstance(raw_links, dict) else {}
        name = payload.get("name")
        project_ref = _linked(links, "definingProject", "projects")
        project = self.state.find_project(project_ref) if project_ref else None
        if project_ref is None:
            found.append(blank("definingProject", "Project"))
        elif project is None:
            found.append(Violation("definingProject", "Project is invalid."))
        if not isinstance(name, str) or not name.strip():
            found.append(blank("name", "Name"))
        elif len(name) > 60:
            found.append(Violation("name", "Name is too long (maximum is 60 characters)."))
        elif project is not None and any(
            v["project"] == project["id"] and v["name"].casefold() == name.strip().casefold()
            for v in self.versions.values()
        ):
            found.append(Violation("name", "Name has already been taken."))
        dates: dict[str, str | None] = {}
        for key, label in (("startDate", "Start date"), ("endDate", "Finish date")):
            value = payload.get(key)
            if value is not None and not (isinstance(value, str) and _is_date(value)):
                found.append(Violation(key, f"{label} is not a valid date.", "PropertyFormatError"))
            else:
                dates[key] = value
        if dates.get("startDate") and dates.get("endDate") and str(dates["endDate"]) < str(dates["startDate"]):
            found.append(Violation("endDate", "Finish date must be greater than start date."))
        status = payload.get("status", "open")
        if status not in VERSION_STATUSES:
            found.append(not_allowed("status", "Status"))
        sharing = payload.get("sharing", "none")
        if sharing not in VERSION_SHARINGS:
            found.append(not_allowed("sharing", "Sharing"))
        description = payload.get("description")
        raw = description.get("raw") if isinstance(description, dict) else description
        if found:
            raise violations(found)
        assert project is not None and isinstance(name, str)
        stamp = now()
        version = {
            "id": self._next_version,
            "project": project["id"],
            "name": name.strip(),
            "description": raw if isinstance(raw, str) else "",
            "startDate": dates.get("startDate"),
            "endDate": dates.get("endDate"),
            "status": status,
            "sharing": sharing,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        self._next_version += 1
        self.versions[version["id"]] = version
        return version


def _is_date(value: str) -> bool:
    if len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _linked(links: Mapping[str, Any], name: str, namespace: str) -> str | None:
    """The id (or identifier) a link names under ``/api/v3/<namespace>/``; "" for one that names nothing
    there; None when the link is absent."""
    if name not in links:
        return None
    link = links[name]
    href = link.get("href") if isinstance(link, dict) else None
    prefix = f"{API}/{namespace}/"
    if not isinstance(href, str) or not href.startswith(prefix):
        return ""
    ref = href[len(prefix) :].rstrip("/")
    return ref if ref and "/" not in ref else ""


_STORES: WeakKeyDictionary[Any, TimeStore] = WeakKeyDictionary()


def time_of(state: Any) -> TimeStore:
    """The time store that goes with a fake OpenProject's state (``OpenProjectState``), seeded on first use."""
    found = _STORES.get(state)
    if found is None:
        found = _STORES[state] = TimeStore(state)
    return found


__all__ = ["OpenProjectError", "TimeStore", "iso_duration", "parse_iso_hours", "time_of"]
