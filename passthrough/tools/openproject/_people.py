"""OpenProject tools for users, groups, watchers, memberships and roles.

People are named as a model names them: "me", an id, a login or a name, resolved by the client's one
resolver (`OpenProjectClient.principal`, cached per user: who is visible differs per user). Listing users
and placeholder users is for administrators (and managers of members); a 403 there is said in one
sentence, with what to use instead. Memberships in API v3 carry no lockVersion; an update sends the one a
membership shows, if any, under the same conflict-safe rule as work packages.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, model_validator

from passthrough.errors import InvalidArguments, ToolError, UpstreamError
from passthrough.providers.openproject import OpenProjectClient, elements, href_id
from passthrough.providers.openproject._people import MEMBER_KINDS
from passthrough.tools._spec import Arguments, NoArguments, ToolResult, tool
from passthrough.tools.openproject._common import WorkPackageId

USERS = "openproject_users"
WATCHERS = "openproject_watchers"
MEMBERSHIPS = "openproject_memberships"


def _text(value: Any) -> Any:
    """The peer sends ids as numbers where we take a name or an id as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _first_page(value: Any) -> Any:
    """The peer's offset 0 (its default) is our first page."""
    return 1 if value == 0 else value


def _ref(*names: str, **extra: Any) -> Any:
    """Our argument name first, then the peer's (pinealctx/openproject-mcp's camelCase, `id`)."""
    return Field(validation_alias=AliasChoices(*names), **extra)


Person = Annotated[
    str,
    BeforeValidator(_text),
    Field(min_length=1, max_length=255, description="'me', a user id, a login or a name"),
]
ProjectRef = Annotated[
    str,
    BeforeValidator(_text),
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$", description="Project id or identifier, e.g. demo-project"),
]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
PageSize = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, BeforeValidator(_first_page), Field(ge=1, le=100_000, description="Page number, from 1")]
RoleRef = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=255)]
SortBy = Annotated[
    str,
    Field(
        max_length=200,
        description="Sort as 'name:asc' or 'created_at:desc,id:asc' (or OpenProject's JSON [[\"name\",\"asc\"]])",
    ),
]
Message = Annotated[str, Field(max_length=5_000, description="A message for the member's notification (Markdown)")]
UserStatus = Literal["active", "registered", "locked", "invited"]


def _sort(value: str | None) -> list[list[str]] | None:
    """`name:asc,id:desc` (or JSON pairs) as OpenProject's sortBy pairs; linear, bounded by the field's length."""
    if not value:
        return None
    if value.startswith("["):
        try:
            data = json.loads(value)
        except ValueError:
            raise InvalidArguments('sort_by is not valid JSON; use \'name:asc\' or [["name", "asc"]]') from None
        pairs = [p for p in data if isinstance(p, list) and len(p) == 2] if isinstance(data, list) else []
        if not pairs or len(pairs) != len(data):
            raise InvalidArguments('sort_by JSON must be pairs such as [["name", "asc"]]')
        items = [(str(p[0]), str(p[1])) for p in pairs]
    else:
        items = []
        for part in value.split(","):
            name, _, direction = part.strip().partition(":")
            items.append((name.strip(), (direction or "asc").strip()))
    out: list[list[str]] = []
    for name, direction in items:
        if not name or len(name) > 40 or not name.replace("_", "").isalnum() or not name.isascii():
            raise InvalidArguments(f"sort_by names an unusable property '{name[:40]}'")
        if direction.lower() not in ("asc", "desc"):
            raise InvalidArguments(f"sort_by direction must be asc or desc, not '{direction[:10]}'")
        out.append([name, direction.lower()])
    return out


def _next(data: dict[str, Any], offset: int, size: int, shown: int) -> int | None:
    total = data.get("total")
    return offset + 1 if isinstance(total, int) and (offset - 1) * size + shown < total else None


def _paged(rows: list[dict[str, Any]], data: dict[str, Any], offset: int, size: int, key: str) -> dict[str, Any]:
    return {
        key: rows,
        "total": data.get("total"),
        "offset": offset,
        "page_size": size,
        "next_offset": _next(data, offset, size, len(rows)),
    }


def _more(tool_name: str, nxt: int | None) -> list[str]:
    return ["", f"More: call {tool_name} with the same arguments and offset={nxt}."] if nxt else []


