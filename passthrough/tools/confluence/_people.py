"""Confluence tools for users, page views, templates and permissions.

Users are found by CQL (Cloud's user search, Server/Data Center's search) or, on Server/Data Center, among a
group's members. Page views and the content permission check are Cloud's; Server/Data Center is said to lack
them before anything is sent. A person is named by display name, email or account id and resolved to the
Cloud account id the permission check takes.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._client import next_offset, offset_token
from passthrough.providers.confluence import ConfluenceClient
from passthrough.tools._markdown import read_storage
from passthrough.tools._spec import Arguments, ToolResult, progress, tool
from passthrough.tools.confluence._common import Cursor, PageId, SpaceKey, cql_string

# CQL rather than a name: a field and an operator first. Each step is followed by a different character
# class, so a long run of spaces or letters cannot make the match backtrack.
_USER_CQL = re.compile(r"^\s*(?:\(\s*)*[A-Za-z][\w.]*\s*(?:[=~<>]|!=|!~|(?:not\s+)?in\s*\()", re.IGNORECASE)
_FULLNAME = re.compile(r'^\s*user\.fullname\s*~\s*"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
_GROUP_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MYSELF = frozenset({"me", "myself", "currentuser()"})
MEMBER_PAGE = 200  # group members asked for a page
MEMBER_PAGES = 10  # at most this many pages of a group are looked through
NO_PERMISSION_CHECK = (
    "Confluence Server/Data Center has no REST API to check a user's or a group's permission on content: read "
    "the page's restrictions (confluence_get_page_restrictions) and the space's permissions "
    "(confluence_get_space_permissions) instead."
)


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _text_id(value: Any) -> Any:
    """Ids are strings in the schema (as in the peer); a number a model sends is taken as one."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


TextPageId = Annotated[PageId, BeforeValidator(_text_id)]


def user_row(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "display_name": user.get("displayName") or user.get("publicName"),
        "account_id": user.get("accountId"),
        "username": user.get("username"),
        "user_key": user.get("userKey"),
        "email": user.get("email") or None,
    }


