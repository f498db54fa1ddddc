"""Jira tools for projects, versions, components and fields."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AliasChoices, Field, field_validator

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers.jira import JiraClient
from passthrough.providers.jira._client import SEARCH_FIELDS
from passthrough.tools._render import present
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.jira._common import ProjectKey
from passthrough.tools.jira._render import brief, list_line, person

Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="A date, YYYY-MM-DD")]
VersionName = Annotated[str, Field(min_length=1, max_length=255, description="The version's name, e.g. 2.1")]
VersionText = Annotated[str, Field(max_length=16_384, description="Plain text")]
FieldId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$",
        max_length=100,
        description="A field id such as customfield_10010 or priority (see jira_search_fields)",
    ),
]
IssueTypeRef = Annotated[
    str, Field(min_length=1, max_length=100, description="Issue type id (from jira_get_issue_types), or its name")
]
BATCH_LIMIT = 50
SHOWN_VALUES = 15  # allowed values shown per field in text; structured content has them all


# ---------------------------------------------------------------------- versions


def version_row(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(v.get("id", "")),
        "name": v.get("name"),
        "description": v.get("description") or None,
        "released": bool(v.get("released")),
        "archived": bool(v.get("archived")),
        "start_date": v.get("startDate"),
        "release_date": v.get("releaseDate"),
        "overdue": v.get("overdue"),
        "project_id": str(v["projectId"]) if v.get("projectId") is not None else None,
    }


def version_line(r: dict[str, Any]) -> str:
    state = "archived" if r["archived"] else "released" if r["released"] else "unreleased"
    dates = " → ".join(d for d in (r["start_date"], r["release_date"]) if d)
    extra = [state] + ([dates] if dates else []) + (["overdue"] if r["overdue"] else [])
    text = f"- {r['name']} (id {r['id']}; {', '.join(extra)})"
    return text + (f": {r['description']}" if r["description"] else "")


class ProjectArguments(Arguments):
    project_key: ProjectKey


@tool("jira_get_project_versions", title="Jira: project versions", toolset="jira_projects")
async def get_project_versions(jira: JiraClient, args: ProjectArguments) -> ToolResult:
    """List a project's versions (fix versions / releases): id, name, released, archived, start and release
    dates. Use a version's id with jira_update_version."""
    rows = [version_row(v) for v in await jira.project_versions(args.project_key)]
    if not rows:
        return ToolResult(f"{args.project_key} has no versions.\n", {"project_key": args.project_key, "versions": []})
    lines = [f"{len(rows)} versions in {args.project_key}:"] + [version_line(r) for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"project_key": args.project_key, "versions": rows})


def version_body(
    name: str | None,
    description: str | None,
    start_date: str | None,
    release_date: str | None,
    released: bool | None,
    archived: bool | None,
) -> dict[str, Any]:
    """The version fields that were given, in Jira's names."""
    given = {
        "name": name,
        "description": description,
        "startDate": start_date,
        "releaseDate": release_date,
        "released": released,
        "archived": archived,
    }
    return present(given)


class CreateVersion(Arguments):
    project_key: ProjectKey
    name: VersionName
    start_date: Day | None = None
    release_date: Day | None = None
    description: VersionText | None = None
    archived: Annotated[bool, Field(description="Create it archived")] = False


@tool("jira_create_version", title="Jira: create a version", toolset="jira_projects", effect="create")
async def create_version(jira: JiraClient, args: CreateVersion) -> ToolResult:
    """Create a version (fix version / release) in a project, with optional start and release dates
    (YYYY-MM-DD) and a plain-text description; mark it released later with jira_update_version."""
    body = version_body(args.name, args.description, args.start_date, args.release_date, None, args.archived)
    row = version_row(await jira.create_version(args.project_key, body))
    return ToolResult(f"Created version in {args.project_key}:\n{version_line(row)}\n", {"version": row})


class NewVersion(Arguments):
    """One version of a batch; Jira's own names (startDate) and ours (start_date) are both accepted."""

    name: VersionName
    start_date: Annotated[Day | None, Field(validation_alias=AliasChoices("start_date", "startDate"))] = None
    release_date: Annotated[Day | None, Field(validation_alias=AliasChoices("release_date", "releaseDate"))] = None
    description: VersionText | None = None
    archived: bool = False