async def _admin_only(call: Any, what: str, instead: str) -> dict[str, Any]:
    """The answer of an endpoint OpenProject keeps for administrators; a 403 becomes one clear sentence."""
    try:
        data: dict[str, Any] = await call
    except UpstreamError as exc:
        if exc.status == 403:
            raise ToolError(
                f"OpenProject lets only administrators (or users allowed to manage {what}) list {what}, and this "
                f"API key's user is not one. {instead}"
            ) from None
        raise
    return data


# ---------------------------------------------------------------------- rendering


def _kind(link: Any) -> str:
    href = link.get("href") if isinstance(link, dict) else None
    namespace = href.rstrip("/").rsplit("/", 2)[-2] if isinstance(href, str) and href.count("/") >= 2 else ""
    return {"users": "user", "groups": "group", "placeholder_users": "placeholder user"}.get(namespace, "user")


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else value if isinstance(value, int) else None


def _person(p: dict[str, Any]) -> dict[str, Any]:
    kind = {"User": "user", "Group": "group", "PlaceholderUser": "placeholder user"}.get(str(p.get("_type")), "user")
    row: dict[str, Any] = {"id": p.get("id"), "name": p.get("name"), "type": kind}
    for key, source in (("login", "login"), ("email", "email"), ("status", "status"), ("admin", "admin")):
        if p.get(source) is not None:
            row[key] = p.get(source)
    return row


def _person_line(r: dict[str, Any]) -> str:
    bits = [f"id {r['id']}"]
    if r.get("login"):
        bits.insert(0, f"login {r['login']}")
    if r["type"] != "user":
        bits.append(r["type"])
    extra = f" — {r['email']}" if r.get("email") else ""
    flags = "".join(
        f" [{f}]"
        for f in ("admin" if r.get("admin") else "", r.get("status", "") if r.get("status") != "active" else "")
        if f
    )
    return f"- {r['name']} ({', '.join(bits)}){extra}{flags}"


def _members(group: dict[str, Any]) -> list[dict[str, Any]]:
    links = (group.get("_links") or {}).get("members")
    embedded = (group.get("_embedded") or {}).get("members")
    if isinstance(embedded, list) and embedded:
        return [{"id": m.get("id"), "name": m.get("name")} for m in embedded if isinstance(m, dict)]
    if isinstance(links, list):
        return [{"id": _int(href_id(m)), "name": m.get("title")} for m in links if isinstance(m, dict)]
    return []


def _group(g: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": g.get("id"),
        "name": g.get("name"),
        "members": _members(g),
        "created_at": g.get("createdAt"),
        "updated_at": g.get("updatedAt"),
    }


def _membership(m: dict[str, Any]) -> dict[str, Any]:
    links = m.get("_links") or {}
    principal = links.get("principal") or {}
    project = links.get("project") or {}
    roles = [r for r in links.get("roles") or [] if isinstance(r, dict)]
    return {
        "id": m.get("id"),
        "project": project.get("title"),
        "project_id": _int(href_id(project)),
        "principal": principal.get("title"),
        "principal_id": _int(href_id(principal)),
        "principal_type": _kind(principal),
        "roles": [r.get("title") for r in roles],
        "role_ids": [_int(href_id(r)) for r in roles],
        "created_at": m.get("createdAt"),
        "updated_at": m.get("updatedAt"),
    }


def _who(m: dict[str, Any]) -> str:
    kind = "" if m["principal_type"] == "user" else f" ({m['principal_type']})"
    return f"{m['principal']}{kind}"


def _membership_line(m: dict[str, Any]) -> str:
    roles = ", ".join(str(r) for r in m["roles"]) or "no roles"
    return f"- membership #{m['id']}: {_who(m)} in {m['project']} — {roles}"


# ---------------------------------------------------------------------- users, groups, placeholder users


class ListUsers(Arguments):
    name: Annotated[str | None, Field(min_length=1, max_length=255, description="Part of a name or e-mail")] = None
    login: Annotated[str | None, Field(min_length=1, max_length=255, description="Exact login")] = None
    status: Annotated[UserStatus | None, BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v)] = None
    group: Annotated[str | None, BeforeValidator(_text), Field(min_length=1, max_length=255)] = None
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 20
    offset: Offset = 1
    sort_by: Annotated[SortBy | None, _ref("sort_by", "sortBy")] = None


