"""Jira tools for Jira Service Management (/rest/servicedeskapi)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._client import next_offset, offset_token
from passthrough.providers.jira import JiraClient
from passthrough.tools._markdown import write_jira
from passthrough.tools._spec import Arguments, ToolResult, progress, tool
from passthrough.tools.jira._common import ProjectKey
from passthrough.tools.jira._render import brief, list_line

TOOLSET = "jira_service_desk"
DESK_PAGES = 20  # service desks looked through for a project: 20 pages of 50

DeskId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_]+$",
        max_length=64,
        description="Service desk id such as 4 (jira_get_service_desk_for_project finds it from a project key)",
    ),
]
QueueId = Annotated[
    str, Field(pattern=r"^[0-9]+$", max_length=18, description="Queue id (jira_get_service_desk_queues)")
]
TypeId = Annotated[
    str, Field(pattern=r"^[0-9]+$", max_length=18, description="Request type id (jira_get_request_types)")
]
StartAt = Annotated[int, Field(ge=0, le=10**9, description="Offset to start at (0-based); or use page_token")]
PageToken = Annotated[
    str | None, Field(pattern=r"^[0-9]{1,9}$", description="next_page_token of the last page (instead of start_at)")
]


def _start(start_at: int, page_token: str | None) -> int:
    return offset_token(page_token, "page_token") if page_token else start_at


def _page(data: dict[str, Any], start: int) -> tuple[list[dict[str, Any]], str | None]:
    """A JSM page's values and the token of the page after it (None on the last page)."""
    values = [v for v in data.get("values") or [] if isinstance(v, dict)]
    return values, next_offset(start, len(values), data.get("isLastPage") is False)


def _more(token: str | None) -> str:
    return f"\nMore: page_token={token}\n" if token else ""


# ---------------------------------------------------------------------- the service desk of a project


class DeskForProject(Arguments):
    project_key: ProjectKey


def _desk_row(desk: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(desk.get("id", "")),
        "project_id": str(desk.get("projectId", "")),
        "project_key": desk.get("projectKey"),
        "project_name": desk.get("projectName"),
    }


@tool("jira_get_service_desk_for_project", title="Jira: service desk of a project", toolset=TOOLSET)
async def service_desk_for_project(jira: JiraClient, args: DeskForProject) -> ToolResult:
    """Find the Jira Service Management service desk of a project key: its service desk id, which the other
    service desk tools (queues, request types, creating a customer request) take."""
    wanted = args.project_key.upper()
    start = 0
    for number in range(DESK_PAGES):
        progress(number, DESK_PAGES, f"looking through service desks from {start + 1}")
        try:
            data = await jira.service_desks(start, 50)
        except UpstreamError as exc:
            if exc.status == 404:
                raise UpstreamError(
                    exc.provider, 404, "Jira Service Management is not installed on this Jira (no /rest/servicedeskapi)"
                ) from None
            raise
        desks, token = _page(data, start)
        found = next((d for d in desks if str(d.get("projectKey", "")).upper() == wanted), None)
        if found is not None:
            row = _desk_row(found)
            text = f"Service desk {row['id']} belongs to {row['project_key']} — {row['project_name']}.\n"
            return ToolResult(text, {"project_key": wanted, "service_desk": row})
        if token is None:
            break
        start = int(token)
    text = (
        f"{wanted} has no service desk that this user can see "
        "(it is not a Jira Service Management project, or the user is not one of its agents or customers).\n"
    )
    return ToolResult(text, {"project_key": wanted, "service_desk": None})


# ---------------------------------------------------------------------- queues


class Queues(Arguments):
    service_desk_id: DeskId
    start_at: StartAt = 0
    limit: Annotated[int, Field(ge=1, le=50, description="Queues per page")] = 50
    page_token: PageToken = None


def _queue_row(queue: dict[str, Any]) -> dict[str, Any]:
    count = queue.get("issueCount")
    return {
        "id": str(queue.get("id", "")),
        "name": queue.get("name"),
        "jql": queue.get("jql"),
        "issue_count": count if isinstance(count, int) else None,
    }


def _issues(count: int) -> str:
    return f"{count} issue" if count == 1 else f"{count} issues"


def _queue_line(row: dict[str, Any]) -> str:
    count = f" — {_issues(row['issue_count'])}" if row["issue_count"] is not None else ""
    return f"- {row['name']} (id {row['id']}){count}"


