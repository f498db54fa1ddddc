"""Writing to Jira: create, update, comment, transition, link. Text fields take Markdown."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AliasChoices, Field

from passthrough.errors import InvalidArguments
from passthrough.providers.jira import JiraClient
from passthrough.tools._markdown import write_jira
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.jira._browse import transition_rows
from passthrough.tools.jira._common import IssueKey, ProjectKey
from passthrough.tools.jira._extras import Uploads, prepared_uploads, upload_attachments
from passthrough.tools.jira._render import shown

Markdown = Annotated[str, Field(max_length=100_000, description="Markdown")]
RICH_TEXT_FIELDS = frozenset({"description", "environment"})
ALIASES = {"issue_type": "issuetype", "type": "issuetype", "due_date": "duedate"}


async def prepare_fields(client: JiraClient, fields: dict[str, Any]) -> dict[str, Any]:
    """Friendly values to the shapes Jira wants: Markdown to rich text, names to objects."""
    out: dict[str, Any] = {}
    for raw_name, value in fields.items():
        name = ALIASES.get(raw_name, raw_name)
        if name in RICH_TEXT_FIELDS and isinstance(value, str):
            value = await write_jira(client, value)
        elif name in ("priority", "issuetype", "resolution") and isinstance(value, str):
            value = {"id": value} if value.isdigit() else {"name": value}
        elif name in ("assignee", "reporter") and isinstance(value, str):
            # a display name, email, account id or username; empty: nobody
            value = client.user_ref(await client.resolve_user(value) if value.strip() else None)
        elif name == "parent" and isinstance(value, str):
            value = {"key": value}
        elif name == "labels" and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        elif name in ("components", "fixVersions", "versions") and isinstance(value, list):
            value = [{"name": v} if isinstance(v, str) else v for v in value]
        out[name] = value
    return out


class CreateIssue(Arguments):
    project_key: ProjectKey
    summary: Annotated[str, Field(min_length=1, max_length=255)]
    issue_type: Annotated[str, Field(min_length=1, max_length=100, description="Issue type name, e.g. Task, Bug")] = (
        "Task"
    )
    description: Markdown | None = None
    labels: list[Annotated[str, Field(pattern=r"^\S+$", max_length=255)]] | None = None
    priority: Annotated[str | None, Field(max_length=100, description="Priority name, e.g. High")] = None
    assignee: Annotated[
        str | None, Field(max_length=255, description="Display name, email, account id (Cloud) or username (Server)")
    ] = None
    parent_key: Annotated[str | None, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*-[0-9]+$", description="Parent issue")] = (
        None
    )
    components: Components = None
    additional_fields: MoreFields = None


@tool("jira_create_issue", title="Jira: create issue", toolset="jira_issues", effect="create")
async def create_issue(jira: JiraClient, args: CreateIssue) -> ToolResult:
    """Create a Jira issue. The description is Markdown."""
    wanted: dict[str, Any] = {
        "project": {"key": args.project_key},
        "summary": args.summary,
        "issuetype": args.issue_type,
        "description": args.description,
        "labels": args.labels,
        "priority": args.priority,
        "assignee": args.assignee,
        "parent": args.parent_key,
        "components": component_names(args.components),
    }
    more = object_argument(args.additional_fields, "additional_fields") or {}
    fields = await prepare_fields(jira, {**more, **{k: v for k, v in wanted.items() if v is not None}})
    created = await jira.create_issue(fields)
    key = str(created.get("key", ""))
    url = jira.browse_url(key)
    return ToolResult(
        f"Created {key}: {args.summary}\nURL: {url}\n",
        {"key": key, "id": str(created.get("id", "")), "url": url},
    )


Components = Annotated[
    str | list[Annotated[str, Field(min_length=1, max_length=255)]] | None,
    Field(description="Component names, comma-separated (or a list)"),
]
MoreFields = Annotated[
    dict[str, Any] | str | None,
    Field(description='More fields as Jira takes them, e.g. {"customfield_10010": 5} (an object, or its JSON)'),
]


def component_names(value: str | list[str] | None) -> list[str] | None:
    names = [c.strip() for c in (value.split(",") if isinstance(value, str) else value or []) if c.strip()]
    return names or None


def object_argument(value: Any, name: str) -> dict[str, Any] | None:
    """An object argument the peer sends as JSON text; None for none."""
    data = json_argument(value, name)
    if data is None:
        return None
    if not isinstance(data, dict):
        raise InvalidArguments(f"{name} must be a JSON object of field names to values")
    return data


class UpdateIssue(Arguments):
    issue_key: IssueKey
    fields: Annotated[
        dict[str, Any] | str,
        Field(
            min_length=1,
            description=(
                'Fields to set, e.g. {"summary": "…", "description": "Markdown", "labels": ["a"], '
                '"priority": "High", "assignee": "<name, email or id>"}; custom fields as Jira expects'
            ),
        ),
    ]
    attachments: Uploads = None  # files sent inline (tools/jira/_extras.py)
    components: Components = None
    additional_fields: MoreFields = None
    return_fields: Annotated[
        str | None,
        Field(
            pattern=r"^[\w.*,\s-]*$",
            max_length=2000,
            description="Read these fields back after the update, comma-separated (or *all)",
        ),
    ] = None


@tool("jira_update_issue", title="Jira: update issue", toolset="jira_issues", effect="update")
async def update_issue(jira: JiraClient, args: UpdateIssue) -> ToolResult:
    """Set fields on a Jira issue (overwrites their values). Text fields such as description take Markdown."""
    files = prepared_uploads(jira, args.attachments)
    given = object_argument(args.fields, "fields") or {}
    more = object_argument(args.additional_fields, "additional_fields") or {}
    components = component_names(args.components)
    wanted = {**more, **given, **({"components": components} if components else {})}
    if not wanted and not files:
        raise InvalidArguments("fields has nothing to set")
    fields = await prepare_fields(jira, wanted)
    if fields:
        await jira.update_issue(args.issue_key, fields)
    names = sorted(fields)
    attached = await upload_attachments(jira, args.issue_key, files)
    text = f"Updated {args.issue_key}: {', '.join(names)}.\n"
    if attached:
        text += f"Attached: {', '.join(attached)}.\n"
    structured: dict[str, Any] = {
        "key": args.issue_key,
        "updated_fields": names,
        "url": jira.browse_url(args.issue_key),
    }
    if attached:
        structured["attached"] = attached
    if args.return_fields and args.return_fields.strip():
        after = await jira.issue(
            args.issue_key, ",".join(f.strip() for f in args.return_fields.split(",") if f.strip())
        )
        structured["fields"] = after.get("fields") or {}
        text += "Now: " + "; ".join(f"{k}: {shown(v, 120)}" for k, v in structured["fields"].items()) + "\n"
    return ToolResult(text + f"URL: {structured['url']}\n", structured)


def json_argument(value: Any, name: str) -> Any:
    """An argument the peer sends as a JSON string (objects are taken as they are)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise InvalidArguments(f"{name} is not valid JSON ({exc.args[0] if exc.args else exc})") from None