def _users_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The users of a search answer (each result's `user`; Server's /search may mix in other entities)."""
    results = data.get("results") or []
    return [r["user"] for r in results if isinstance(r, dict) and isinstance(r.get("user"), dict)]


def user_line(row: dict[str, Any]) -> str:
    ident = f"account id {row['account_id']}" if row["account_id"] else f"username {row['username']}"
    email = f" <{row['email']}>" if row["email"] else ""
    return f"- {row['display_name'] or '(no name shown)'}{email} — {ident}"


# ---------------------------------------------------------------------- users


class SearchUser(Arguments):
    query: Annotated[
        str,
        Field(
            min_length=1,
            max_length=1000,
            description='A name (or part of one), or user CQL such as user.fullname ~ "Ada Lovelace"',
        ),
    ]
    limit: Annotated[int, Field(ge=1, le=50)] = 10
    group_name: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=255,
            description="Server/Data Center: look among this group's members (e.g. confluence-users) instead of "
            "searching; Cloud ignores it",
        ),
    ] = None


def _user_cql(query: str, cloud: bool) -> str:
    """The CQL a user search sends: CQL as given, or a name as a full-name search; Server's /search also
    needs type = user, or it would find pages."""
    is_cql = bool(_USER_CQL.match(query))
    if cloud:
        return query if is_cql else f"user.fullname ~ {cql_string(query)}"
    return f"type = user AND ({query})" if is_cql else f"type = user AND user.fullname ~ {cql_string(query)}"


def _name_of(query: str) -> str:
    """The name a group-member search looks for: the words, or the value of user.fullname ~ "…"."""
    found = _FULLNAME.match(query)
    if found:
        return re.sub(r"\\(.)", r"\1", found.group(1))
    if _USER_CQL.match(query):
        raise InvalidArguments(
            'With group_name, give a name (or user.fullname ~ "name"), not other CQL: the group\'s members are '
            "matched by name."
        )
    return query


async def _group_search(confluence: ConfluenceClient, group: str, name: str, limit: int) -> tuple[list[Any], str]:
    words = name.casefold().split()
    found: list[dict[str, Any]] = []
    start = 0
    looked = 0
    for number in range(MEMBER_PAGES):
        progress(number, MEMBER_PAGES, f"{looked} members of {group} looked through")
        data = await confluence.group_members(group, start, MEMBER_PAGE)
        members = [m for m in data.get("results") or [] if isinstance(m, dict)]
        looked += len(members)
        for member in members:
            seen = " ".join(str(member.get(k) or "") for k in ("displayName", "username", "email")).casefold()
            if all(w in seen for w in words):
                found.append(member)
        if len(found) >= limit or not members or not (data.get("_links") or {}).get("next"):
            return found[:limit], ""
        start += len(members)
    return found[:limit], f" (looked through the first {looked} members of {group} only)"


@tool("confluence_search_user", title="Confluence: search users", toolset="confluence_users")
async def search_user(confluence: ConfluenceClient, args: SearchUser) -> ToolResult:
    """Find Confluence users by name, or by user CQL (user.fullname ~ "…", user.accountid = "…"). Returns
    display name, account id (Cloud) or username (Server/Data Center), and email where shown. On Server/Data
    Center, group_name looks among that group's members instead."""
    note = ""
    if args.group_name and not confluence.cloud:
        name = _name_of(args.query)
        members, note = await _group_search(confluence, args.group_name, name, args.limit)
        rows = [user_row(m) for m in members]
        where = f"members of {args.group_name} matching '{name}'"
        structured: dict[str, Any] = {"group": args.group_name, "query": name, "users": rows}
    else:
        cql = _user_cql(args.query, confluence.cloud)
        data = await confluence.user_search(cql, args.limit)
        rows = [user_row(u) for u in _users_of(data)]
        where = f"users for CQL: {cql}"
        structured = {"cql": cql, "users": rows, "total": data.get("totalSize")}
        if args.group_name:
            note = " (group_name applies on Server/Data Center only; Cloud searched every user)"
    lines = [f"{len(rows)} {where}{note}:" if rows else f"No {where}{note}."]
    lines += [user_line(r) for r in rows]
    return ToolResult("\n".join(lines) + "\n", structured)


# ---------------------------------------------------------------------- analytics


class PageViews(Arguments):
    page_id: TextPageId
    include_title: bool = True


@tool("confluence_get_page_views", title="Confluence: page views", toolset="confluence_analytics")
async def get_page_views(confluence: ConfluenceClient, args: PageViews) -> ToolResult:
    """How often a page was viewed, and by how many distinct people (Confluence Cloud analytics; Server/Data
    Center has no analytics REST API and is refused before anything is sent)."""
    views = await confluence.page_views(args.page_id)
    viewers = await confluence.page_viewers(args.page_id)
    title = await confluence.page_title(args.page_id) if args.include_title else None
    count = int(views.get("count") or 0)
    distinct = int(viewers.get("count") or 0)
    name = f" '{title}'" if title else ""
    text = (
        f"Page {args.page_id}{name}: {count} view{'s' if count != 1 else ''} "
        f"by {distinct} distinct viewer{'s' if distinct != 1 else ''}."
    )
    structured = {"page_id": args.page_id, "title": title, "views": count, "viewers": distinct}
    return ToolResult(text + "\n", structured)


# ---------------------------------------------------------------------- templates

TemplateId = Annotated[
    str,
    BeforeValidator(_text_id),
    Field(pattern=r"^[A-Za-z0-9:._-]{1,200}$", description="Template id (see confluence_list_page_templates)"),
]


def _description(template: dict[str, Any]) -> str:
    value = template.get("description")
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) else ""