class BatchCreateVersions(Arguments):
    project_key: ProjectKey
    versions: Annotated[
        list[NewVersion],
        Field(
            min_length=1,
            max_length=BATCH_LIMIT,
            description=(
                "The versions to create, as a list (or a JSON array string) of objects: "
                '{"name": "2.1", "startDate": "2026-01-01", "releaseDate": "2026-02-01", "description": "…"}'
            ),
        ),
    ]

    @field_validator("versions", mode="before")
    @classmethod
    def _json_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise ValueError(f"versions is not a JSON array: {exc}") from None
        return value


@tool("jira_batch_create_versions", title="Jira: create several versions", toolset="jira_projects", effect="create")
async def batch_create_versions(jira: JiraClient, args: BatchCreateVersions) -> ToolResult:
    """Create up to 50 versions in a project, one after another; each gets its own result, so one refused
    version (a duplicate name, a bad date) does not stop the others."""
    results: list[dict[str, Any]] = []
    for index, item in enumerate(args.versions):
        body = version_body(item.name, item.description, item.start_date, item.release_date, None, item.archived)
        try:
            created = await jira.create_version(args.project_key, body)
        except UpstreamError as exc:
            results.append({"index": index, "name": item.name, "success": False, "error": exc.message})
            continue
        results.append({"index": index, "name": item.name, "success": True, "version": version_row(created)})
    done = sum(1 for r in results if r["success"])
    lines = [f"Created {done} of {len(results)} versions in {args.project_key}:"]
    for r in results:
        lines.append(version_line(r["version"]) if r["success"] else f"- {r['name']}: not created — {r['error']}")
    structured = {"project_key": args.project_key, "created": done, "failed": len(results) - done, "results": results}
    return ToolResult("\n".join(lines) + "\n", structured)


class UpdateVersion(Arguments):
    version_id: Annotated[str, Field(pattern=r"^[0-9]{1,18}$", description="The version's numeric id")]
    name: VersionName | None = None
    description: VersionText | None = None
    start_date: Day | None = None
    release_date: Day | None = None
    archived: bool | None = None
    released: bool | None = None


@tool("jira_update_version", title="Jira: update a version", toolset="jira_projects", effect="update")
async def update_version(jira: JiraClient, args: UpdateVersion) -> ToolResult:
    """Change a version: rename it, reword its description, move its dates, mark it released or archived.
    Only the values given change."""
    body = version_body(args.name, args.description, args.start_date, args.release_date, args.released, args.archived)
    if not body:
        raise InvalidArguments(
            "Nothing to change: give at least one of name, description, start_date, release_date, released, archived"
        )
    row = version_row(await jira.update_version(args.version_id, body))
    changed = ", ".join(sorted(body))
    return ToolResult(
        f"Updated version {row['id']} ({changed}):\n{version_line(row)}\n", {"version": row, "changed": sorted(body)}
    )


# ---------------------------------------------------------------------- components, projects, issues


@tool("jira_get_project_components", title="Jira: project components", toolset="jira_projects")
async def get_project_components(jira: JiraClient, args: ProjectArguments) -> ToolResult:
    """List a project's components: id, name, description and component lead."""
    rows = [
        {
            "id": str(c.get("id", "")),
            "name": c.get("name"),
            "description": c.get("description") or None,
            "lead": person(c.get("lead")),
            "assignee_type": c.get("assigneeType"),
        }
        for c in await jira.project_components(args.project_key)
    ]
    if not rows:
        return ToolResult(
            f"{args.project_key} has no components.\n", {"project_key": args.project_key, "components": []}
        )
    lines = [f"{len(rows)} components in {args.project_key}:"]
    for r in rows:
        lead = f", lead {r['lead']}" if r["lead"] else ""
        lines.append(f"- {r['name']} (id {r['id']}{lead})" + (f": {r['description']}" if r["description"] else ""))
    return ToolResult("\n".join(lines) + "\n", {"project_key": args.project_key, "components": rows})