def comment_visibility(value: Any, name: str = "visibility") -> dict[str, str] | None:
    """Who may see a comment: {"type": "group" | "role", "value": "<name>"} (a JSON string or an object)."""
    data = json_argument(value, name)
    if data is None or data == {}:
        return None
    if not isinstance(data, dict) or data.get("type") not in ("group", "role"):
        raise InvalidArguments(f'{name} must be {{"type": "group" or "role", "value": "<group or role name>"}}')
    shown = data.get("value") or data.get("identifier")
    if not isinstance(shown, str) or not shown.strip():
        raise InvalidArguments(f"{name} needs the group's or role's name as value")
    out = {"type": str(data["type"]), "value": shown.strip()}
    if isinstance(data.get("identifier"), str):
        out["identifier"] = data["identifier"]
    return out


Visibility = Annotated[
    str | dict[str, str] | None,
    Field(description='Restrict who sees the comment: {"type": "group" or "role", "value": "<name>"} (or as JSON)'),
]


class AddComment(Arguments):
    issue_key: IssueKey
    body: Annotated[
        str,
        Field(
            min_length=1, max_length=100_000, description="Markdown", validation_alias=AliasChoices("body", "comment")
        ),
    ]
    visibility: Visibility = None
    public: Annotated[
        bool | None,
        Field(description="Service desk issues: true for a comment customers see, false for an internal note"),
    ] = None


@tool("jira_add_comment", title="Jira: add comment", toolset="jira_comments", effect="create")
async def add_comment(jira: JiraClient, args: AddComment) -> ToolResult:
    """Add a comment (Markdown) to a Jira issue; optionally visible only to a group or role, or (service desk
    issues) internal with public=false."""
    payload: dict[str, Any] = {"body": await write_jira(jira, args.body)}
    shown_to = comment_visibility(args.visibility)
    if shown_to:
        payload["visibility"] = shown_to
    if args.public is not None:  # Jira Service Management reads this property: internal or shared with customers
        payload["properties"] = [{"key": "sd.public.comment", "value": {"internal": not args.public}}]
    comment = await jira.post_comment(args.issue_key, payload)
    cid = str(comment.get("id", ""))
    text = f"Added comment {cid} to {args.issue_key}."
    if shown_to:
        text += f" Visible to {shown_to['type']} {shown_to['value']} only."
    if args.public is not None:
        text += " Shared with customers." if args.public else " Internal note (agents only)."
    structured: dict[str, Any] = {"key": args.issue_key, "comment_id": cid, "visibility": shown_to}
    if args.public is not None:
        structured["public"] = args.public
    return ToolResult(text + "\n", structured)


