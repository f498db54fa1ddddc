"""How the fake Jira renders versions, components, fields and their create metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._project_meta_state import CREATE_FIELDS, Component, Field, Version

if TYPE_CHECKING:
    from ._render import JiraRenderer


def version(r: JiraRenderer, version: Version) -> dict[str, Any]:
    project = r.state.projects[version["project"]]
    body: dict[str, Any] = {"self": f"{r.api}/version/{version['id']}", "id": version["id"]}
    if version["description"]:
        body["description"] = version["description"]
    body.update({"name": version["name"], "archived": version["archived"], "released": version["released"]})
    for name in ("startDate", "releaseDate"):
        if version[name]:
            body[name] = version[name]
    if version["releaseDate"] and not version["released"]:
        body["overdue"] = version["releaseDate"] < "2026-01-15"
    body["projectId"] = int(project.id)
    if not r.cloud:
        body["project"] = project.key
    return body


def component(r: JiraRenderer, component: Component) -> dict[str, Any]:
    project = r.state.projects[component.project]
    body: dict[str, Any] = {
        "self": f"{r.api}/component/{component.id}",
        "id": component.id,
        "name": component.name,
        "description": component.description,
    }
    if component.lead is not None and component.lead < len(r.state.users):
        body["lead"] = r.user(r.state.users[component.lead].name)
    body.update(
        {
            "assigneeType": "PROJECT_DEFAULT",
            "realAssigneeType": "PROJECT_DEFAULT",
            "isAssigneeTypeValid": False,
            "project": project.key,
            "projectId": int(project.id),
        }
    )
    return body


def field_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": field.kind}
    if field.items:
        schema["items"] = field.items
    if field.custom:
        schema.update({"custom": field.custom, "customId": int(field.id.removeprefix("customfield_"))})
    else:
        schema["system"] = field.id
    return schema


def field(r: JiraRenderer, field: Field) -> dict[str, Any]:
    clause = [field.id, f"cf[{field.id.removeprefix('customfield_')}]", field.name] if field.is_custom else [field.id]
    body: dict[str, Any] = {"id": field.id, "name": field.name, "custom": field.is_custom}
    if r.cloud:
        body["key"] = field.id
        body["untranslatedName"] = field.name
    body.update(
        {
            "orderable": field.id not in ("status", "created", "updated"),
            "navigable": True,
            "searchable": True,
            "clauseNames": clause,
            "schema": field_schema(field),
        }
    )
    return body


def create_field_entries(r: JiraRenderer, project_key: str) -> list[dict[str, Any]]:
    """The create metadata of the fields beyond the fake's core ones, with their allowed values."""
    project = r.state.projects[project_key]
    entries = []
    for ref in CREATE_FIELDS:
        found = r.state.project_meta.field(ref)
        assert found is not None
        field = found
        allowed: list[dict[str, Any]] | None = None
        if field.id == "components":
            allowed = [component(r, c) for c in r.state.project_meta.project_components(project)]
        elif field.id == "fixVersions":
            allowed = [version(r, v) for v in r.state.project_meta.project_versions(project) if not v["archived"]]
        elif field.options:
            allowed = [
                {"self": f"{r.api}/customFieldOption/{oid}", "value": value, "id": oid} for oid, value in field.options
            ]
        entry: dict[str, Any] = {
            "required": False,
            "schema": field_schema(field),
            "name": field.name,
            "fieldId": field.id,
            "hasDefaultValue": False,
            "operations": ["add", "set", "remove"] if field.kind == "array" else ["set"],
        }
        if r.cloud:
            entry["key"] = field.id
        if allowed is not None:
            entry["allowedValues"] = allowed
        entries.append(entry)
    return entries