def template_row(template: dict[str, Any]) -> dict[str, Any]:
    labels = template.get("labels") or []
    return {
        "id": str(template.get("templateId") or ""),
        "name": template.get("name"),
        "description": _description(template),
        "type": template.get("templateType"),
        "space_key": (template.get("space") or {}).get("key"),
        "labels": [str(label.get("name")) for label in labels if isinstance(label, dict)],
    }


def template_storage(template: dict[str, Any]) -> str | None:
    storage = (template.get("body") or {}).get("storage")
    value = storage.get("value") if isinstance(storage, dict) else None
    return value if isinstance(value, str) else None


class ListTemplates(Arguments):
    space_key: Annotated[SpaceKey | None, Field(description="A space's templates; without it, the global ones")] = None
    limit: Annotated[int, Field(ge=1, le=200)] = 25
    cursor: Cursor = None


@tool("confluence_list_page_templates", title="Confluence: list page templates", toolset="confluence_templates")
async def list_page_templates(confluence: ConfluenceClient, args: ListTemplates) -> ToolResult:
    """List page templates: a space's (space_key) or the global ones. Returns id, name and description; read
    one with confluence_get_page_template. Server/Data Center has no template REST API, which is said."""
    start = offset_token(args.cursor, "cursor")
    data = await confluence.page_templates(args.space_key, start, args.limit)
    rows = [template_row(t) for t in data.get("results") or [] if isinstance(t, dict)]
    token = next_offset(start, len(rows), bool((data.get("_links") or {}).get("next")))
    where = f"in space {args.space_key}" if args.space_key else "global"
    if rows:
        lines = [f"{len(rows)} page templates ({where}):"]
        lines += [
            f"- {r['name']} (template {r['id']})" + (f": {r['description']}" if r["description"] else "") for r in rows
        ]
    else:
        lines = [f"No page templates ({where})."]
        if not args.space_key:
            lines.append("A space's own templates are listed with space_key.")
    if token:
        lines += ["", f'More: call confluence_list_page_templates with the same arguments and cursor="{token}".']
    structured = {"space_key": args.space_key, "templates": rows, "next_cursor": token}
    return ToolResult("\n".join(lines) + "\n", structured)


class GetTemplate(Arguments):
    template_id: TemplateId


@tool("confluence_get_page_template", title="Confluence: get page template", toolset="confluence_templates")
async def get_page_template(confluence: ConfluenceClient, args: GetTemplate) -> ToolResult:
    """Get one page template: its name, description and body as Markdown."""
    template = await confluence.template(args.template_id)
    row = template_row(template)
    row["body"] = await read_storage(template_storage(template) or "")
    head = f"# Template: {row['name']}\nTemplate {row['id']} | " + (
        f"Space: {row['space_key']}" if row["space_key"] else "Global"
    )
    if row["description"]:
        head += f"\n{row['description']}"
    return ToolResult(head + "\n\n" + (row["body"].strip() or "_Empty template._") + "\n", row)


class CreateFromTemplate(Arguments):
    space_key: SpaceKey
    title: Annotated[str, Field(min_length=1, max_length=255)]
    template_id: TemplateId
    parent_id: Annotated[TextPageId | None, Field(description="The new page's parent page")] = None


@tool(
    "confluence_create_page_from_template",
    title="Confluence: create page from template",
    toolset="confluence_templates",
    effect="create",
)
async def create_page_from_template(confluence: ConfluenceClient, args: CreateFromTemplate) -> ToolResult:
    """Create a page in a space (optionally under parent_id) whose body is a page template's body, as the
    template has it; edit it afterwards with confluence_update_page."""
    template = await confluence.template(args.template_id)
    storage = template_storage(template)
    if storage is None:
        raise InvalidArguments(f"Template {args.template_id} has no body in storage format; no page was created.")
    page = await confluence.create_page(args.space_key, args.title, storage, args.parent_id)
    data = {
        "id": page.id,
        "title": page.title,
        "space_key": args.space_key,
        "version": page.version,
        "url": page.url,
        "template_id": args.template_id,
        "template_name": template.get("name"),
    }
    text = f"Created page {page.id} '{page.title}' in {args.space_key} from template '{template.get('name')}'."
    if page.url:
        text += f"\nURL: {page.url}"
    return ToolResult(text + "\n", data)


