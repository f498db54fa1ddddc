"""The fake Jira's versions, components and custom fields (no HTTP here).

Versions are stored as dicts in Jira's own terms (``startDate``/``releaseDate`` as ``yyyy-MM-dd``); the
field catalog is what ``GET /field`` lists; custom select fields carry their options (one global context
each on Cloud, ``allowedValues`` in create metadata on Server/DC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ._data import Project
from ._errors import JiraError, field_errors

Version = dict[str, Any]
DATE_FORMAT_ERROR = 'Invalid date format. Please enter the date in the format "yyyy-MM-dd".'


@dataclass(frozen=True)
class Component:
    id: str
    project: str  # key
    name: str
    description: str
    lead: int | None  # index into the users, or none


@dataclass(frozen=True)
class Field:
    """A field as ``GET /field`` lists it; ``options`` only for custom select fields."""

    id: str
    name: str
    kind: str  # schema type
    custom: str | None = None  # the custom field type's key
    items: str | None = None  # schema items, for arrays
    options: tuple[tuple[str, str], ...] = ()  # (option id, value)

    @property
    def is_custom(self) -> bool:
        return self.id.startswith("customfield_")

    @property
    def context_id(self) -> str:
        return f"1{self.id.removeprefix('customfield_')}"


_PLUGIN = "com.atlassian.jira.plugin.system.customfieldtypes"
FIELDS = (
    Field("summary", "Summary", "string"),
    Field("description", "Description", "string"),
    Field("issuetype", "Issue Type", "issuetype"),
    Field("project", "Project", "project"),
    Field("status", "Status", "status"),
    Field("priority", "Priority", "priority"),
    Field("assignee", "Assignee", "user"),
    Field("reporter", "Reporter", "user"),
    Field("labels", "Labels", "array", items="string"),
    Field("components", "Components", "array", items="component"),
    Field("fixVersions", "Fix versions", "array", items="version"),
    Field("duedate", "Due date", "date"),
    Field("created", "Created", "datetime"),
    Field("updated", "Updated", "datetime"),
    Field(
        "customfield_10010",
        "Team",
        "option",
        f"{_PLUGIN}:select",
        options=(("10100", "Platform"), ("10101", "Mobile"), ("10102", "Web")),
    ),
    Field(
        "customfield_10011",
        "Severity",
        "option",
        f"{_PLUGIN}:select",
        options=(("10110", "Critical"), ("10111", "Major"), ("10112", "Minor"), ("10113", "Trivial")),
    ),
    Field(
        "customfield_10012",
        "Environments",
        "array",
        f"{_PLUGIN}:multiselect",
        items="option",
        options=(("10120", "Production"), ("10121", "Staging"), ("10122", "Development")),
    ),
    Field("customfield_10013", "Story Points", "number", f"{_PLUGIN}:float"),
)
CREATE_FIELDS = ("components", "fixVersions", "duedate", "customfield_10010", "customfield_10011", "customfield_10012")
"""The fields create metadata offers beyond the fake's core ones, none required."""

_COMPONENTS = (
    Component("10000", "DEMO", "Backend", "Services behind the public API", 0),
    Component("10001", "DEMO", "Frontend", "The web client", 1),
    Component("10002", "DEMO", "API", "The public REST API and its documentation", None),
    Component("10003", "OPS", "Infrastructure", "Servers, networks and backups", 0),
)
_VERSIONS = (
    ("DEMO", "1.0", "First public release", "2025-10-01", "2025-12-01", True, True),
    ("DEMO", "1.1", "Bug fixes and small features", "2025-12-02", "2026-01-10", True, False),
    ("DEMO", "2.0", "Billing and the new dashboard", "2026-01-12", "2026-03-31", False, False),
    ("OPS", "2026.1", "First maintenance window of the year", None, "2026-02-15", False, False),
)


