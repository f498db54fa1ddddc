"""OpenProject tools for time entries (durations as people write them) and versions.

Durations: `parse_duration` (passthrough/tools/_durations.py, shared with ClickUp) reads what people
write (`1h 30m`, `90m`, `1.5h`, `2h`, `45 min`, `1:30`, a bare `1.5` meaning hours, or ISO 8601
`PT1H30M`) in one left-to-right pass with no regular expression, into whole minutes, and refuses what is
ambiguous (`1h 30`, days), zero, or more than 24 hours for one entry. OpenProject takes and gives
ISO 8601 (`PT1H30M`); answers show `1h 30m`.

Facts: time entries carry no lockVersion in API v3 (their representer has none), so an update reads the
entry first and answers what it was and what it is; should an instance ever send a lockVersion, the
update carries it and a conflict is handled as for work packages (re-read once, retry only when the
fields changed are untouched). The activities a project offers come from the create form, per user and
project (a project may switch activities off; a user may be unable to log time there), cached per user.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field, model_validator

from passthrough.errors import InvalidArguments, ToolError, UpstreamError
from passthrough.providers.openproject import OpenProjectClient, elements, href_id
from passthrough.tools._durations import EXAMPLES, iso_minutes, parse_duration, render_minutes, to_iso
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.openproject._common import ProjectRef, WorkPackageId, current_value

TIME = "openproject_time"
"""The toolset of the time entry tools."""
PROJECTS = "openproject_projects"
"""The toolset of the project tools (versions belong to a project)."""


def _minutes_of(hours: Any) -> int | None:
    """An entry's `hours` as OpenProject sends it (ISO 8601; a number of hours from older instances)."""
    if isinstance(hours, int | float) and not isinstance(hours, bool):
        return round(hours * 60)
    if isinstance(hours, str) and hours.strip():
        try:
            return int(iso_minutes(hours).to_integral_value())
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------------- argument types


def _ref(*names: str) -> Any:
    """Our argument name first, then the peer's (pinealctx/openproject-mcp's camelCase, `id`)."""
    return Field(validation_alias=AliasChoices(*names))


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            if len(value) != 10:
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value[:40]}' is not a date as YYYY-MM-DD, e.g. 2026-12-24") from None
    return value


def _checked(value: str) -> str:
    parse_duration(value)
    return value


Project = Annotated[ProjectRef, BeforeValidator(_text)]
Day = Annotated[str, BeforeValidator(_iso_date), Field(max_length=10, description="A date, YYYY-MM-DD")]
Duration = Annotated[
    str,
    BeforeValidator(_text),
    Field(min_length=1, max_length=160, description=f"Time spent as people write it, {EXAMPLES}, or PT1H30M"),
    AfterValidator(_checked),
]
Person = Annotated[
    str,
    BeforeValidator(_text),
    Field(min_length=1, max_length=100, description="'me', a login, a name, or a user id"),
]
ActivityRef = Annotated[
    str,
    BeforeValidator(_text),
    Field(min_length=1, max_length=100, description="Activity name (e.g. Development) or id"),
]
Comment = Annotated[str, Field(max_length=1000, description="What the time was spent on (plain text/Markdown)")]
EntryId = Annotated[int, Field(ge=1, le=2**31 - 1, description="Time entry id, e.g. 12")]
PageSize = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, Field(ge=1, le=100_000, description="Page number, starting at 1")]


# ---------------------------------------------------------------------- lookups


async def _project_of_wp(client: OpenProjectClient, wp_id: int) -> tuple[dict[str, Any], str]:
    wp = await client.work_package(wp_id)
    project_id = href_id((wp.get("_links") or {}).get("project"))
    if not project_id:
        raise ToolError(f"Work package #{wp_id} names no project.")
    return wp, project_id