@tool("openproject_list_users", title="OpenProject: list users", toolset=USERS)
async def list_users(openproject: OpenProjectClient, args: ListUsers) -> ToolResult:
    """List OpenProject users (administrators only, as OpenProject allows), filtered by part of a name or
    e-mail, exact login, status (active, registered, locked, invited) or group (name or id). Pages with offset
    (1-based page number) and page_size; reports the total. Refused in one sentence for a non-administrator."""
    filters: list[dict[str, Any]] = []
    if args.status:
        filters.append({"status": {"operator": "=", "values": [args.status]}})
    if args.group:
        group = await openproject.principal(args.group, ("Group",)) if not args.group.isdigit() else None
        filters.append({"group": {"operator": "=", "values": [str(group["id"]) if group else args.group]}})
    if args.name:
        filters.append({"name": {"operator": "~", "values": [args.name]}})
    if args.login:
        filters.append({"login": {"operator": "=", "values": [args.login]}})
    data = await _admin_only(
        openproject.users(filters, args.page_size, args.offset, _sort(args.sort_by)),
        "users",
        "To find people, use openproject_list_project_members or openproject_list_available_assignees.",
    )
    rows = [_person(u) for u in elements(data)]
    out = _paged(rows, data, args.offset, args.page_size, "users")
    head = f"{out['total']} users (page {args.offset}):" if rows else "No users match."
    lines = [head, *(_person_line(r) for r in rows), *_more("openproject_list_users", out["next_offset"])]
    return ToolResult("\n".join(lines) + "\n", {**out, "filters": filters})


class GetUser(Arguments):
    user: Annotated[Person, _ref("user", "id", "user_id", "login")]


@tool("openproject_get_user", title="OpenProject: get user", toolset=USERS)
async def get_user(openproject: OpenProjectClient, args: GetUser) -> ToolResult:
    """Get one user by id, login, name or 'me': name, login and e-mail (where OpenProject shows them to you),
    status, whether an administrator."""
    ref = args.user
    if ref.casefold() != "me" and not ref.isdigit():
        ref = str((await openproject.principal(ref))["id"])
    try:
        u = await openproject.user(ref.lower() if ref.casefold() == "me" else ref)
    except UpstreamError as exc:
        if exc.status == 404:
            raise InvalidArguments(f"No OpenProject user {args.user} is visible to you.") from None
        raise
    row = {**_person(u), "created_at": u.get("createdAt"), "updated_at": u.get("updatedAt")}
    lines = [f"# {row['name']}", _person_line(row)[2:]]
    return ToolResult("\n".join(lines) + "\n", row)


class ListGroups(Arguments):
    sort_by: Annotated[SortBy | None, _ref("sort_by", "sortBy")] = None
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 50
    offset: Offset = 1


@tool("openproject_list_groups", title="OpenProject: list groups", toolset=USERS)
async def list_groups(openproject: OpenProjectClient, args: ListGroups) -> ToolResult:
    """List the groups you may see (all of them if you manage members somewhere, else those in your projects),
    with their members. Pages with offset and page_size; reports the total."""
    data = await openproject.groups(_sort(args.sort_by), args.page_size, args.offset)
    rows = [_group(g) for g in elements(data)]
    out = _paged(rows, data, args.offset, args.page_size, "groups")
    lines = [f"{out['total']} groups (page {args.offset}):" if rows else "No groups visible to you."]
    for g in rows:
        names = ", ".join(str(m["name"]) for m in g["members"][:20]) or "no members"
        lines.append(f"- {g['name']} (id {g['id']}) — {len(g['members'])} members: {names}")
    lines += _more("openproject_list_groups", out["next_offset"])
    return ToolResult("\n".join(lines) + "\n", out)


class GetGroup(Arguments):
    group: Annotated[str, BeforeValidator(_text), _ref("group", "id", "group_id", min_length=1, max_length=255)]


@tool("openproject_get_group", title="OpenProject: get group", toolset=USERS)
async def get_group(openproject: OpenProjectClient, args: GetGroup) -> ToolResult:
    """Get one group by id or name, with its members."""
    group_id = (
        int(args.group) if args.group.isdigit() else int((await openproject.principal(args.group, ("Group",)))["id"])
    )
    try:
        g = _group(await openproject.group(group_id))
    except UpstreamError as exc:
        if exc.status == 404:
            raise InvalidArguments(f"No OpenProject group {args.group} is visible to you.") from None
        raise
    lines = [f"# {g['name']} (group {g['id']})", "", f"## Members ({len(g['members'])})"]
    lines += [f"- {m['name']} (id {m['id']})" for m in g["members"]] or ["_No members._"]
    return ToolResult("\n".join(lines) + "\n", g)