class TransitionIssue(Arguments):
    issue_key: IssueKey
    transition: Annotated[
        str,
        Field(
            min_length=1,
            max_length=255,
            description="Transition id, or its name (case-insensitive)",
            validation_alias=AliasChoices("transition", "transition_id"),
        ),
    ]
    comment: Annotated[str | None, Field(max_length=100_000, description="Markdown comment to add")] = None
    fields: Annotated[
        str | dict[str, Any] | None,
        Field(description='Fields the transition screen asks for, e.g. {"resolution": "Fixed"} (or as JSON)'),
    ] = None


def choose_transition(wanted: str, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """By id, then by name, then by target status name; a name must match exactly one."""
    for row in rows:
        if row["id"] == wanted:
            return row
    folded = wanted.casefold()
    for key in ("name", "to_status"):
        matches = [r for r in rows if str(r.get(key) or "").casefold() == folded]
        if len(matches) == 1:
            return matches[0]
    return None


@tool("jira_transition_issue", title="Jira: transition issue", toolset="jira_transitions", effect="create")
async def transition_issue(jira: JiraClient, args: TransitionIssue) -> ToolResult:
    """Move an issue through its workflow by transition id or name (see jira_get_transitions); may add a
    comment."""
    rows = transition_rows(await jira.transitions(args.issue_key))
    chosen = choose_transition(args.transition.strip(), rows)
    if chosen is None:
        available = ", ".join(f"{r['name']} (id {r['id']})" for r in rows) or "none"
        raise InvalidArguments(f"No transition '{args.transition}' on {args.issue_key}. Available: {available}.")
    fields = json_argument(args.fields, "fields")
    if fields is not None and not isinstance(fields, dict):
        raise InvalidArguments('fields must be an object such as {"resolution": "Fixed"}')
    comment = await write_jira(jira, args.comment) if args.comment else None
    await jira.take_transition(args.issue_key, chosen["id"], comment, await prepare_fields(jira, fields or {}))
    text = f"{args.issue_key}: took transition '{chosen['name']}' (id {chosen['id']}) → {chosen['to_status']}."
    if args.comment:
        text += " Comment added."
    return ToolResult(
        text + "\n",
        {
            "key": args.issue_key,
            "transition_id": chosen["id"],
            "transition": chosen["name"],
            "status": chosen["to_status"],
        },
    )


class LinkIssues(Arguments):
    link_type: Annotated[str, Field(min_length=1, max_length=255, description="Link type name, e.g. Blocks")]
    inward_issue: Annotated[IssueKey, Field(validation_alias=AliasChoices("inward_issue", "inward_issue_key"))]
    outward_issue: Annotated[IssueKey, Field(validation_alias=AliasChoices("outward_issue", "outward_issue_key"))]
    comment: Annotated[str | None, Field(max_length=100_000, description="Markdown comment to add with the link")] = (
        None
    )
    comment_visibility: Visibility = None


@tool(
    "jira_link_issues",
    title="Jira: link issues",
    toolset="jira_links",
    effect="create",
    aliases=("jira_create_issue_link",),
)
async def link_issues(jira: JiraClient, args: LinkIssues) -> ToolResult:
    """Link two issues: inward_issue <link_type inward> outward_issue, e.g. Blocks (see
    jira_list_link_types); may add a Markdown comment."""
    payload: dict[str, Any] = {
        "type": {"name": args.link_type},
        "inwardIssue": {"key": args.inward_issue},
        "outwardIssue": {"key": args.outward_issue},
    }
    if args.comment:
        note: dict[str, Any] = {"body": await write_jira(jira, args.comment)}
        shown_to = comment_visibility(args.comment_visibility, "comment_visibility")
        if shown_to:
            note["visibility"] = shown_to
        payload["comment"] = note
    await jira.create_link(payload)
    text = f"Linked {args.inward_issue} and {args.outward_issue} ({args.link_type})."
    if args.comment:
        text += " Comment added."
    return ToolResult(
        text + "\n",
        {"link_type": args.link_type, "inward_issue": args.inward_issue, "outward_issue": args.outward_issue},
    )