class SearchProjects(Arguments):
    query: Annotated[str, Field(max_length=255, description="Part of a project's name, or the start of its key")]
    max_results: Annotated[int, Field(ge=1, le=50, description="Most projects to return")] = 20
    current_project_ids: Annotated[
        str | None,
        Field(pattern=r"^[0-9, ]{0,2000}$", description="Comma-separated project ids to leave out"),
    ] = None


@tool("jira_search_projects", title="Jira: find projects", toolset="jira_projects")
async def search_projects(jira: JiraClient, args: SearchProjects) -> ToolResult:
    """Find projects by part of their name or the start of their key, without listing every project."""
    exclude = [p.strip() for p in (args.current_project_ids or "").split(",") if p.strip()]
    # Cloud's project search cannot leave projects out: ask for as many more as are to be dropped
    wanted = min(100, args.max_results + len(exclude)) if jira.cloud else args.max_results
    found = await jira.find_projects(args.query, wanted, exclude)
    rows = [
        {"key": str(p.get("key", "")).upper(), "name": p.get("name"), "id": str(p.get("id", ""))}
        for p in found
        if str(p.get("id", "")) not in exclude
    ][: args.max_results]
    structured = {"query": args.query, "projects": rows}
    if not rows:
        return ToolResult(f"No project matches {args.query!r}.\n", structured)
    lines = [f"{len(rows)} projects match {args.query!r}:"] + [
        f"- {r['key']} — {r['name']} (id {r['id']})" for r in rows
    ]
    return ToolResult("\n".join(lines) + "\n", structured)


class ProjectIssues(Arguments):
    project_key: ProjectKey
    limit: Annotated[
        int, Field(ge=1, le=50, validation_alias=AliasChoices("limit", "max_results"), description="Issues per page")
    ] = 10
    start_at: Annotated[int, Field(ge=0, le=1000, description="How many issues to skip (0-based)")] = 0
    page_token: Annotated[
        str | None, Field(max_length=2000, description="next_page_token of the last page (instead of start_at)")
    ] = None


async def _skip(jira: JiraClient, jql: str, count: int) -> str | None:
    """Cloud pages by token only: the token after the first `count` issues (None if there are no more)."""
    token: str | None = None
    skipped = 0
    while skipped < count:
        page = await jira.search(jql, min(100, count - skipped), token, "id")
        skipped += len(page.issues)
        token = page.next_page_token
        if not token or not page.issues:
            return None
    return token


@tool("jira_get_project_issues", title="Jira: issues of a project", toolset="jira_issues")
async def get_project_issues(jira: JiraClient, args: ProjectIssues) -> ToolResult:
    """List a project's issues, newest first, one page at a time (limit, then start_at or page_token)."""
    jql = f'project = "{args.project_key}" ORDER BY created DESC'
    token = args.page_token
    structured: dict[str, Any] = {"project_key": args.project_key}
    if token is None and args.start_at:
        token = await _skip(jira, jql, args.start_at) if jira.cloud else str(args.start_at)
        if token is None:
            structured.update({"issues": [], "next_page_token": None})
            return ToolResult(f"{args.project_key} has no more than {args.start_at} issues.\n", structured)
    page = await jira.search(jql, args.limit, token, SEARCH_FIELDS)
    rows = [brief(issue, jira) for issue in page.issues]
    structured.update({"issues": rows, "next_page_token": page.next_page_token})
    if page.total is not None:
        structured["total"] = page.total
    if not rows:
        more = " more" if token else ""
        return ToolResult(f"No{more} issues in {args.project_key}.\n", structured)
    of = f" of {page.total}" if page.total is not None else ""
    lines = [f"{len(rows)}{of} issues in {args.project_key}, newest first:"] + [list_line(r) for r in rows]
    if page.next_page_token:
        lines += ["", f'More: call jira_get_project_issues with page_token="{page.next_page_token}".']
    return ToolResult("\n".join(lines) + "\n", structured)


# ---------------------------------------------------------------------- fields and create metadata


def allowed_value(v: Any) -> dict[str, Any]:
    """An allowed value of create metadata (an option, a version, a priority …) as id and value."""
    if not isinstance(v, dict):
        return {"id": None, "value": v}
    row: dict[str, Any] = {"id": str(v["id"]) if v.get("id") is not None else None}
    row["value"] = v.get("value") or v.get("name") or v.get("key")
    if v.get("disabled"):
        row["disabled"] = True
    children = v.get("children")
    if isinstance(children, list) and children:
        row["children"] = [allowed_value(c) for c in children]
    return row