class ListPlaceholderUsers(Arguments):
    name: Annotated[str | None, Field(min_length=1, max_length=255, description="Part of the name")] = None
    filters: Annotated[
        str | None,
        Field(
            max_length=2_000, description='OpenProject filters JSON, e.g. [{"name":{"operator":"~","values":["UX"]}}]'
        ),
    ] = None
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 50
    offset: Offset = 1

    @model_validator(mode="after")
    def _filters_are_json(self) -> ListPlaceholderUsers:
        if self.filters is not None:
            try:
                data = json.loads(self.filters)
            except ValueError:
                raise ValueError("filters is not valid JSON") from None
            if not isinstance(data, list) or not all(isinstance(f, dict) and len(f) == 1 for f in data):
                raise ValueError('filters must be a JSON array of one-key objects, e.g. [{"name": {...}}]')
        return self


@tool("openproject_list_placeholder_users", title="OpenProject: list placeholder users", toolset=USERS)
async def list_placeholder_users(openproject: OpenProjectClient, args: ListPlaceholderUsers) -> ToolResult:
    """List placeholder users (stand-ins for people not yet in OpenProject), by part of the name or OpenProject
    filters JSON. Only administrators and those who manage members may; refused in one sentence otherwise."""
    filters: list[dict[str, Any]] = json.loads(args.filters) if args.filters else []
    if args.name:
        filters.append({"name": {"operator": "~", "values": [args.name]}})
    data = await _admin_only(
        openproject.placeholder_users(filters, args.page_size, args.offset),
        "placeholder users",
        "Project members, placeholders included, are listed by openproject_list_project_members.",
    )
    rows = [_person(p) for p in elements(data)]
    out = _paged(rows, data, args.offset, args.page_size, "placeholder_users")
    lines = [f"{out['total']} placeholder users (page {args.offset}):" if rows else "No placeholder users match."]
    lines += [f"- {r['name']} (id {r['id']})" for r in rows]
    lines += _more("openproject_list_placeholder_users", out["next_offset"])
    return ToolResult("\n".join(lines) + "\n", {**out, "filters": filters})


class AvailableAssignees(Arguments):
    project: Annotated[ProjectRef | None, _ref("project", "projectId", "project_id")] = None
    work_package_id: Annotated[WorkPackageId | None, _ref("work_package_id", "workPackageId")] = None

    @model_validator(mode="after")
    def _one(self) -> AvailableAssignees:
        if (self.project is None) == (self.work_package_id is None):
            raise ValueError("give either project or work_package_id")
        return self


@tool("openproject_list_available_assignees", title="OpenProject: list assignable people", toolset=USERS)
async def list_available_assignees(openproject: OpenProjectClient, args: AvailableAssignees) -> ToolResult:
    """List who may be assigned work packages in a project, or one work package (users, and groups and
    placeholder users where the instance allows them)."""
    if args.work_package_id is not None:
        data = await openproject.available_assignees(wp_id=args.work_package_id)
        where = f"work package #{args.work_package_id}"
    else:
        data = await openproject.available_assignees(project_id=await openproject.project_id(str(args.project)))
        where = f"project {args.project}"
    rows = [_person(p) for p in elements(data)]
    lines = [f"{len(rows)} people can be assigned in {where}:" if rows else f"Nobody can be assigned in {where}."]
    lines += [_person_line(r) for r in rows]
    return ToolResult(
        "\n".join(lines) + "\n",
        {"project": args.project, "work_package_id": args.work_package_id, "assignees": rows, "total": len(rows)},
    )


# ---------------------------------------------------------------------- watchers


class Watchers(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]


@tool("openproject_list_work_package_watchers", title="OpenProject: list watchers", toolset=WATCHERS)
async def list_watchers(openproject: OpenProjectClient, args: Watchers) -> ToolResult:
    """List who watches a work package (is notified of its changes)."""
    rows = [_person(u) for u in elements(await openproject.watchers(args.work_package_id))]
    head = f"{len(rows)} watchers of work package #{args.work_package_id}:"
    lines = [head if rows else f"Nobody watches work package #{args.work_package_id}."]
    lines += [_person_line(r) for r in rows]
    return ToolResult(
        "\n".join(lines) + "\n", {"work_package_id": args.work_package_id, "watchers": rows, "total": len(rows)}
    )


