"""Confluence tools that move, copy or delete a page, and read or set its restrictions."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers.confluence import ConfluenceClient, Page, VersionConflict
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.confluence._common import SpaceKey, cql_string

TOOLSET = "confluence_pages"
MAX_PRINCIPALS = 100  # users or groups in one restriction list
_USER_KEY = re.compile(r"^[0-9a-f]{32}$")  # a Server/Data Center user key
_OPERATIONS = (("read", "View"), ("update", "Edit"))


def _text_id(value: Any) -> Any:
    """Ids are strings in the schema (as in the peer); a number a model sends is taken as one."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _position(value: Any) -> Any:
    """The peer's above/below are Confluence's before/after."""
    if not isinstance(value, str):
        return value
    value = value.strip().lower()
    return {"above": "before", "below": "after"}.get(value, value)


Id = Annotated[str, BeforeValidator(_text_id), Field(pattern=r"^[0-9]{1,20}$", description="Numeric page id")]
Version = Annotated[
    int | None,
    Field(ge=1, le=10**9, description="The version you read (confluence_get_page); if it changed, nothing is done"),
]
Title = Annotated[str, Field(min_length=1, max_length=255)]
Principal = Annotated[str, Field(min_length=1, max_length=255)]
Users = Annotated[
    list[Principal] | None,
    Field(
        max_length=MAX_PRINCIPALS,
        description="Users: Cloud account ids (or an email or full name, looked up); Server/DC usernames or user keys",
    ),
]
Groups = Annotated[list[Principal] | None, Field(max_length=MAX_PRINCIPALS, description="Group names")]


def _conflict(page: Page, version: int | None) -> None:
    if version is not None and version != page.version:
        raise VersionConflict(
            "confluence",
            409,
            f"Page {page.id} is at version {page.version}, not the version {version} you read; someone changed "
            "it, so nothing was done. Read it again with confluence_get_page and decide again.",
        )


def _where(page: Page) -> str:
    space = page.space_key or page.space_id or "?"
    return f"under page {page.parent_id} in {space}" if page.parent_id else f"at the top of {space}"


# ---------------------------------------------------------------------- move


class MovePage(Arguments):
    page_id: Id
    target_parent_id: Annotated[
        Id | None,
        Field(description="The new parent (append), or the sibling to stand before or after; omitted: the space's top"),
    ] = None
    target_space_key: Annotated[
        SpaceKey | None, Field(description="The space to move to (its home page becomes the parent)")
    ] = None
    position: Annotated[
        Literal["append", "before", "after"],
        BeforeValidator(_position),
        Field(description="append (a child of the target), before or after (a sibling of it); above/below too"),
    ] = "append"
    version: Version = None