def _schema(source: dict[str, Any]) -> dict[str, Any]:
    schema = source.get("schema")
    return schema if isinstance(schema, dict) else {}


def create_field_row(entry: dict[str, Any]) -> dict[str, Any]:
    schema = _schema(entry)
    row: dict[str, Any] = {
        "field_id": entry.get("fieldId") or entry.get("key"),
        "name": entry.get("name"),
        "required": bool(entry.get("required")),
        "type": schema.get("type"),
        "items": schema.get("items"),
        "custom": schema.get("custom"),
        "has_default": bool(entry.get("hasDefaultValue")),
    }
    if isinstance(entry.get("allowedValues"), list):
        row["allowed_values"] = [allowed_value(v) for v in entry["allowedValues"]]
    return present(row) | {"required": row["required"], "has_default": row["has_default"]}


def create_field_line(r: dict[str, Any]) -> str:
    kind = r.get("type") or "?"
    if r.get("items"):
        kind += f" of {r['items']}"
    text = f"- {r['name']} (`{r['field_id']}`, {kind})"
    values = r.get("allowed_values")
    if values:
        names = [str(v["value"]) for v in values[:SHOWN_VALUES]]
        more = f", … {len(values) - SHOWN_VALUES} more" if len(values) > SHOWN_VALUES else ""
        text += f": {', '.join(names)}{more}"
    return text


async def issue_type_id(jira: JiraClient, project_key: str, ref: str) -> tuple[str, str | None]:
    """The id of an issue type given by id or name (and its name, when a lookup found it)."""
    if ref.isdigit():
        return ref, None
    types = await jira.issue_types(project_key)
    found = next((t for t in types if str(t.get("name", "")).lower() == ref.lower()), None)
    if found is None:
        names = ", ".join(str(t.get("name")) for t in types)
        raise InvalidArguments(f"{project_key} has no issue type {ref!r}; it has: {names}")
    return str(found.get("id")), str(found.get("name"))


class CreateFields(Arguments):
    project_key: ProjectKey
    issue_type_id: Annotated[IssueTypeRef, Field(validation_alias=AliasChoices("issue_type_id", "issue_type"))]


@tool("jira_get_create_fields", title="Jira: fields to create an issue", toolset="jira_projects")
async def get_create_fields(jira: JiraClient, args: CreateFields) -> ToolResult:
    """What creating an issue of one type in one project takes: every field it can set, which are required,
    their types and allowed values (options, versions, components, priorities)."""
    type_id, type_name = await issue_type_id(jira, args.project_key, args.issue_type_id)
    rows = [create_field_row(e) for e in await jira.create_meta(args.project_key, type_id)]
    if type_name is None:  # given by id: the issue type field allows just this one
        own = next((r for r in rows if r["field_id"] == "issuetype"), {})
        type_name = next((str(v["value"]) for v in own.get("allowed_values") or [] if v.get("value")), None)
    label = f"{type_name} (issue type {type_id})" if type_name else f"issue of type {type_id}"
    required = [r for r in rows if r["required"]]
    optional = [r for r in rows if not r["required"]]
    lines = [f"To create a {label} in {args.project_key}: {len(rows)} fields, {len(required)} required."]
    if required:
        lines += ["", "Required:"] + [create_field_line(r) for r in required]
    if optional:
        lines += ["", "Optional:"] + [create_field_line(r) for r in optional]
    structured = {"project_key": args.project_key, "issue_type_id": type_id, "fields": rows}
    return ToolResult("\n".join(lines) + "\n", structured)