class Watcher(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]
    user: Annotated[Person, _ref("user", "userId", "user_id")]


@tool("openproject_add_work_package_watcher", title="OpenProject: add watcher", toolset=WATCHERS, effect="set")
async def add_watcher(openproject: OpenProjectClient, args: Watcher) -> ToolResult:
    """Make a user (me, an id, a login or a name) watch a work package; one already watching is left as is.
    Refused by OpenProject when the user may not see the work package."""
    who = await openproject.principal(args.user)
    user, added = await openproject.add_watcher(args.work_package_id, str(who["href"]))
    name = user.get("name") or who["name"] or f"user {who['id']}"
    state = "now watches" if added else "was already watching"
    return ToolResult(
        f"{name} {state} work package #{args.work_package_id}.\n",
        {"work_package_id": args.work_package_id, "user": _person(user) if user else who, "added": added},
    )


@tool(
    "openproject_remove_work_package_watcher",
    title="OpenProject: remove watcher",
    toolset=WATCHERS,
    effect="delete",
)
async def remove_watcher(openproject: OpenProjectClient, args: Watcher) -> ToolResult:
    """Stop a user (me, an id, a login or a name) watching a work package. Says whom it removed, or that they
    were not watching (then nothing is sent)."""
    who = await openproject.principal(args.user)
    current = [_person(u) for u in elements(await openproject.watchers(args.work_package_id))]
    found = next((u for u in current if u["id"] == who["id"]), None)
    if found is None:
        return ToolResult(
            f"{who['name'] or 'User ' + str(who['id'])} was not watching work package #{args.work_package_id}; "
            "nothing changed.\n",
            {"work_package_id": args.work_package_id, "user": who, "removed": False},
        )
    await openproject.remove_watcher(args.work_package_id, int(who["id"]))
    return ToolResult(
        f"{found['name']} no longer watches work package #{args.work_package_id}.\n",
        {"work_package_id": args.work_package_id, "user": found, "removed": True},
    )


# ---------------------------------------------------------------------- memberships and roles