@tool("confluence_move_page", title="Confluence: move page", toolset=TOOLSET, effect="update")
async def move_page(confluence: ConfluenceClient, args: MovePage) -> ToolResult:
    """Move a page (with its children) under another parent, next to a sibling (position before/after), or to
    another space (target_space_key; without target_parent_id, under that space's home page). Returns where it
    was and where it is now. With version, nothing moves if the page changed since. Server/Data Center moves
    pages only under a parent in their own space."""
    if not args.target_parent_id and not args.target_space_key:
        raise InvalidArguments("Give target_parent_id (the new parent), target_space_key (another space), or both.")
    if args.position != "append" and not args.target_parent_id:
        raise InvalidArguments(f"position {args.position} places the page next to target_parent_id; give it.")
    if not confluence.cloud and args.position != "append":
        raise InvalidArguments(
            "Confluence Server/Data Center's REST API moves a page only under a new parent (position append), "
            "not before or after a sibling."
        )
    page = await confluence.page(args.page_id)
    _conflict(page, args.version)
    if args.target_parent_id:
        target = await confluence.page(args.target_parent_id)
        space = target.space_key or ""
        if args.target_space_key and space.casefold() != args.target_space_key.casefold():
            raise InvalidArguments(
                f"Page {target.id} is in space {space}, not {args.target_space_key}; give a target in that space, "
                "or leave out target_parent_id to move under its home page."
            )
        target_id = target.id
    else:
        space = args.target_space_key or ""
        home = await confluence.space_homepage(space)
        if home is None:
            raise InvalidArguments(f"Space {space} has no home page to move under; give target_parent_id.")
        target_id = home
    if target_id == page.id:
        raise InvalidArguments(f"Page {page.id} cannot be moved under or next to itself.")
    if not confluence.cloud and space.casefold() != (page.space_key or "").casefold():
        raise InvalidArguments(
            f"Confluence Server/Data Center's REST API moves a page only within its space ({page.space_key}), "
            f"not to {space}; copy it there with confluence_copy_page instead."
        )
    before = _where(page)
    if args.position == "append" and page.parent_id == target_id:
        data = _moved(page, page, args.position, target_id, moved=False)
        return ToolResult(f"Page {page.id} '{page.title}' is already {before}; nothing changed.\n", data)
    if confluence.cloud:
        await confluence.move_page_relative(page.id, args.position, target_id)
    else:
        try:
            await confluence.reparent_page(
                page.id, title=page.title, storage=page.body, version=page.version, parent_id=target_id
            )
        except UpstreamError as exc:
            if exc.status == 409:
                raise VersionConflict(
                    "confluence",
                    409,
                    f"Page {page.id} changed after it was read (it was version {page.version}); it was not moved. "
                    "Read it again with confluence_get_page and move it then.",
                ) from None
            raise
    now = await confluence.page(page.id)
    data = _moved(page, now, args.position, target_id, moved=True)
    placed = {"append": "under", "before": "before", "after": "after"}[args.position]
    text = f"Moved page {now.id} '{now.title}' {placed} page {target_id}: it was {before}, it is now {_where(now)}."
    text += f" Version {now.version}."
    if now.url:
        text += f"\nURL: {now.url}"
    return ToolResult(text + "\n", data)


def _moved(was: Page, now: Page, position: str, target_id: str, *, moved: bool) -> dict[str, Any]:
    return {
        "id": now.id,
        "title": now.title,
        "moved": moved,
        "position": position,
        "target_id": target_id,
        "space_key": now.space_key,
        "parent_id": now.parent_id,
        "previous_space_key": was.space_key,
        "previous_parent_id": was.parent_id,
        "version": now.version,
        "url": now.url,
    }


# ---------------------------------------------------------------------- copy


class CopyPage(Arguments):
    source_page_id: Id
    destination_space_key: SpaceKey
    new_title: Title
    destination_parent_id: Annotated[
        Id | None, Field(description="Parent page in the destination space; omitted: the space's top")
    ] = None
    copy_attachments: Annotated[bool, Field(description="Copy the attachments too (Cloud)")] = True


# "revise" (destructive, not idempotent) as the peer marks it destructive; a copy adds a new page each time
@tool("confluence_copy_page", title="Confluence: copy page", toolset=TOOLSET, effect="create")
async def copy_page(confluence: ConfluenceClient, args: CopyPage) -> ToolResult:
    """Copy a page (its title becomes new_title) into a space, optionally under destination_parent_id. Returns
    the new page's id and URL. Cloud copies the body and, with copy_attachments, the attachments; Server/Data
    Center has no copy API, so the body is read and a new page created (attachments are not copied)."""
    if args.destination_parent_id:
        parent = await confluence.page(args.destination_parent_id)
        if (parent.space_key or "").casefold() != args.destination_space_key.casefold():
            raise InvalidArguments(
                f"Page {parent.id} is in space {parent.space_key}, not {args.destination_space_key}; give a parent "
                "in the destination space, or none."
            )
    if confluence.cloud:
        answer = await confluence.copy_page(
            args.source_page_id,
            space_key=args.destination_space_key,
            parent_id=args.destination_parent_id,
            title=args.new_title,
            attachments=args.copy_attachments,
        )
        new_id = str(answer.get("id") or "")
        if not new_id.isdigit():
            raise UpstreamError("confluence", 200, "Confluence answered the copy without the new page's id.")
        page = await confluence.page(new_id)
        attachments = args.copy_attachments
        how = "with its attachments" if attachments else "without its attachments"
    else:
        source = await confluence.page(args.source_page_id)
        page = await confluence.create_page(
            args.destination_space_key, args.new_title, source.body, args.destination_parent_id
        )
        attachments = False
        how = "body only: Server/Data Center has no copy API, so attachments, labels and restrictions stay behind"
    data = {
        "id": page.id,
        "title": page.title,
        "source_page_id": args.source_page_id,
        "space_key": page.space_key or args.destination_space_key,
        "parent_id": page.parent_id,
        "version": page.version,
        "url": page.url,
        "attachments_copied": attachments,
    }
    text = f"Copied page {args.source_page_id} to new page {page.id} '{page.title}' in {data['space_key']} ({how})."
    if page.url:
        text += f"\nURL: {page.url}"
    return ToolResult(text + "\n", data)