@tool("jira_get_project_fields", title="Jira: fields of a project's issues", toolset="jira_projects")
async def get_project_fields(jira: JiraClient, args: ProjectArguments) -> ToolResult:
    """The fields a project's issues have, across all its issue types (from create metadata): id, name,
    type, whether it is custom, on which issue types it appears and where it is required."""
    merged: dict[str, dict[str, Any]] = {}
    type_names: list[str] = []
    for issue_type in (await jira.issue_types(args.project_key))[:50]:
        type_id, type_name = str(issue_type.get("id", "")), str(issue_type.get("name", ""))
        if not type_id:
            continue
        type_names.append(type_name)
        for entry in await jira.create_meta(args.project_key, type_id):
            row = create_field_row(entry)
            field_id = row.get("field_id")
            if not field_id:
                continue
            merged_row = merged.setdefault(
                field_id,
                {
                    "field_id": field_id,
                    "name": row.get("name"),
                    "type": row.get("type"),
                    "custom": str(field_id).startswith("customfield_"),
                    "issue_types": [],
                    "required_in": [],
                },
            )
            merged_row["issue_types"].append(type_name)
            if row["required"]:
                merged_row["required_in"].append(type_name)
    rows = list(merged.values())
    lines = [f"{len(rows)} fields on issues of {args.project_key}:"]
    for r in rows:
        where = "all issue types" if len(r["issue_types"]) == len(type_names) else ", ".join(r["issue_types"])
        req = f"; required in {', '.join(r['required_in'])}" if r["required_in"] else ""
        custom = ", custom" if r["custom"] else ""
        lines.append(f"- {r['name']} (`{r['field_id']}`, {r['type']}{custom}) — {where}{req}")
    return ToolResult("\n".join(lines) + "\n", {"project_key": args.project_key, "fields": rows})


class SearchFields(Arguments):
    keyword: Annotated[
        str, Field(max_length=255, description="Part of a field's name or id; empty lists the first fields")
    ] = ""
    limit: Annotated[int, Field(ge=1, le=200, description="Most fields to return")] = 10
    refresh: Annotated[
        bool, Field(description="Read the field list afresh, not this user's copy (kept up to 10 minutes)")
    ] = False


def _match_rank(field: dict[str, Any], needle: str) -> int | None:
    """How well a field matches: exact, prefix, part of the name or id, letters in order; None: not at all."""
    name, ident = str(field.get("name", "")).lower(), str(field.get("id", "")).lower()
    if needle in (name, ident):
        return 0
    if name.startswith(needle):
        return 1
    if needle in name or needle in ident:
        return 2
    letters = iter(name)
    return 3 if all(ch in letters for ch in needle if not ch.isspace()) else None


@tool("jira_search_fields", title="Jira: find fields", toolset="jira_fields")
async def search_fields(jira: JiraClient, args: SearchFields) -> ToolResult:
    """Find Jira fields (system and custom) by name or id, best matches first: the id to use in
    jira_update_issue, jira_search (JQL) or jira_get_field_options, with the field's type."""
    catalog = await jira.field_catalog(refresh=args.refresh)
    needle = args.keyword.lower().strip()
    if needle:
        ranked = [(rank, i, f) for i, f in enumerate(catalog) if (rank := _match_rank(f, needle)) is not None]
        found = [f for _, _, f in sorted(ranked, key=lambda t: (t[0], t[1]))]
    else:
        found = list(catalog)
    rows = []
    for f in found[: args.limit]:
        schema = _schema(f)
        rows.append(
            present(
                {
                    "id": f.get("id"),
                    "name": f.get("name"),
                    "custom": bool(f.get("custom")),
                    "type": schema.get("type"),
                    "items": schema.get("items"),
                    "custom_type": schema.get("custom"),
                    "clause_names": f.get("clauseNames"),
                }
            )
        )
    structured = {"keyword": args.keyword, "fields": rows, "matched": len(found)}
    if not rows:
        return ToolResult(f"No field matches {args.keyword!r}.\n", structured)
    head = f"{len(rows)} of {len(found)} fields" + (f" matching {args.keyword!r}" if needle else "") + ":"
    lines = [head]
    for r in rows:
        kind = (r.get("type") or "?") + (f" of {r['items']}" if r.get("items") else "")
        lines.append(f"- {r['name']} (`{r['id']}`, {kind}{', custom' if r['custom'] else ''})")
    return ToolResult("\n".join(lines) + "\n", structured)