def _roles_arg(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


Roles = Annotated[
    list[RoleRef],
    BeforeValidator(_roles_arg),
    Field(min_length=1, max_length=20, description="Role names or ids, e.g. ['Member']"),
]


async def _role_links(client: OpenProjectClient, roles: list[str]) -> list[dict[str, Any]]:
    catalog = await client.roles()
    links = []
    for ref in roles:
        role = client.by_name(catalog, ref, "role") if not ref.isdigit() else {"id": int(ref)}
        href = {"href": f"{client.api}/roles/{role['id']}"}
        if href not in links:
            links.append(href)
    return links


def _meta(message: str | None, notify: bool | None) -> dict[str, Any] | None:
    meta: dict[str, Any] = {}
    if message:
        meta["notificationMessage"] = {"format": "markdown", "raw": message}
    if notify is not None:
        meta["sendNotifications"] = notify
    return meta or None


class ListMemberships(Arguments):
    project: Annotated[ProjectRef | None, _ref("project", "projectId", "project_id")] = None
    principal: Annotated[Person | None, _ref("principal", "principal_id", "user")] = None
    role: RoleRef | None = None
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 50
    offset: Offset = 1


async def _membership_filters(
    client: OpenProjectClient, project: str | None, principal: str | None, role: str | None
) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    if project:
        filters.append({"project": {"operator": "=", "values": [await client.project_id(project)]}})
    if principal:
        who = await client.principal(principal, MEMBER_KINDS)
        filters.append({"principal": {"operator": "=", "values": [str(who["id"])]}})
    if role:
        found = client.by_name(await client.roles(), role, "role")
        filters.append({"role": {"operator": "=", "values": [str(found["id"])]}})
    return filters


@tool("openproject_list_memberships", title="OpenProject: list memberships", toolset=MEMBERSHIPS)
async def list_memberships(openproject: OpenProjectClient, args: ListMemberships) -> ToolResult:
    """List project memberships (who has which roles where) you may see, by project, principal (user, group or
    placeholder user: me, id, login or name) and role name. Pages with offset and page_size; reports the
    total."""
    filters = await _membership_filters(openproject, args.project, args.principal, args.role)
    data = await openproject.memberships(filters, args.page_size, args.offset)
    rows = [_membership(m) for m in elements(data)]
    out = _paged(rows, data, args.offset, args.page_size, "memberships")
    lines = [f"{out['total']} memberships (page {args.offset}):" if rows else "No memberships match."]
    lines += [_membership_line(m) for m in rows]
    lines += _more("openproject_list_memberships", out["next_offset"])
    return ToolResult("\n".join(lines) + "\n", {**out, "filters": filters})


class GetMembership(Arguments):
    membership_id: Annotated[Id, _ref("membership_id", "id")]


async def _read_membership(client: OpenProjectClient, membership_id: int) -> dict[str, Any]:
    try:
        return await client.membership(membership_id)
    except UpstreamError as exc:
        if exc.status == 404:
            raise InvalidArguments(f"No membership #{membership_id} is visible to you.") from None
        raise


@tool("openproject_get_membership", title="OpenProject: get membership", toolset=MEMBERSHIPS)
async def get_membership(openproject: OpenProjectClient, args: GetMembership) -> ToolResult:
    """Get one membership: the project, the principal (user, group or placeholder user) and its roles."""
    m = _membership(await _read_membership(openproject, args.membership_id))
    return ToolResult(
        f"Membership #{m['id']}: {_who(m)} in {m['project']} with roles {', '.join(map(str, m['roles'])) or 'none'}.\n",
        m,
    )


class CreateMembership(Arguments):
    project: Annotated[ProjectRef, _ref("project", "projectId", "project_id")]
    principal: Annotated[Person, _ref("principal", "user", "user_id", "principal_id")]
    roles: Annotated[Roles, _ref("roles", "roleIds", "role_ids", "role")]
    notification_message: Message | None = None
    send_notifications: bool | None = None


@tool("openproject_create_membership", title="OpenProject: add project member", toolset=MEMBERSHIPS, effect="create")
async def create_membership(openproject: OpenProjectClient, args: CreateMembership) -> ToolResult:
    """Add a user, group or placeholder user (me, an id, a login or a name) to a project with roles (names or
    ids). Refused by OpenProject without the permission to manage members, or when already a member."""
    project_id = await openproject.project_id(args.project)
    who = await openproject.principal(args.principal, MEMBER_KINDS)
    body: dict[str, Any] = {
        "_links": {
            "project": {"href": f"{openproject.api}/projects/{project_id}"},
            "principal": {"href": who["href"]},
            "roles": await _role_links(openproject, args.roles),
        }
    }
    meta = _meta(args.notification_message, args.send_notifications)
    if meta:
        body["_meta"] = meta
    m = _membership(await openproject.create_membership(body))
    return ToolResult(
        f"Added {_who(m)} to {m['project']} as {', '.join(map(str, m['roles']))} (membership #{m['id']}).\n", m
    )


class UpdateMembership(Arguments):
    membership_id: Annotated[Id, _ref("membership_id", "id")]
    roles: Annotated[Roles, _ref("roles", "roleIds", "role_ids", "role")]
    notification_message: Message | None = None
    send_notifications: bool | None = None


@tool(
    "openproject_update_membership",
    title="OpenProject: change member's roles",
    toolset=MEMBERSHIPS,
    effect="update",
)
async def update_membership(openproject: OpenProjectClient, args: UpdateMembership) -> ToolResult:
    """Replace a membership's roles (names or ids). Returns the roles before and after; never overwrites a
    concurrent change of the roles where OpenProject reports one."""
    first = await _read_membership(openproject, args.membership_id)
    body: dict[str, Any] = {"_links": {"roles": await _role_links(openproject, args.roles)}}
    meta = _meta(args.notification_message, args.send_notifications)
    if meta:
        body["_meta"] = meta
    retried = False
    if "lockVersion" in first:
        body["lockVersion"] = first["lockVersion"]
    try:
        after = await openproject.update_membership(args.membership_id, body)
    except UpstreamError as exc:
        if exc.status != 409 or "lockVersion" not in first:
            raise
        again = await openproject.membership(args.membership_id)
        if _membership(again)["role_ids"] != _membership(first)["role_ids"]:
            raise ToolError(
                f"Membership #{args.membership_id}'s roles were changed by someone else meanwhile; nothing was "
                "overwritten. Read it again and decide."
            ) from None
        body["lockVersion"] = again.get("lockVersion")
        after, retried = await openproject.update_membership(args.membership_id, body), True
    before, now = _membership(first), _membership(after)
    was = ", ".join(map(str, before["roles"])) or "none"
    return ToolResult(
        f"{_who(now)} in {now['project']} now has roles {', '.join(map(str, now['roles']))} (was: {was}).\n",
        {**now, "previous_roles": before["roles"], "retried": retried},
    )


class DeleteMembership(Arguments):
    membership_id: Annotated[Id, _ref("membership_id", "id")]


@tool(
    "openproject_delete_membership",
    title="OpenProject: remove project member",
    toolset=MEMBERSHIPS,
    effect="delete",
)
async def delete_membership(openproject: OpenProjectClient, args: DeleteMembership) -> ToolResult:
    """Remove a principal from a project by deleting its membership. Says who left which project and the
    roles they had."""
    m = _membership(await _read_membership(openproject, args.membership_id))
    await openproject.delete_membership(args.membership_id)
    roles = ", ".join(map(str, m["roles"])) or "no roles"
    return ToolResult(
        f"Deleted membership #{m['id']}: {_who(m)} is no longer a member of {m['project']} (had {roles}).\n",
        {"deleted": True, "membership": m},
    )


class ProjectMembers(Arguments):
    project: Annotated[ProjectRef, _ref("project", "projectId", "project_id")]
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 100
    offset: Offset = 1


@tool("openproject_list_project_members", title="OpenProject: list project members", toolset=MEMBERSHIPS)
async def list_project_members(openproject: OpenProjectClient, args: ProjectMembers) -> ToolResult:
    """List a project's members (users, groups, placeholder users) with their roles. Pages with offset and
    page_size; reports the total."""
    filters = await _membership_filters(openproject, args.project, None, None)
    data = await openproject.memberships(filters, args.page_size, args.offset)
    rows = [_membership(m) for m in elements(data)]
    members = [
        {
            "name": m["principal"],
            "id": m["principal_id"],
            "type": m["principal_type"],
            "roles": m["roles"],
            "membership_id": m["id"],
        }
        for m in rows
    ]
    out = _paged(members, data, args.offset, args.page_size, "members")
    lines = [f"{out['total']} members of {args.project}:" if rows else f"{args.project} has no members visible to you."]
    lines += [f"- {_who(m)} — {', '.join(map(str, m['roles'])) or 'no roles'}" for m in rows]
    lines += _more("openproject_list_project_members", out["next_offset"])
    return ToolResult("\n".join(lines) + "\n", {"project": args.project, **out})


@tool("openproject_list_roles", title="OpenProject: list roles", toolset=MEMBERSHIPS)
async def list_roles(openproject: OpenProjectClient, _: NoArguments) -> ToolResult:
    """List the roles (built-in ones such as Non member and Anonymous included), for memberships by name."""
    rows = [{"id": r.get("id"), "name": r.get("name")} for r in await openproject.roles()]
    lines = ["Roles:", *(f"- {r['name']} (id {r['id']})" for r in rows)]
    return ToolResult("\n".join(lines) + "\n", {"roles": rows})


class GetRole(Arguments):
    role: Annotated[RoleRef, _ref("role", "id", "role_id")]


@tool("openproject_get_role", title="OpenProject: get role", toolset=MEMBERSHIPS)
async def get_role(openproject: OpenProjectClient, args: GetRole) -> ToolResult:
    """Get one role by id or name (and its permissions, where the instance shows them)."""
    role_id = (
        int(args.role)
        if args.role.isdigit()
        else int(openproject.by_name(await openproject.roles(), args.role, "role")["id"])
    )
    try:
        r = await openproject.role(role_id)
    except UpstreamError as exc:
        if exc.status == 404:
            raise InvalidArguments(f"No OpenProject role {args.role}.") from None
        raise
    row: dict[str, Any] = {"id": r.get("id"), "name": r.get("name")}
    if isinstance(r.get("permissions"), list):
        row["permissions"] = [str(p) for p in r["permissions"]][:500]
    lines = [f"# {row['name']} (role {row['id']})"]
    if "permissions" in row:
        lines += ["", "## Permissions", *(f"- {p}" for p in row["permissions"])]
    return ToolResult("\n".join(lines) + "\n", row)