def _day(value: object, name: str, errors: dict[str, str]) -> str | None:
    """A ``yyyy-MM-dd`` date from a body (none for null or empty); anything else is Jira's field error."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    errors[name] = DATE_FORMAT_ERROR
    return None


class ProjectMetaState:
    """Versions and components by project, and the field catalog; part of ``JiraState`` (``state.project_meta``)."""

    def __init__(self, projects: Mapping[str, Project]) -> None:
        self._projects = projects
        self.versions: dict[str, Version] = {}
        self.components = list(_COMPONENTS)
        self.fields: tuple[Field, ...] = FIELDS
        self._next_version_id = 10000
        for key, name, description, start, release, released, archived in _VERSIONS:
            self._store(self._projects[key], name, description, start, release, released, archived)

    def _store(
        self,
        project: Project,
        name: str,
        description: str | None,
        start: str | None,
        release: str | None,
        released: bool,
        archived: bool,
    ) -> Version:
        version: Version = {
            "id": str(self._next_version_id),
            "project": project.key,
            "name": name,
            "description": description,
            "startDate": start,
            "releaseDate": release,
            "released": released,
            "archived": archived,
        }
        self._next_version_id += 1
        self.versions[version["id"]] = version
        return version

    # ------------------------------------------------------------------ lookups

    def project_versions(self, project: Project) -> list[Version]:
        return [v for v in self.versions.values() if v["project"] == project.key]

    def project_components(self, project: Project) -> list[Component]:
        return [c for c in self.components if c.project == project.key]

    def version(self, ref: str) -> Version:
        version = self.versions.get(ref)
        if version is None:
            raise JiraError(404, [f"Could not find version for id '{ref}'"])
        return version

    def field(self, ref: str) -> Field | None:
        return next((f for f in self.fields if f.id == ref or (f.is_custom and f.id == f"customfield_{ref}")), None)

    # ------------------------------------------------------------------ writes

    def create_version(self, body: Mapping[str, Any], find_project: Any, *, cloud: bool) -> Version:
        """Cloud names the project by ``projectId`` and ignores ``released``; Server/DC also takes ``project``
        (the key) and creates released versions."""
        errors: dict[str, str] = {}
        ref = body.get("projectId") if cloud else body.get("project", body.get("projectId"))
        project = find_project(str(ref)) if ref is not None else None
        if project is None:
            errors["projectId" if cloud else "project"] = "Project must be specified to create a version."
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            errors["name"] = "You must specify a valid version name"
        elif project is not None and any(
            v["name"].lower() == name.strip().lower() for v in self.project_versions(project)
        ):
            errors["name"] = "A version with this name already exists in this project."
        start = _day(body.get("startDate"), "startDate", errors)
        release = _day(body.get("releaseDate"), "releaseDate", errors)
        if start and release and start > release:
            errors["startDate"] = "The start date of the version must be before its release date."
        if errors:
            raise field_errors(errors)
        assert project is not None and isinstance(name, str)
        description = body.get("description")
        return self._store(
            project,
            name.strip(),
            description if isinstance(description, str) else None,
            start,
            release,
            False if cloud else bool(body.get("released", False)),
            bool(body.get("archived", False)),
        )

    def update_version(self, version: Version, body: Mapping[str, Any]) -> Version:
        errors: dict[str, str] = {}
        draft = dict(version)
        if "name" in body:
            name = body["name"]
            if not isinstance(name, str) or not name.strip():
                errors["name"] = "You must specify a valid version name"
            else:
                others = [v for v in self.versions.values() if v["project"] == version["project"] and v is not version]
                if any(v["name"].lower() == name.strip().lower() for v in others):
                    errors["name"] = "A version with this name already exists in this project."
                draft["name"] = name.strip()
        if "description" in body:
            draft["description"] = body["description"] if isinstance(body["description"], str) else None
        for name in ("startDate", "releaseDate"):
            if name in body:
                draft[name] = _day(body[name], name, errors)
        for name in ("released", "archived"):
            if name in body:
                if not isinstance(body[name], bool):
                    errors[name] = f"The value of '{name}' must be true or false."
                else:
                    draft[name] = body[name]
        if draft["startDate"] and draft["releaseDate"] and draft["startDate"] > draft["releaseDate"]:
            errors["startDate"] = "The start date of the version must be before its release date."
        if errors:
            raise field_errors(errors)
        version.update(draft)
        return version