@tool("jira_get_service_desk_queues", title="Jira: service desk queues", toolset=TOOLSET)
async def service_desk_queues(jira: JiraClient, args: Queues) -> ToolResult:
    """List the queues of a Jira Service Management service desk (id, name, JQL, how many issues each holds);
    one page at a time."""
    start = _start(args.start_at, args.page_token)
    data = await jira.service_desk_queues(args.service_desk_id, start, args.limit)
    queues, token = _page(data, start)
    rows = [_queue_row(q) for q in queues]
    if not rows:
        text = f"Service desk {args.service_desk_id} has no queues this user can see.\n"
    else:
        text = "\n".join([f"Queues of service desk {args.service_desk_id}:"] + [_queue_line(r) for r in rows]) + "\n"
    structured = {"service_desk_id": args.service_desk_id, "start_at": start, "queues": rows, "next_page_token": token}
    return ToolResult(text + _more(token), structured)


class QueueIssues(Arguments):
    service_desk_id: DeskId
    queue_id: QueueId
    start_at: StartAt = 0
    limit: Annotated[
        int, Field(ge=1, le=1000, description="Issues per page (Jira Service Management sends 50 at most)")
    ] = 50
    page_token: PageToken = None


@tool("jira_get_queue_issues", title="Jira: issues in a service desk queue", toolset=TOOLSET)
async def queue_issues(jira: JiraClient, args: QueueIssues) -> ToolResult:
    """List the issues in a Jira Service Management queue, in the queue's order (key, status, summary,
    assignee); one page at a time."""
    start = _start(args.start_at, args.page_token)
    queue = _queue_row(await jira.service_desk_queue(args.service_desk_id, args.queue_id))
    data = await jira.queue_issues(args.service_desk_id, args.queue_id, start, min(args.limit, 50))
    issues, token = _page(data, start)
    rows = [brief(i, jira) for i in issues]
    title = f"Queue {queue['name']} (id {queue['id']}) of service desk {args.service_desk_id}"
    if queue["issue_count"] is not None:
        title += f", {_issues(queue['issue_count'])}"
    lines = [title + ":"] + ([list_line(r) for r in rows] or ["No issues in this queue."])
    structured = {
        "service_desk_id": args.service_desk_id,
        "queue": queue,
        "start_at": start,
        "issues": rows,
        "next_page_token": token,
    }
    return ToolResult("\n".join(lines) + "\n" + _more(token), structured)


# ---------------------------------------------------------------------- request types and their fields


class RequestTypes(Arguments):
    service_desk_id: DeskId
    start_at: StartAt = 0
    limit: Annotated[int, Field(ge=1, le=50, description="Request types per page")] = 50
    page_token: PageToken = None
    search_query: Annotated[str | None, Field(max_length=200, description="Only request types whose name has this")] = (
        None
    )


@tool("jira_get_request_types", title="Jira: service desk request types", toolset=TOOLSET)
async def request_types(jira: JiraClient, args: RequestTypes) -> ToolResult:
    """List the request types customers can raise on a Jira Service Management service desk (id, name,
    description); one page at a time. jira_get_request_type_fields tells what each one asks for."""
    start = _start(args.start_at, args.page_token)
    data = await jira.request_types(args.service_desk_id, start, args.limit, args.search_query)
    types, token = _page(data, start)
    rows = [
        {
            "id": str(t.get("id", "")),
            "name": t.get("name"),
            "description": t.get("description") or "",
            "help_text": t.get("helpText") or "",
            "issue_type_id": str(t.get("issueTypeId", "")),
            "group_ids": [str(g) for g in t.get("groupIds") or []],
        }
        for t in types
    ]
    lines = [f"Request types of service desk {args.service_desk_id}:"]
    lines += [f"- {r['name']} (id {r['id']})" + (f" — {r['description']}" if r["description"] else "") for r in rows]
    if not rows:
        lines = [f"Service desk {args.service_desk_id} has no request types this user can raise."]
    structured = {
        "service_desk_id": args.service_desk_id,
        "start_at": start,
        "request_types": rows,
        "next_page_token": token,
    }
    return ToolResult("\n".join(lines) + "\n" + _more(token), structured)


class RequestTypeFields(Arguments):
    service_desk_id: DeskId
    request_type_id: TypeId


def _is_rich(schema: dict[str, Any]) -> bool:
    return schema.get("system") == "description" or str(schema.get("custom", "")).endswith(":textarea")


def _field_row(field: dict[str, Any]) -> dict[str, Any]:
    schema = field.get("jiraSchema") if isinstance(field.get("jiraSchema"), dict) else {}
    assert isinstance(schema, dict)
    options = [
        {"value": str(v.get("value", "")), "label": v.get("label")}
        for v in field.get("validValues") or []
        if isinstance(v, dict)
    ]
    return {
        "field_id": str(field.get("fieldId", "")),
        "name": field.get("name"),
        "required": bool(field.get("required")),
        "description": field.get("description") or "",
        "type": schema.get("type"),
        "items": schema.get("items"),
        "custom": schema.get("custom"),
        "rich_text": _is_rich(schema),
        "valid_values": options,
        "visible": field.get("visible", True) is not False,
    }