def _allowed(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The activities a create form's schema offers: `{id, name, default}` each."""
    field = ((form.get("_embedded") or {}).get("schema") or {}).get("activity") or {}
    embedded = (field.get("_embedded") or {}).get("allowedValues")
    if isinstance(embedded, list) and embedded:
        return [
            {"id": a.get("id"), "name": a.get("name"), "default": bool(a.get("default"))}
            for a in embedded
            if isinstance(a, dict)
        ]
    links = (field.get("_links") or {}).get("allowedValues")
    rows = []
    for link in links if isinstance(links, list) else []:
        ident = href_id(link)
        rows.append(
            {"id": int(ident) if ident and ident.isdigit() else ident, "name": link.get("title"), "default": False}
        )
    return rows


def _form_problem(form: dict[str, Any]) -> str | None:
    errors = (form.get("_embedded") or {}).get("validationErrors") or {}
    found = errors.get("project") if isinstance(errors, dict) else None
    return str(found.get("message")) if isinstance(found, dict) and found.get("message") else None


async def _activities(client: OpenProjectClient, project_id: str, label: str) -> list[dict[str, Any]]:
    form = await client.time_activities(project_id)
    rows = _allowed(form)
    if not rows:
        problem = _form_problem(form)
        why = f" ({problem})" if problem else ""
        raise InvalidArguments(f"This user cannot log time in project {label}{why}; no activity is offered there.")
    return rows


async def _activity(client: OpenProjectClient, project_id: str, label: str, ref: str) -> dict[str, Any]:
    rows = await _activities(client, project_id, label)
    wanted = ref.strip().casefold()
    for row in rows:
        if str(row["id"]) == ref.strip() or str(row["name"] or "").casefold() == wanted:
            return row
    names = ", ".join(str(r["name"]) for r in rows)
    raise InvalidArguments(f"No time entry activity '{ref}' in project {label}. Offered there: {names}.")


def _activity_href(client: OpenProjectClient, activity_id: Any) -> str:
    return f"{client.api}/time_entries/activities/{activity_id}"


async def _user_id(client: OpenProjectClient, ref: str) -> str:
    """A user's id from 'me', an id, a login or a name: the people family's resolver, cached per user."""
    return str((await client.principal(ref))["id"])


# ---------------------------------------------------------------------- rendering


def _link(links: dict[str, Any], name: str) -> dict[str, Any] | None:
    link = links.get(name)
    if not isinstance(link, dict) or not link.get("href"):
        return None
    ident = href_id(link)
    return {"id": int(ident) if ident and ident.isdigit() else ident, "name": link.get("title")}


def _entry(data: dict[str, Any]) -> dict[str, Any]:
    links = data.get("_links") or {}
    wp = _link(links, "entity") if "work_packages/" in str((links.get("entity") or {}).get("href")) else None
    minutes = _minutes_of(data.get("hours"))
    comment = data.get("comment")
    return {
        "id": data.get("id"),
        "spent_on": data.get("spentOn"),
        "hours": data.get("hours"),
        "minutes": minutes,
        "duration": render_minutes(minutes) if minutes is not None else None,
        "activity": _link(links, "activity"),
        "work_package": wp or _link(links, "workPackage"),
        "project": _link(links, "project"),
        "user": _link(links, "user"),
        "comment": str((comment.get("raw") if isinstance(comment, dict) else comment) or "").strip(),
        "ongoing": data.get("ongoing"),
        "updated_at": data.get("updatedAt"),
        "lock_version": data.get("lockVersion"),
    }


def _name(ref: dict[str, Any] | None) -> str:
    return str(ref["name"] or f"#{ref['id']}") if ref else "?"


def _on(e: dict[str, Any]) -> str:
    """`#4 Set up the CI pipeline (Demo project)`, or the project alone."""
    wp = e["work_package"]
    project = _name(e["project"]) if e["project"] else None
    if wp:
        where = f"#{wp['id']} {wp['name']}" if wp.get("name") else f"#{wp['id']}"
        return f"{where} ({project})" if project else where
    return f"project {project}" if project else "?"


def _sentence(e: dict[str, Any]) -> str:
    """`1h 30m on 2026-01-20 on #4 Set up the CI pipeline (Demo project), Development, by Anna Admin`."""
    what = f"{e['duration'] or e['hours']} on {e['spent_on']} on {_on(e)}"
    if e["activity"]:
        what += f", {_name(e['activity'])}"
    if e["user"]:
        what += f", by {_name(e['user'])}"
    return what


def _line(e: dict[str, Any]) -> str:
    comment = f" — {e['comment']}" if e["comment"] else ""
    return f"- #{e['id']} {_sentence(e)}{comment}"


# ---------------------------------------------------------------------- time entries


class ListTimeEntries(Arguments):
    work_package_id: Annotated[WorkPackageId | None, _ref("work_package_id", "workPackageId")] = None
    project: Annotated[Project | None, _ref("project", "projectId", "project_id")] = None
    user: Annotated[Person | None, _ref("user", "userId", "user_id")] = None
    from_date: Annotated[Day | None, _ref("from_date", "from", "spentFrom")] = None
    to_date: Annotated[Day | None, _ref("to_date", "to", "spentTo")] = None
    sort_by: Annotated[
        Literal["spent_on:desc", "spent_on:asc", "hours:desc", "hours:asc", "updated_at:desc", "id:asc", "id:desc"]
        | None,
        BeforeValidator(
            lambda v: v.replace("spentOn", "spent_on").replace("updatedAt", "updated_at") if isinstance(v, str) else v
        ),
        _ref("sort_by", "sortBy"),
    ] = None
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 20
    offset: Offset = 1

    @model_validator(mode="after")
    def _dates(self) -> ListTimeEntries:
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise ValueError(f"to_date {self.to_date} is before from_date {self.from_date}")
        return self


@tool("openproject_list_time_entries", title="OpenProject: list time entries", toolset=TIME)
async def list_time_entries(openproject: OpenProjectClient, args: ListTimeEntries) -> ToolResult:
    """List time entries, newest day first, by work package, project, user ('me', a login, a name or an id)
    and a date range (from_date, to_date, inclusive). Each shows its duration as 1h 30m, date, activity, work
    package, user and comment. Pages with offset (1-based page number) and page_size; reports the number
    of entries in all and the time on this page."""
    filters: list[dict[str, Any]] = []
    if args.work_package_id:
        filters.append({"work_package": {"operator": "=", "values": [str(args.work_package_id)]}})
    if args.project:
        filters.append({"project": {"operator": "=", "values": [await openproject.project_id(args.project)]}})
    if args.user:
        who = "me" if args.user.strip().casefold() == "me" else await _user_id(openproject, args.user)
        filters.append({"user": {"operator": "=", "values": [who]}})
    if args.from_date or args.to_date:
        filters.append({"spent_on": {"operator": "<>d", "values": [args.from_date or "", args.to_date or ""]}})
    data = await _page(openproject, filters, args)
    rows = [_entry(e) for e in elements(data)]
    total = data.get("total")
    more = (
        args.offset + 1 if isinstance(total, int) and (args.offset - 1) * args.page_size + len(rows) < total else None
    )
    page_minutes = sum(r["minutes"] or 0 for r in rows)
    if rows:
        whole = "" if more or args.offset > 1 else " in all"
        head = f"{total} time entries (page {args.offset}); {render_minutes(page_minutes)} on this page{whole}:"
    else:
        head = (
            "No time entries match." if args.offset == 1 else f"No time entries on page {args.offset} ({total} in all)."
        )
    lines = [head, *(_line(r) for r in rows)]
    if more:
        lines += ["", f"More: call openproject_list_time_entries with the same filters and offset={more}."]
    return ToolResult(
        "\n".join(lines) + "\n",
        {
            "time_entries": rows,
            "total": total,
            "page_minutes": page_minutes,
            "page_duration": render_minutes(page_minutes),
            "offset": args.offset,
            "page_size": args.page_size,
            "next_offset": more,
            "filters": filters,
        },
    )


async def _page(client: OpenProjectClient, filters: list[dict[str, Any]], args: ListTimeEntries) -> dict[str, Any]:
    if args.sort_by is None:
        return await client.time_entries(filters, args.page_size, args.offset)
    name, _, direction = args.sort_by.partition(":")
    return await client.time_entries(filters, args.page_size, args.offset, sort=[[name, direction]])


class CreateTimeEntry(Arguments):
    hours: Annotated[Duration, _ref("hours", "duration", "time_spent")]
    work_package_id: Annotated[WorkPackageId | None, _ref("work_package_id", "workPackageId")] = None
    project: Annotated[Project | None, _ref("project", "projectId", "project_id")] = None
    spent_on: Annotated[Day | None, _ref("spent_on", "spentOn", "date")] = None
    activity: Annotated[ActivityRef | None, _ref("activity", "activityId", "activity_id")] = None
    comment: Comment | None = None
    user: Annotated[Person | None, _ref("user", "userId", "user_id")] = None

    @model_validator(mode="after")
    def _where(self) -> CreateTimeEntry:
        if self.work_package_id is None and self.project is None:
            raise ValueError("give work_package_id (or project, to log time on the project itself)")
        return self


@tool("openproject_create_time_entry", title="OpenProject: log time", toolset=TIME, effect="create")
async def create_time_entry(openproject: OpenProjectClient, args: CreateTimeEntry) -> ToolResult:
    """Log time on a work package (or on a project): hours as people write them (1h 30m, 90m, 1.5h, 2h,
    45 min; at most 24 hours an entry), spent_on a date (YYYY-MM-DD, default today), activity by name as the
    project offers it (default: the project's default activity), a comment, and user for someone else
    (needs OpenProject's 'Log time for other users'). Refused before anything is sent when the duration is
    ambiguous, zero or over 24 hours, or the activity is not offered in that project."""
    minutes = parse_duration(args.hours)
    wp: dict[str, Any] | None = None
    if args.work_package_id is not None:
        wp, project_id = await _project_of_wp(openproject, args.work_package_id)
        if args.project is not None and await openproject.project_id(args.project) != project_id:
            project_name = ((wp.get("_links") or {}).get("project") or {}).get("title") or project_id
            raise InvalidArguments(
                f"Work package #{args.work_package_id} is in project {project_name}, not {args.project}; "
                "give one of the two."
            )
        label = str(((wp.get("_links") or {}).get("project") or {}).get("title") or project_id)
    else:
        project_id = await openproject.project_id(str(args.project))
        label = str(args.project)
    links: dict[str, Any] = {"project": {"href": f"{openproject.api}/projects/{project_id}"}}
    if wp is not None:
        links["workPackage"] = {"href": f"{openproject.api}/work_packages/{args.work_package_id}"}
    if args.activity is not None:
        activity = await _activity(openproject, project_id, label, args.activity)
        links["activity"] = {"href": _activity_href(openproject, activity["id"])}
    if args.user is not None:
        links["user"] = {"href": f"{openproject.api}/users/{await _user_id(openproject, args.user)}"}
    body: dict[str, Any] = {
        "hours": to_iso(minutes),
        "spentOn": args.spent_on or date.today().isoformat(),
        "_links": links,
    }
    if args.comment:
        body["comment"] = {"raw": args.comment}
    e = _entry(await openproject.create_time_entry(body))
    return ToolResult(f"Logged {_sentence(e)}: time entry #{e['id']}.\n", e)


class UpdateTimeEntry(Arguments):
    time_entry_id: Annotated[EntryId, _ref("time_entry_id", "id", "timeEntryId")]
    hours: Annotated[Duration | None, _ref("hours", "duration", "time_spent")] = None
    spent_on: Annotated[Day | None, _ref("spent_on", "spentOn", "date")] = None
    activity: Annotated[ActivityRef | None, _ref("activity", "activityId", "activity_id")] = None
    comment: Comment | None = None
    work_package_id: Annotated[WorkPackageId | None, _ref("work_package_id", "workPackageId")] = None

    @model_validator(mode="after")
    def _something(self) -> UpdateTimeEntry:
        if all(v is None for v in (self.hours, self.spent_on, self.activity, self.comment, self.work_package_id)):
            raise ValueError("give at least one of hours, spent_on, activity, comment, work_package_id")
        return self


async def _patch(
    client: OpenProjectClient, entry_id: int, first: dict[str, Any], changes: dict[str, Any], fields: list[str]
) -> tuple[dict[str, Any], bool]:
    """PATCH the entry; with the lockVersion it carries, if any, and then a 409 handled as for work packages."""
    if "lockVersion" not in first:
        return await client.update_time_entry(entry_id, changes), False
    try:
        return await client.update_time_entry(entry_id, {"lockVersion": first["lockVersion"], **changes}), False
    except UpstreamError as exc:
        if exc.status != 409:
            raise
    again = await client.time_entry(entry_id)
    touched = [f for f in fields if current_value(again, f) != current_value(first, f)]
    if touched:
        raise ToolError(
            f"Time entry #{entry_id} was changed by someone else meanwhile, including {', '.join(touched)}; "
            "nothing was overwritten. Read it again and decide what to change."
        )
    return await client.update_time_entry(entry_id, {"lockVersion": again.get("lockVersion"), **changes}), True


@tool("openproject_update_time_entry", title="OpenProject: update time entry", toolset=TIME, effect="update")
async def update_time_entry(openproject: OpenProjectClient, args: UpdateTimeEntry) -> ToolResult:
    """Change a time entry's hours (as people write them, e.g. 1h 30m), date, activity (by name, as its
    project offers it), comment or work package. Returns the entry before and after. OpenProject keeps no
    version of a time entry, so a concurrent edit is detected only where an instance sends a lockVersion;
    then someone else's change of the same field is never overwritten."""
    first = await openproject.time_entry(args.time_entry_id)
    before = _entry(first)
    changes: dict[str, Any] = {}
    links: dict[str, Any] = {}
    fields: list[str] = []
    if args.hours is not None:
        changes["hours"] = to_iso(parse_duration(args.hours))
        fields.append("hours")
    if args.spent_on is not None:
        changes["spentOn"] = args.spent_on
        fields.append("spentOn")
    if args.comment is not None:
        changes["comment"] = {"raw": args.comment}
        fields.append("comment")
    project_id = str((before["project"] or {}).get("id") or "")
    label = _name(before["project"])
    if args.work_package_id is not None:
        wp, project_id = await _project_of_wp(openproject, args.work_package_id)
        label = str(((wp.get("_links") or {}).get("project") or {}).get("title") or project_id)
        links["workPackage"] = {"href": f"{openproject.api}/work_packages/{args.work_package_id}"}
        fields.append("workPackage")
    if args.activity is not None:
        activity = await _activity(openproject, project_id, label, args.activity)
        links["activity"] = {"href": _activity_href(openproject, activity["id"])}
        fields.append("activity")
    if links:
        changes["_links"] = links
    data, retried = await _patch(openproject, args.time_entry_id, first, changes, fields)
    after = _entry(data)
    note = " after a concurrent change to other fields" if retried else ""
    return ToolResult(
        f"Updated time entry #{after['id']}{note}: {_sentence(after)} (was: {_sentence(before)}).\n",
        {**after, "updated_fields": fields, "before": before, "retried": retried},
    )


class DeleteTimeEntry(Arguments):
    time_entry_id: Annotated[EntryId, _ref("time_entry_id", "id", "timeEntryId")]


@tool("openproject_delete_time_entry", title="OpenProject: delete time entry", toolset=TIME, effect="delete")
async def delete_time_entry(openproject: OpenProjectClient, args: DeleteTimeEntry) -> ToolResult:
    """Delete a time entry for good. Says what it deleted: hours, date, work package, activity and user."""
    e = _entry(await openproject.time_entry(args.time_entry_id))
    await openproject.delete_time_entry(args.time_entry_id)
    return ToolResult(f"Deleted time entry #{e['id']}: {_sentence(e)}.\n", {"deleted": True, "time_entry": e})


class ListActivities(Arguments):
    project: Annotated[Project | None, _ref("project", "projectId", "project_id")] = None
    work_package_id: Annotated[WorkPackageId | None, _ref("work_package_id", "workPackageId")] = None


_AVAILABLE = 10  # projects asked for their activities when no project is named


@tool("openproject_list_time_entry_activities", title="OpenProject: list time activities", toolset=TIME)
async def list_time_entry_activities(openproject: OpenProjectClient, args: ListActivities) -> ToolResult:
    """List the activities time can be logged as (Development, Management, ...), with the default one: those
    a project offers (project, or the project of work_package_id), or, with neither, those of the projects
    this user may log time in (the first 10), saying which projects offer each."""
    if args.work_package_id is not None:
        wp, project_id = await _project_of_wp(openproject, args.work_package_id)
        labels = {project_id: str(((wp.get("_links") or {}).get("project") or {}).get("title") or project_id)}
    elif args.project is not None:
        labels = {await openproject.project_id(args.project): args.project}
    else:
        available = await openproject.time_projects(_AVAILABLE)
        labels = {str(p.get("id")): str(p.get("name") or p.get("identifier")) for p in elements(available)}
        if not labels:
            raise InvalidArguments("This user may not log time in any project.")
    merged: dict[str, dict[str, Any]] = {}
    for project_id, label in labels.items():
        for row in await _activities(openproject, project_id, label):
            slot = merged.setdefault(str(row["id"]), {**row, "projects": []})
            slot["projects"].append(label)
            slot["default"] = slot["default"] or row["default"]
    rows = list(merged.values())
    where = f" in project {next(iter(labels.values()))}" if len(labels) == 1 else ""
    lines = [f"Time entry activities{where}:"]
    for r in rows:
        extra = " (default)" if r["default"] else ""
        if len(labels) > 1:
            extra += f" — {', '.join(r['projects'])}"
        lines.append(f"- {r['name']} (id {r['id']}){extra}")
    return ToolResult("\n".join(lines) + "\n", {"activities": rows, "projects": list(labels.values())})


# ---------------------------------------------------------------------- versions


def _version(data: dict[str, Any]) -> dict[str, Any]:
    links = data.get("_links") or {}
    description = data.get("description")
    return {
        "id": data.get("id"),
        "name": data.get("name"),
        "status": data.get("status"),
        "sharing": data.get("sharing"),
        "start_date": data.get("startDate"),
        "end_date": data.get("endDate", data.get("effectiveDate")),
        "description": str((description.get("raw") if isinstance(description, dict) else description) or "").strip(),
        "project": _link(links, "definingProject"),
    }


def _version_line(v: dict[str, Any]) -> str:
    dates = f", {v['start_date'] or '…'} → {v['end_date'] or '…'}" if v["start_date"] or v["end_date"] else ""
    shared = f", shared: {v['sharing']}" if v["sharing"] and v["sharing"] != "none" else ""
    return f"- {v['name']} (id {v['id']}) — {v['status']}{dates}{shared}"


class ListVersions(Arguments):
    project: Annotated[Project, _ref("project", "projectId", "project_id")]
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 50
    offset: Offset = 1


@tool("openproject_list_versions", title="OpenProject: list versions", toolset=PROJECTS)
async def list_versions(openproject: OpenProjectClient, args: ListVersions) -> ToolResult:
    """List the versions a project can use (its own and those shared with it): name, status, dates,
    sharing. Pages with offset (1-based page number) and page_size; reports the total."""
    project_id = await openproject.project_id(args.project)
    data = await openproject.versions(project_id, args.page_size, args.offset)
    every = elements(data)
    page = every if "offset" in data else every[(args.offset - 1) * args.page_size : args.offset * args.page_size]
    rows = [_version(v) for v in page]
    total = data.get("total", len(every))
    more = (
        args.offset + 1 if isinstance(total, int) and (args.offset - 1) * args.page_size + len(rows) < total else None
    )
    if rows:
        head = f"{total} versions in project {args.project} (page {args.offset}):"
    else:
        head = f"Project {args.project} has no versions" + (f" on page {args.offset}." if args.offset > 1 else ".")
    lines = [head, *(_version_line(v) for v in rows)]
    if more:
        lines += ["", f"More: call openproject_list_versions with offset={more}."]
    return ToolResult(
        "\n".join(lines) + "\n",
        {
            "project": args.project,
            "versions": rows,
            "total": total,
            "offset": args.offset,
            "page_size": args.page_size,
            "next_offset": more,
        },
    )


class CreateVersion(Arguments):
    project: Annotated[Project, _ref("project", "projectId", "project_id")]
    name: Annotated[str, Field(min_length=1, max_length=60, description="Version name, e.g. 1.0 or Sprint 3")]
    description: Annotated[str | None, Field(max_length=100_000, description="Markdown")] = None
    start_date: Annotated[Day | None, _ref("start_date", "startDate")] = None
    end_date: Annotated[Day | None, _ref("end_date", "endDate", "effectiveDate", "due_date")] = None
    status: Literal["open", "locked", "closed"] = "open"
    sharing: Annotated[
        Literal["none", "descendants", "hierarchy", "tree", "system"],
        Field(description="Who else may use it: none (this project), descendants, hierarchy, tree, system"),
    ] = "none"

    @model_validator(mode="after")
    def _dates(self) -> CreateVersion:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


@tool("openproject_create_version", title="OpenProject: create version", toolset=PROJECTS, effect="create")
async def create_version(openproject: OpenProjectClient, args: CreateVersion) -> ToolResult:
    """Create a version (a release or milestone work packages can be planned for) in a project: name,
    description (Markdown), start_date and end_date (YYYY-MM-DD), status (open, locked, closed) and sharing
    (none, descendants, hierarchy, tree, system). Refused by OpenProject when the project already has a
    version of that name."""
    project_id = await openproject.project_id(args.project)
    body: dict[str, Any] = {
        "name": args.name,
        "status": args.status,
        "sharing": args.sharing,
        "_links": {"definingProject": {"href": f"{openproject.api}/projects/{project_id}"}},
    }
    if args.description is not None:
        body["description"] = {"format": "markdown", "raw": args.description}
    if args.start_date is not None:
        body["startDate"] = args.start_date
    if args.end_date is not None:
        body["endDate"] = args.end_date
    v = _version(await openproject.create_version(body))
    return ToolResult(
        f"Created version {v['name']} (id {v['id']}) in project {args.project}: {_version_line(v)[2:]}.\n", v
    )