# ---------------------------------------------------------------------- delete


class DeletePage(Arguments):
    page_id: Id
    version: Version = None


@tool("confluence_delete_page", title="Confluence: delete page", toolset=TOOLSET, effect="delete")
async def delete_page(confluence: ConfluenceClient, args: DeletePage) -> ToolResult:
    """Delete a page: Confluence moves it to its space's trash (a space admin can restore it), its children move
    up to its parent. Says what was deleted (title, id, version). With version, nothing is deleted if the page
    changed since."""
    page = await confluence.page(args.page_id)
    _conflict(page, args.version)
    await confluence.delete_page(page.id)
    space = page.space_key or page.space_id
    data = {
        "id": page.id,
        "title": page.title,
        "version": page.version,
        "space_key": page.space_key,
        "parent_id": page.parent_id,
        "deleted": True,
    }
    text = f"Deleted page {page.id} '{page.title}' (version {page.version}) from {space}; it is in the space's trash."
    return ToolResult(text + "\n", data)


# ---------------------------------------------------------------------- restrictions


def _user_row(user: dict[str, Any]) -> dict[str, Any]:
    ident = user.get("accountId") or user.get("username") or user.get("userKey")
    return {
        "id": str(ident) if ident else None,
        "display_name": user.get("displayName") or user.get("publicName"),
        "account_id": user.get("accountId"),
        "username": user.get("username"),
        "user_key": user.get("userKey"),
    }


def _results(value: Any) -> list[dict[str, Any]]:
    items = value.get("results") if isinstance(value, dict) else value
    return [i for i in items or [] if isinstance(i, dict)] if isinstance(items, list) else []