def _field_line(row: dict[str, Any]) -> str:
    kind = "Markdown" if row["rich_text"] else (row["type"] or "any")
    if row["type"] == "array" and row["items"]:
        kind = f"list of {row['items']}"
    line = f"- {row['field_id']} — {row['name']} ({'required' if row['required'] else 'optional'}, {kind})"
    if row["valid_values"]:
        line += ": one of " + ", ".join(f"{o['label']} (id {o['value']})" for o in row["valid_values"][:20])
    return line


@tool("jira_get_request_type_fields", title="Jira: fields of a request type", toolset=TOOLSET)
async def request_type_fields(jira: JiraClient, args: RequestTypeFields) -> ToolResult:
    """List the fields a Jira Service Management request type asks for (field id, name, required, type, the
    allowed values of a select), to build request_field_values for jira_create_customer_request."""
    data = await jira.request_type_fields(args.service_desk_id, args.request_type_id)
    rows = [_field_row(f) for f in data.get("requestTypeFields") or [] if isinstance(f, dict)]
    lines = [f"Fields of request type {args.request_type_id} (service desk {args.service_desk_id}):"]
    lines += [_field_line(r) for r in rows] or ["No fields."]
    on_behalf, participants = bool(data.get("canRaiseOnBehalfOf")), bool(data.get("canAddRequestParticipants"))
    lines.append(
        f"This user {'can' if on_behalf else 'cannot'} raise requests on behalf of customers "
        f"and {'can' if participants else 'cannot'} add request participants."
    )
    structured = {
        "service_desk_id": args.service_desk_id,
        "request_type_id": args.request_type_id,
        "fields": rows,
        "can_raise_on_behalf_of": on_behalf,
        "can_add_request_participants": participants,
    }
    return ToolResult("\n".join(lines) + "\n", structured)


# ---------------------------------------------------------------------- creating a customer request


class CreateRequest(Arguments):
    service_desk_id: DeskId
    request_type_id: TypeId
    request_field_values: Annotated[
        dict[str, Any] | str,
        Field(
            description=(
                "Field values keyed by field id (an object, or the same as a JSON string), e.g. "
                '{"summary": "VPN is down", "description": "Since **9:00**", "customfield_10060": "High"}; '
                "rich-text fields (description, text areas) are Markdown; a select takes its label or id"
            )
        ),
    ]
    raise_on_behalf_of: Annotated[
        str | None,
        Field(max_length=255, description="The customer to raise it for: account id (Cloud), username (Server/DC)"),
    ] = None
    request_participants: Annotated[
        list[Annotated[str, Field(max_length=255)]] | str | None,
        Field(description="Customers to add: a list, a JSON array string, or a comma-separated string"),
    ] = None
    attachments: Annotated[
        list[Any] | str | None, Field(description="Not supported here: create the request without attachments")
    ] = None
    strict_on_behalf: Annotated[
        bool,
        Field(
            description="If raise_on_behalf_of is refused: fail (true), or create the request as this user and "
            "say so (false)"
        ),
    ] = False