class FieldOptions(Arguments):
    field_id: FieldId
    context_id: Annotated[
        str | None, Field(pattern=r"^[0-9]{1,18}$", description="The field context's id (Cloud; default: global)")
    ] = None
    project_key: Annotated[
        ProjectKey | None, Field(description="With issue_type: the options create metadata allows there")
    ] = None
    issue_type: Annotated[IssueTypeRef | None, Field(description="Issue type name or id, with project_key")] = None
    contains: Annotated[
        str | None, Field(max_length=255, description="Only options whose value (or a child's) contains this")
    ] = None
    return_limit: Annotated[int | None, Field(ge=1, le=1000, description="Most options to return")] = None
    values_only: Annotated[bool, Field(description="Structured content lists only the values")] = False


def _option_rows(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cloud's flat option list (children name their parent with optionId) as a tree."""
    parents = [allowed_value(o) for o in options if not o.get("optionId")]
    by_id = {p["id"]: p for p in parents}
    for o in options:
        parent = by_id.get(str(o.get("optionId"))) if o.get("optionId") else None
        if parent is not None:
            parent.setdefault("children", []).append(allowed_value(o))
    return parents


def _contains(row: dict[str, Any], needle: str) -> bool:
    texts = [row.get("value")] + [c.get("value") for c in row.get("children") or []]
    return any(needle in str(t).lower() for t in texts if t is not None)


async def _options(jira: JiraClient, args: FieldOptions) -> tuple[list[dict[str, Any]], str]:
    """The field's options and where they came from."""
    if args.project_key and args.issue_type and not args.context_id:
        type_id, _ = await issue_type_id(jira, args.project_key, args.issue_type)
        entries = await jira.create_meta(args.project_key, type_id)
        entry = next((e for e in entries if (e.get("fieldId") or e.get("key")) == args.field_id), None)
        if entry is None:
            raise InvalidArguments(
                f"{args.field_id} is not a field of {args.issue_type} issues in {args.project_key} "
                "(see jira_get_create_fields)"
            )
        values = entry.get("allowedValues")
        if not isinstance(values, list):
            raise InvalidArguments(f"{args.field_id} takes free values in {args.project_key}: it has no options")
        return [allowed_value(v) for v in values], f"{args.project_key} / {args.issue_type}"
    if not jira.cloud:
        kind = "Field contexts are Jira Cloud's; on" if args.context_id else "On"
        raise InvalidArguments(
            f"{kind} Jira Server/Data Center a field's options come from create metadata: "
            "give project_key and issue_type"
        )
    context = args.context_id
    if context is None:
        contexts = await jira.field_contexts(args.field_id)
        if not contexts:
            raise InvalidArguments(f"{args.field_id} has no field context, so it has no options")
        chosen = next((c for c in contexts if c.get("isGlobalContext")), contexts[0])
        context = str(chosen.get("id"))
    return _option_rows(await jira.field_context_options(args.field_id, context)), f"context {context}"


@tool("jira_get_field_options", title="Jira: a field's allowed options", toolset="jira_fields")
async def get_field_options(jira: JiraClient, args: FieldOptions) -> ToolResult:
    """The values a select, multi-select, radio, checkbox or cascading field allows. On Cloud from the
    field's context (the global one unless context_id); with project_key and issue_type (required on
    Server/Data Center) from that project's create metadata, which also covers versions and components."""
    rows, source = await _options(jira, args)
    if args.contains:
        needle = args.contains.lower()
        rows = [r for r in rows if _contains(r, needle)]
    if args.return_limit is not None:
        rows = rows[: args.return_limit]
    lines = [f"{len(rows)} options of {args.field_id} ({source}):" if rows else f"No options of {args.field_id} match."]
    for r in rows:
        children = r.get("children") or []
        suffix = f" → {', '.join(str(c['value']) for c in children)}" if children else ""
        lines.append(f"- {r['value']} (id {r['id']}){' (disabled)' if r.get('disabled') else ''}{suffix}")
    options: list[Any] = rows
    if args.values_only:
        options = [
            {"value": r["value"], "children": [c["value"] for c in r["children"]]} if r.get("children") else r["value"]
            for r in rows
        ]
    return ToolResult("\n".join(lines) + "\n", {"field_id": args.field_id, "source": source, "options": options})