def _restriction_rows(data: dict[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """{read|update: {users: [...], groups: [names]}} from a byOperation answer."""
    wrapped = data.get("restrictions")
    root = wrapped if isinstance(wrapped, dict) and "read" in wrapped else data
    rows: dict[str, dict[str, list[Any]]] = {}
    for operation, _ in _OPERATIONS:
        entry = root.get(operation)
        held = (entry.get("restrictions") if isinstance(entry, dict) else None) or {}
        users = [_user_row(u) for u in _results(held.get("user"))]
        groups = [str(g["name"]) for g in _results(held.get("group")) if g.get("name")]
        rows[operation] = {"users": users, "groups": groups}
    return rows


def _restriction_lines(rows: dict[str, dict[str, list[Any]]]) -> list[str]:
    lines = []
    for operation, label in _OPERATIONS:
        users = [f"{u['display_name'] or u['id']} ({u['id']})" for u in rows[operation]["users"]]
        groups = [f"group {g}" for g in rows[operation]["groups"]]
        held = "; ".join(users + groups)
        lines.append(f"- {label} ({operation}): {held or 'not restricted'}")
    return lines


class GetRestrictions(Arguments):
    page_id: Id


@tool("confluence_get_page_restrictions", title="Confluence: page restrictions", toolset=TOOLSET)
async def get_page_restrictions(confluence: ConfluenceClient, args: GetRestrictions) -> ToolResult:
    """Who may view (read) and edit (update) a page: the users and groups of each restriction. An operation
    without any is not restricted (the space's permissions apply)."""
    rows = _restriction_rows(await confluence.restrictions(args.page_id))
    restricted = any(rows[op]["users"] or rows[op]["groups"] for op, _ in _OPERATIONS)
    text = "\n".join([f"Restrictions on page {args.page_id}:", *_restriction_lines(rows)])
    return ToolResult(text + "\n", {"page_id": args.page_id, "restricted": restricted, **rows})


class SetRestrictions(Arguments):
    page_id: Id
    read_users: Users = None
    read_groups: Groups = None
    edit_users: Users = None
    edit_groups: Groups = None
    version: Version = None


async def _cloud_account(confluence: ConfluenceClient, ref: str) -> str:
    """The account id of the one user whose email or full name is exactly `ref`."""
    wanted = ref.casefold()
    found = await confluence.find_users(f"user.fullname ~ {cql_string(ref)}", 25)
    exact = {
        str(u["accountId"]): u
        for u in found
        if u.get("accountId") and wanted in {str(u.get(k) or "").casefold() for k in ("email", "displayName")}
    }
    if len(exact) == 1:
        return next(iter(exact))
    if not exact:
        raise InvalidArguments(f"No Confluence user has the email or full name '{ref}'; give their account id.")
    names = ", ".join(f"{u.get('displayName')} ({i})" for i, u in exact.items())
    raise InvalidArguments(f"'{ref}' names several users: {names}; give the account id of the one you mean.")


async def _user_entries(confluence: ConfluenceClient, refs: list[str], accounts: dict[str, str]) -> list[Any]:
    entries: list[dict[str, str]] = []
    for ref in dict.fromkeys(refs):
        if not confluence.cloud:
            entries.append({"type": "known", "userKey" if _USER_KEY.match(ref) else "username": ref})
            continue
        if "@" in ref or any(c.isspace() for c in ref):
            if ref not in accounts:
                accounts[ref] = await _cloud_account(confluence, ref)
            ref = accounts[ref]
        entries.append({"type": "known", "accountId": ref})
    return entries


@tool("confluence_set_page_restrictions", title="Confluence: set page restrictions", toolset=TOOLSET, effect="update")
async def set_page_restrictions(confluence: ConfluenceClient, args: SetRestrictions) -> ToolResult:
    """Replace a page's restrictions: who may view it (read_users, read_groups) and edit it (edit_users,
    edit_groups). Lists left out or empty lift that restriction; all left out makes the page unrestricted.
    Users are Cloud account ids (an email or full name is looked up) or Server/DC usernames or user keys.
    Reads the page's version first and reports it; with version, nothing changes if the page changed since."""
    wanted = {
        "read": (args.read_users or [], args.read_groups or []),
        "update": (args.edit_users or [], args.edit_groups or []),
    }
    if not confluence.cloud:
        emails = [u for users, _ in wanted.values() for u in users if "@" in u]
        if emails:
            raise InvalidArguments(
                f"Confluence Server/Data Center names users by username or user key, not by email ('{emails[0]}')."
            )
    page = await confluence.page(args.page_id)
    _conflict(page, args.version)
    accounts: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    for operation, (users, groups) in wanted.items():
        held: dict[str, Any] = {}
        if users:
            held["user"] = await _user_entries(confluence, users, accounts)
        if groups:
            held["group"] = [{"type": "group", "name": g} for g in dict.fromkeys(groups)]
        if held:  # Confluence wants an operation without users and groups left out
            entries.append({"operation": operation, "restrictions": held})
    try:
        await confluence.set_restrictions(page.id, entries)
    except UpstreamError as exc:
        missing = exc.status == 405 or (exc.status == 404 and "null for uri" in str(exc).lower())
        if missing and not confluence.cloud:
            raise UpstreamError(
                "confluence",
                exc.status,
                "This Confluence Server/Data Center has no REST API to set page restrictions "
                "(PUT /rest/api/content/{id}/restriction); set them in the page's Restrictions dialog.",
            ) from None
        raise
    rows = _restriction_rows(await confluence.restrictions(page.id))
    head = f"Set restrictions on page {page.id} '{page.title}' (version {page.version}):"
    data = {"page_id": page.id, "title": page.title, "version": page.version, **rows}
    return ToolResult("\n".join([head, *_restriction_lines(rows)]) + "\n", data)