# ---------------------------------------------------------------------- permissions


class CheckPermissions(Arguments):
    content_id: TextPageId
    user_identifier: Annotated[
        str,
        Field(
            min_length=1,
            max_length=255,
            description="The user (display name, email, account id, or 'me') or the group (name or id)",
        ),
    ]
    operation: Annotated[Literal["read", "update", "delete"], BeforeValidator(_lower)]
    subject_type: Annotated[Literal["user", "group"], BeforeValidator(_lower)] = "user"


def _candidate_label(user: dict[str, Any]) -> str:
    return f"{user.get('displayName') or user.get('publicName') or '?'} ({user.get('accountId')})"


async def _account(confluence: ConfluenceClient, identifier: str) -> dict[str, Any]:
    """The Cloud user `identifier` names: 'me', an account id, or the one user whose name or email it is."""
    if identifier.casefold() in MYSELF:
        return await confluence.myself()
    if not any(c.isspace() for c in identifier) and "@" not in identifier:
        found = await confluence.user_by_account_id(identifier)
        if found is not None:
            return found
    data = await confluence.user_search(f"user.fullname ~ {cql_string(identifier)}", 25)
    candidates = _users_of(data)
    folded = identifier.casefold()
    for key in ("accountId", "email", "displayName", "publicName"):
        exact = [u for u in candidates if str(u.get(key) or "").casefold() == folded]
        if exact:
            candidates = exact
            break
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise InvalidArguments(f"No Confluence user matches '{identifier}'; give their account id or email.")
    shown = ", ".join(_candidate_label(u) for u in candidates[:10])
    raise InvalidArguments(f"'{identifier}' matches several Confluence users: {shown}. Give the account id.")


@tool(
    "confluence_check_content_permissions",
    title="Confluence: check content permission",
    toolset="confluence_permissions",
)
async def check_content_permissions(confluence: ConfluenceClient, args: CheckPermissions) -> ToolResult:
    """Check whether a user (display name, email or account id) or a group (name or id) may read, update or
    delete a page or other content (Confluence Cloud; Server/Data Center has no such API and is refused before
    anything is sent)."""
    if not confluence.cloud:
        raise InvalidArguments(NO_PERMISSION_CHECK)
    if args.subject_type == "user":
        user = await _account(confluence, args.user_identifier)
        ident = str(user.get("accountId") or "")
        if not ident:
            raise InvalidArguments(f"Confluence shows no account id for '{args.user_identifier}'.")
        who = f"{user.get('displayName') or user.get('publicName') or ident} ({ident})"
    else:
        name = args.user_identifier
        ident = name if _GROUP_ID.match(name) else await confluence.group_id(name)
        who = f"group {name}" + (f" ({ident})" if ident != name else "")
    answer = await confluence.check_permission(args.content_id, args.subject_type, ident, args.operation)
    allowed = answer.get("hasPermission") is True
    reasons = []
    for error in answer.get("errors") or []:
        if isinstance(error, dict):
            message = error.get("translation") or (error.get("message") or {}).get("key") or error.get("key")
            if message:
                reasons.append(str(message))
    text = f"{who} {'can' if allowed else 'cannot'} {args.operation} content {args.content_id}."
    if reasons:
        text += " Confluence: " + "; ".join(reasons)
    structured = {
        "content_id": args.content_id,
        "subject_type": args.subject_type,
        "identifier": ident,
        "operation": args.operation,
        "has_permission": allowed,
        "errors": reasons,
    }
    return ToolResult(text + "\n", structured)