def _field_values(value: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise InvalidArguments(
                f"request_field_values is not valid JSON ({exc.args[0] if exc.args else exc})"
            ) from None
    if not isinstance(value, dict) or not value:
        raise InvalidArguments('request_field_values must be an object of field ids and values, e.g. {"summary": "…"}')
    return value


def _participants(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError as exc:
                raise InvalidArguments(f"request_participants is not a valid JSON array ({exc})") from None
            if not isinstance(parsed, list) or not all(isinstance(p, str) for p in parsed):
                raise InvalidArguments("request_participants must be a list of account ids or usernames")
            value = parsed
        else:
            value = text.split(",")
    people = [p.strip() for p in value if p.strip()]
    if len(people) > 50:
        raise InvalidArguments("request_participants takes at most 50 people")
    return list(dict.fromkeys(people))


def _option(field: dict[str, Any], value: Any) -> Any:
    """A select's value as JSM takes it ({"id": …}), matched by id or label; unmatched values go as given."""
    candidate = value.get("id", value.get("value", value.get("name"))) if isinstance(value, dict) else value
    if not isinstance(candidate, str | int) or isinstance(candidate, bool):
        return value
    wanted = str(candidate).strip().lower()
    for option in field["valid_values"]:
        if wanted in (option["value"].lower(), str(option["label"] or "").lower()):
            return {"id": option["value"]}
    return value if isinstance(value, dict) else {"value": str(candidate)}


async def _request_values(jira: JiraClient, given: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The values as the request type's fields take them: Markdown as the deployment's rich text, selects by id,
    lists from comma-separated text; fields the request type does not list go as given."""
    known = {f["field_id"]: f for f in fields}
    out: dict[str, Any] = {}
    for field_id, value in given.items():
        field = known.get(field_id)
        if field is None or value is None:
            out[field_id] = value
        elif field["rich_text"] and isinstance(value, str):
            out[field_id] = await write_jira(jira, value)
        elif field["valid_values"] and field["type"] != "array":
            out[field_id] = _option(field, value)
        elif field["type"] == "array" and isinstance(value, str):
            items = [v.strip() for v in value.split(",") if v.strip()]
            out[field_id] = [_option(field, v) for v in items] if field["valid_values"] else items
        elif field["type"] == "array" and isinstance(value, list) and field["valid_values"]:
            out[field_id] = [_option(field, v) for v in value]
        else:
            out[field_id] = value
    return out


def _on_behalf_refused(exc: UpstreamError) -> bool:
    words = str(exc.message).lower()
    return exc.status in (400, 403) and any(w in words for w in ("behalf", "does not exist", "customer"))


def _shown_value(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("value") or value.get("name") or value.get("displayName") or value.get("id") or "")
    if isinstance(value, list):
        return ", ".join(_shown_value(v) for v in value)
    return "" if value is None else str(value)


@tool("jira_create_customer_request", title="Jira: create a customer request", toolset=TOOLSET, effect="create")
async def create_customer_request(jira: JiraClient, args: CreateRequest) -> ToolResult:
    """Raise a Jira Service Management customer request of a request type, optionally on behalf of a customer
    and with participants. request_field_values are keyed by the field ids jira_get_request_type_fields
    lists; description and text areas are Markdown."""
    if args.attachments:
        raise InvalidArguments(
            "attachments are not sent with a new request by this server: create the request without them"
        )
    given = _field_values(args.request_field_values)
    participants = _participants(args.request_participants)
    meta = await jira.request_type_fields(args.service_desk_id, args.request_type_id)
    fields = [_field_row(f) for f in meta.get("requestTypeFields") or [] if isinstance(f, dict)]
    values = await _request_values(jira, given, fields)
    body: dict[str, Any] = {
        "serviceDeskId": args.service_desk_id,
        "requestTypeId": args.request_type_id,
        "requestFieldValues": values,
    }
    if jira.cloud and any(isinstance(v, dict) and v.get("type") == "doc" for v in values.values()):
        body["isAdfRequest"] = True  # rich text as ADF documents, as Cloud's own editor writes it
    if participants:
        body["requestParticipants"] = participants
    warnings: list[str] = []
    if args.raise_on_behalf_of:
        body["raiseOnBehalfOf"] = args.raise_on_behalf_of
    try:
        created = await jira.create_customer_request(body)
    except UpstreamError as exc:
        if not args.raise_on_behalf_of or args.strict_on_behalf or not _on_behalf_refused(exc):
            if exc.status == 400:
                hint = " (jira_get_request_type_fields lists the fields this request type takes)"
                raise UpstreamError(exc.provider, exc.status, exc.message + hint) from None
            raise
        body.pop("raiseOnBehalfOf")
        created = await jira.create_customer_request(body)
        warnings.append(
            f"Jira refused to raise it on behalf of {args.raise_on_behalf_of} ({exc.message}); "
            "it was raised by this user instead."
        )
    key = str(created.get("issueKey", ""))
    links = created.get("_links") if isinstance(created.get("_links"), dict) else {}
    assert isinstance(links, dict)
    status = created.get("currentStatus") if isinstance(created.get("currentStatus"), dict) else {}
    assert isinstance(status, dict)
    reporter = created.get("reporter") if isinstance(created.get("reporter"), dict) else {}
    assert isinstance(reporter, dict)
    row = {
        "key": key,
        "id": str(created.get("issueId", "")),
        "service_desk_id": str(created.get("serviceDeskId", args.service_desk_id)),
        "request_type_id": str(created.get("requestTypeId", args.request_type_id)),
        "status": status.get("status"),
        "reporter": reporter.get("displayName") or reporter.get("name") or reporter.get("accountId"),
        "portal_url": links.get("web"),
        "url": jira.browse_url(key) if key else None,
        "on_behalf_of": args.raise_on_behalf_of if not warnings else None,
        "participants": participants,
        "warnings": warnings,
    }
    lines = [f"Created request {key}" + (f" ({row['status']})" if row["status"] else "") + "."]
    if row["reporter"]:
        lines.append(f"Raised for: {row['reporter']}")
    if row["portal_url"]:
        lines.append(f"Portal: {row['portal_url']}")
    if row["url"]:
        lines.append(f"Agent view: {row['url']}")
    for item in created.get("requestFieldValues") or []:
        if isinstance(item, dict) and item.get("fieldId") not in ("description",):
            shown = _shown_value(item.get("value"))
            if shown:
                lines.append(f"{item.get('label') or item.get('fieldId')}: {shown}")
    lines += [f"Warning: {w}" for w in warnings]
    return ToolResult("\n".join(lines) + "\n", row)