class SpacePermissions(Arguments):
    space_id: Annotated[
        str,
        BeforeValidator(_text_id),
        Field(
            pattern=r"^~?[A-Za-z0-9_-]{1,255}$",
            description="The space's numeric id (Cloud) or its key, e.g. ENG",
        ),
    ]
    limit: Annotated[int, Field(ge=1, le=250)] = 25
    cursor: Cursor = None


async def _principal_names(confluence: ConfluenceClient, rows: list[dict[str, Any]]) -> None:
    """Cloud names principals by id: their names are added where Confluence shows them (best effort)."""
    users = list(dict.fromkeys(str(r["principal"]) for r in rows if r["principal_type"] == "user" and r["principal"]))
    groups = list(dict.fromkeys(str(r["principal"]) for r in rows if r["principal_type"] == "group" and r["principal"]))
    names: dict[str, str | None] = {}
    try:
        if users:
            names.update(await confluence.user_names(users))
        for group in groups:
            names[group] = await confluence.group_name(group)
    except UpstreamError:
        pass  # the ids stand on their own
    for r in rows:
        r["principal_name"] = names.get(str(r["principal"])) or None


def _grouped(rows: list[dict[str, Any]]) -> list[str]:
    """One line a principal: what it may do, in the order Confluence listed it."""
    held: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        name = str(r["principal"])
        if r["principal_name"] and r["principal_name"] != name:
            name = f"{r['principal_name']} ({name})"
        held.setdefault((str(r["principal_type"]), name), []).append(f"{r['operation']} {r['target']}")
    return [f"- {kind} {name}: {', '.join(ops)}" for (kind, name), ops in held.items()]


@tool("confluence_get_space_permissions", title="Confluence: space permissions", toolset="confluence_permissions")
async def get_space_permissions(confluence: ConfluenceClient, args: SpacePermissions) -> ToolResult:
    """List who may do what in a space (by its id or key): each permission's user or group (named where
    Confluence shows it), operation and target. Pass next_cursor back as cursor for more. Older Server/Data
    Center versions have no such API, which is said."""
    if confluence.cloud:
        space_id = args.space_id if args.space_id.isdigit() else await confluence.space_id(args.space_id)
        found, token = await confluence.space_permissions(space_id, args.limit, args.cursor)
        rows = [
            {
                "id": str(p.get("id", "")),
                "principal_type": (p.get("principal") or {}).get("type"),
                "principal": (p.get("principal") or {}).get("id"),
                "operation": (p.get("operation") or {}).get("key"),
                "target": (p.get("operation") or {}).get("targetType"),
            }
            for p in found
        ]
        await _principal_names(confluence, rows)
        space = args.space_id if space_id == args.space_id else f"{args.space_id} ({space_id})"
    else:
        if args.space_id.isdigit():
            raise InvalidArguments(
                "Confluence Server/Data Center names spaces by key here: give the space key (e.g. ENG), not an id."
            )
        start = offset_token(args.cursor, "cursor")
        listed = [p for p in await confluence.space_permissions_v1(args.space_id) if isinstance(p, dict)]
        window = listed[start : start + args.limit]
        token = next_offset(start, len(window), start + len(window) < len(listed))
        rows = [
            {
                "id": None,
                "principal_type": (p.get("subject") or {}).get("type"),
                "principal": (p.get("subject") or {}).get("displayName"),
                "principal_name": (p.get("subject") or {}).get("displayName"),
                "operation": (p.get("operation") or {}).get("operationKey"),
                "target": (p.get("operation") or {}).get("targetType"),
            }
            for p in window
        ]
        space_id, space = args.space_id, args.space_id
    lines = [f"{len(rows)} permissions in space {space}:" if rows else f"No permissions listed in space {space}."]
    lines += _grouped(rows)
    if token:
        lines += ["", f'More: call confluence_get_space_permissions with the same space_id and cursor="{token}".']
    structured = {"space_id": space_id, "permissions": rows, "next_cursor": token}
    return ToolResult("\n".join(lines) + "\n", structured)
