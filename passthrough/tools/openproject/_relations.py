"""OpenProject tools for relations, parent and children, deleting a work package, its activities.

A parent is the work package's own `_links.parent`, written through `patch_safely` (never over someone
else's concurrent change of it). Relations carry no lockVersion in API v3, so their updates and deletes
read the relation first: the answer says what it was, and an unknown id changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, model_validator

from passthrough.errors import InvalidArguments
from passthrough.providers.openproject import OpenProjectClient, elements, href_id
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.openproject._common import WORK_PKGS, WorkPackageId, brief, line, patch_safely

RELATIONS = "openproject_relations"
"""The toolset of the relation and hierarchy tools."""

RelationType = Literal[
    "relates",
    "duplicates",
    "duplicated",
    "blocks",
    "blocked",
    "precedes",
    "follows",
    "includes",
    "partof",
    "requires",
    "required",
]
# the type as seen from the other work package
_REVERSE: dict[str, str] = {
    "relates": "relates",
    "duplicates": "duplicated",
    "duplicated": "duplicates",
    "blocks": "blocked",
    "blocked": "blocks",
    "precedes": "follows",
    "follows": "precedes",
    "includes": "partof",
    "partof": "includes",
    "requires": "required",
    "required": "requires",
}
# how a sentence says it: "#5 blocks #16", "#16 is blocked by #5"
_VERB: dict[str, str] = {
    "relates": "relates to",
    "duplicates": "duplicates",
    "duplicated": "is duplicated by",
    "blocks": "blocks",
    "blocked": "is blocked by",
    "precedes": "precedes",
    "follows": "follows",
    "includes": "includes",
    "partof": "is part of",
    "requires": "requires",
    "required": "is required by",
}
# other spellings people and the peer use (the peer offers blocked_by and part_of)
_SPELLINGS = {
    "blocked_by": "blocked",
    "part_of": "partof",
    "duplicated_by": "duplicated",
    "required_by": "required",
    "related": "relates",
    "relates_to": "relates",
    "related_to": "relates",
}
_SCHEDULING = ("follows", "precedes")


def _spelling(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    return _SPELLINGS.get(key, key)


Kind = Annotated[
    RelationType,
    BeforeValidator(_spelling),
    Field(description="Relation type, as read from the first work package: 'A blocks B', 'A follows B', ..."),
]
RelationId = Annotated[int, Field(ge=1, le=2**31 - 1, description="Relation id, e.g. 12")]
Lag = Annotated[int, Field(ge=0, le=3650, description="Working days between the two (follows or precedes only)")]
Note = Annotated[str, Field(max_length=10_000, description="Why the two are related (plain text)")]
PageSize = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, Field(ge=1, le=100_000, description="Page number, starting at 1")]


def _ref(*names: str) -> Any:
    """Our argument name first, then the peer's (pinealctx/openproject-mcp's camelCase, `id`)."""
    return Field(validation_alias=AliasChoices(*names))


# ---------------------------------------------------------------------- rendering


def _end(link: Any) -> dict[str, Any]:
    ident = href_id(link)
    return {
        "id": int(ident) if ident and ident.isdigit() else None,
        "subject": link.get("title") if isinstance(link, dict) else None,
    }


def _relation(data: dict[str, Any]) -> dict[str, Any]:
    links = data.get("_links") or {}
    kind = str(data.get("type") or "")
    return {
        "id": data.get("id"),
        "type": kind,
        "reverse_type": data.get("reverseType") or _REVERSE.get(kind),
        "name": data.get("name"),
        "from": _end(links.get("from")),
        "to": _end(links.get("to")),
        "description": data.get("description"),
        "lag": data.get("lag"),
    }


def _wp(end: dict[str, Any]) -> str:
    return f"#{end['id']} {end['subject']}" if end.get("subject") else f"#{end['id']}"


def _extras(r: dict[str, Any]) -> str:
    extra = f", lag {r['lag']} days" if r.get("lag") else ""
    return extra + (f" — {r['description']}" if r.get("description") else "")


def _sentence(r: dict[str, Any]) -> str:
    """`#5 Login fails blocks #16 Go-live, lag 2 days — why`."""
    verb = _VERB.get(r["type"], r["type"])
    return f"{_wp(r['from'])} {verb} {_wp(r['to'])}{_extras(r)}"


def _seen_from(r: dict[str, Any], wp_id: int) -> dict[str, Any]:
    """The relation as `wp_id` takes part in it: its type from that side, and the other work package."""
    if r["from"]["id"] == wp_id:
        return {"type": r["type"], "other": r["to"]}
    return {"type": r["reverse_type"] or _REVERSE.get(r["type"], r["type"]), "other": r["from"]}


def _page(total: Any, offset: int, size: int, shown: int) -> int | None:
    return offset + 1 if isinstance(total, int) and (offset - 1) * size + shown < total else None


def _local_page(data: dict[str, Any], offset: int, size: int) -> list[dict[str, Any]]:
    """The page's elements; an instance that does not page a collection (no `offset` in it) is paged here."""
    rows = elements(data)
    return rows if "offset" in data else rows[(offset - 1) * size : offset * size]


# ---------------------------------------------------------------------- parent and children


class SetParent(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]
    parent_id: Annotated[WorkPackageId, _ref("parent_id", "parentId")]

    @model_validator(mode="after")
    def _not_itself(self) -> SetParent:
        if self.work_package_id == self.parent_id:
            raise ValueError("a work package cannot be its own parent")
        return self


@tool("openproject_set_work_package_parent", title="OpenProject: set parent", toolset=RELATIONS, effect="update")
async def set_parent(openproject: OpenProjectClient, args: SetParent) -> ToolResult:
    """Make a work package the child of another (its parent link; it leaves any previous parent). Refused by
    OpenProject when the parent is a milestone, one of its own descendants, or already related to it; never
    overwrites someone else's concurrent change of the parent. Returns the parent before and after."""
    before = await openproject.work_package(args.work_package_id)
    was = _end((before.get("_links") or {}).get("parent"))
    changes = {"_links": {"parent": {"href": f"/api/v3/work_packages/{args.parent_id}"}}}
    wp, retried = await patch_safely(openproject, args.work_package_id, changes, ["parent"])
    now = _end((wp.get("_links") or {}).get("parent"))
    b = brief(wp, openproject)
    moved = f" (it was under {_wp(was)})" if was["id"] and was["id"] != now["id"] else ""
    note = " after a concurrent change to other fields" if retried else ""
    return ToolResult(
        f"Work package #{b['id']} {b['subject']} is now a child of {_wp(now)}{moved}{note}.\n",
        {
            **b,
            "parent": now,
            "previous_parent": was if was["id"] else None,
            "lock_version": wp.get("lockVersion"),
            "retried": retried,
        },
    )


class RemoveParent(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]


@tool(
    "openproject_remove_work_package_parent",
    title="OpenProject: remove parent",
    toolset=RELATIONS,
    effect="update",
)
async def remove_parent(openproject: OpenProjectClient, args: RemoveParent) -> ToolResult:
    """Detach a work package from its parent, making it top-level (its own children stay with it). Says which
    parent it left; a work package without a parent is left as it is. Never overwrites someone else's
    concurrent change of the parent."""
    before = await openproject.work_package(args.work_package_id)
    was = _end((before.get("_links") or {}).get("parent"))
    b = brief(before, openproject)
    if was["id"] is None:
        return ToolResult(
            f"Work package #{b['id']} {b['subject']} has no parent; nothing changed.\n",
            {**b, "parent": None, "previous_parent": None, "changed": False},
        )
    changes = {"_links": {"parent": {"href": None}}}
    wp, retried = await patch_safely(openproject, args.work_package_id, changes, ["parent"])
    b = brief(wp, openproject)
    note = " (after a concurrent change to other fields)" if retried else ""
    return ToolResult(
        f"Work package #{b['id']} {b['subject']} is no longer a child of {_wp(was)}{note}.\n",
        {
            **b,
            "parent": None,
            "previous_parent": was,
            "changed": True,
            "lock_version": wp.get("lockVersion"),
            "retried": retried,
        },
    )


class ListChildren(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]
    page_size: PageSize = 50
    offset: Offset = 1


@tool("openproject_list_work_package_children", title="OpenProject: list children", toolset=RELATIONS)
async def list_children(openproject: OpenProjectClient, args: ListChildren) -> ToolResult:
    """List a work package's direct children (open and closed), by id. Pages with offset (1-based page
    number) and page_size; reports the total."""
    parent = await openproject.work_package(args.work_package_id)
    data = await openproject.children(args.work_package_id, args.page_size, args.offset)
    rows = [brief(wp, openproject) for wp in elements(data)]
    total = data.get("total")
    more = _page(total, args.offset, args.page_size, len(rows))
    name = f"#{args.work_package_id} {parent.get('subject')}"
    if rows:
        head = f"{total} children of {name} (page {args.offset}):"
    elif args.offset > 1:
        head = f"No children on page {args.offset} of {name} ({total} in all)."
    else:
        head = f"{name} has no children."
    lines = [head, *(line(r) for r in rows)]
    if more:
        lines += ["", f"More: call openproject_list_work_package_children with offset={more}."]
    return ToolResult(
        "\n".join(lines) + "\n",
        {
            "work_package_id": args.work_package_id,
            "subject": parent.get("subject"),
            "children": rows,
            "total": total,
            "offset": args.offset,
            "page_size": args.page_size,
            "next_offset": more,
        },
    )


# ---------------------------------------------------------------------- relations


class CreateRelation(Arguments):
    from_id: Annotated[WorkPackageId, _ref("from_id", "fromId", "work_package_id")]
    to_id: Annotated[WorkPackageId, _ref("to_id", "toId", "related_to_work_package_id")]
    type: Annotated[Kind, _ref("type", "relation_type")]
    description: Note | None = None
    lag: Annotated[Lag | None, _ref("lag", "delay")] = None

    @model_validator(mode="after")
    def _sane(self) -> CreateRelation:
        if self.from_id == self.to_id:
            raise ValueError("a work package cannot be related to itself")
        if self.lag and self.type not in _SCHEDULING:
            raise ValueError(f"lag applies to follows and precedes relations only, not {self.type}")
        return self


@tool(
    "openproject_create_work_package_relation",
    title="OpenProject: create relation",
    toolset=RELATIONS,
    effect="create",
)
async def create_relation(openproject: OpenProjectClient, args: CreateRelation) -> ToolResult:
    """Relate two work packages: 'from_id <type> to_id' (relates, duplicates, duplicated, blocks, blocked,
    precedes, follows, includes, partof, requires, required), with an optional description and, for follows
    or precedes, a lag in working days. OpenProject stores one direction per pair, so a reverse type may come
    back turned round (A precedes B is kept as B follows A); the answer says how it was stored. Refused when
    the two are already related or are parent and child."""
    body: dict[str, Any] = {"_links": {"to": {"href": f"/api/v3/work_packages/{args.to_id}"}}, "type": args.type}
    if args.description is not None:
        body["description"] = args.description
    if args.lag is not None:
        body["lag"] = args.lag
    r = _relation(await openproject.create_relation(args.from_id, body))
    turned = r["from"]["id"] != args.from_id
    note = f" (stored by OpenProject as the same fact the other way round: {r['type']})" if turned else ""
    return ToolResult(f"Created relation #{r['id']}: {_sentence(r)}{note}.\n", {**r, "stored_reversed": turned})


class ListRelations(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]
    type: Annotated[Kind | None, _ref("type", "relation_type")] = None
    page_size: PageSize = 50
    offset: Offset = 1


@tool("openproject_list_work_package_relations", title="OpenProject: list relations", toolset=RELATIONS)
async def list_relations(openproject: OpenProjectClient, args: ListRelations) -> ToolResult:
    """List the relations a work package is in, each said from its side ('this blocks #16 Go-live', 'this is
    blocked by #5'); type narrows to one kind in either direction (blocks also finds blocked by). Pages with
    offset (1-based page number) and page_size; reports the total. Parent and children: see
    openproject_list_work_package_children."""
    types = sorted({args.type, _REVERSE[args.type]}) if args.type else []
    data = await openproject.relations(args.work_package_id, types, args.page_size, args.offset)
    rows = []
    for element in _local_page(data, args.offset, args.page_size):
        r = _relation(element)
        rows.append({**r, "as_seen_from": _seen_from(r, args.work_package_id)})
    total = data.get("total")
    more = _page(total, args.offset, args.page_size, len(rows))
    kind = f" {args.type}" if args.type else ""
    ends = [e for r in rows for e in (r["from"], r["to"]) if e["id"] == args.work_package_id and e["subject"]]
    name = _wp(ends[0]) if ends else f"#{args.work_package_id}"
    if rows:
        head = f"{total}{kind} relations of {name} (page {args.offset}):"
    else:
        head = f"#{args.work_package_id} has no{kind} relations" + (
            f" on page {args.offset}." if args.offset > 1 else "."
        )
    lines = [head]
    for r in rows:
        side = r["as_seen_from"]
        lines.append(
            f"- relation #{r['id']}: this {_VERB.get(side['type'], side['type'])} {_wp(side['other'])}{_extras(r)}"
        )
    if more:
        lines += ["", f"More: call openproject_list_work_package_relations with offset={more}."]
    return ToolResult(
        "\n".join(lines) + "\n",
        {
            "work_package_id": args.work_package_id,
            "relations": rows,
            "total": total,
            "offset": args.offset,
            "page_size": args.page_size,
            "next_offset": more,
        },
    )


class GetRelation(Arguments):
    relation_id: Annotated[RelationId, _ref("relation_id", "id")]


@tool("openproject_get_work_package_relation", title="OpenProject: get relation", toolset=RELATIONS)
async def get_relation(openproject: OpenProjectClient, args: GetRelation) -> ToolResult:
    """Get one relation: its type, both work packages, description and lag."""
    r = _relation(await openproject.relation(args.relation_id))
    return ToolResult(f"Relation #{r['id']}: {_sentence(r)}.\n", r)


class UpdateRelation(Arguments):
    relation_id: Annotated[RelationId, _ref("relation_id", "id")]
    type: Annotated[Kind | None, _ref("type", "relation_type")] = None
    description: Note | None = None
    lag: Annotated[Lag | None, _ref("lag", "delay")] = None

    @model_validator(mode="after")
    def _something(self) -> UpdateRelation:
        if self.type is None and self.description is None and self.lag is None:
            raise ValueError("give at least one of type, description, lag")
        return self


@tool(
    "openproject_update_work_package_relation",
    title="OpenProject: update relation",
    toolset=RELATIONS,
    effect="update",
)
async def update_relation(openproject: OpenProjectClient, args: UpdateRelation) -> ToolResult:
    """Change a relation's type, description or lag (lag: follows or precedes only; 0 removes it); the two
    work packages stay. A reverse type may turn the relation round, as on create. Returns it before and
    after (OpenProject keeps no version of a relation, so a concurrent edit cannot be detected)."""
    before = _relation(await openproject.relation(args.relation_id))
    kind = args.type or before["type"]
    if args.lag and kind not in _SCHEDULING:
        raise InvalidArguments(
            f"lag applies to follows and precedes relations only; relation #{args.relation_id} is {kind}"
        )
    changes: dict[str, Any] = {}
    if args.type is not None:
        changes["type"] = args.type
    if args.description is not None:
        changes["description"] = args.description
    if args.lag is not None:
        changes["lag"] = args.lag
    after = _relation(await openproject.update_relation(args.relation_id, changes))
    return ToolResult(
        f"Updated relation #{after['id']}: {_sentence(after)} (was: {_sentence(before)}).\n",
        {**after, "updated_fields": list(changes), "before": before},
    )


class DeleteRelation(Arguments):
    relation_id: Annotated[RelationId, _ref("relation_id", "id")]


@tool(
    "openproject_delete_work_package_relation",
    title="OpenProject: delete relation",
    toolset=RELATIONS,
    effect="delete",
)
async def delete_relation(openproject: OpenProjectClient, args: DeleteRelation) -> ToolResult:
    """Delete a relation between two work packages (the work packages stay). Says which relation it was."""
    r = _relation(await openproject.relation(args.relation_id))
    await openproject.delete_relation(args.relation_id)
    return ToolResult(f"Deleted relation #{r['id']}: {_sentence(r)}.\n", {"deleted": True, "relation": r})


# ---------------------------------------------------------------------- deleting, activities


class DeleteWorkPackage(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "id", "workPackageId")]
    delete_children: Annotated[
        bool, Field(description="Also delete its children and their descendants (OpenProject deletes them too)")
    ] = False


@tool("openproject_delete_work_package", title="OpenProject: delete work package", toolset=WORK_PKGS, effect="delete")
async def delete_work_package(openproject: OpenProjectClient, args: DeleteWorkPackage) -> ToolResult:
    """Delete a work package for good, with its comments, attachments and relations. OpenProject deletes its
    children with it, so one that has children is refused unless delete_children is true. Says what it
    deleted: subject, project, and how many children went with it."""
    wp = await openproject.work_package(args.work_package_id)
    b = brief(wp, openproject)
    kids = (await openproject.children(args.work_package_id, 1, 1)).get("total") or 0
    if kids and not args.delete_children:
        raise InvalidArguments(
            f"Work package #{b['id']} {b['subject']} has {kids} child work package(s), which OpenProject would "
            "delete with it; nothing was deleted. Call again with delete_children=true to delete them all, or "
            "move the children first (openproject_remove_work_package_parent)."
        )
    await openproject.delete_work_package(args.work_package_id)
    with_kids = f" and its {kids} child work package(s) with their descendants" if kids else ""
    return ToolResult(
        f"Deleted work package #{b['id']} {b['subject']} ({b['type']}, project {b['project']}){with_kids}.\n",
        {"deleted": True, "work_package": b, "children_deleted": kids},
    )


class ListActivities(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]
    page_size: PageSize = 20
    offset: Offset = 1
    newest_first: bool = False


def _quote(markdown: str) -> list[str]:
    return [f"> {row}" if row else ">" for row in markdown.splitlines()]


@tool("openproject_list_work_package_activities", title="OpenProject: list activities", toolset=WORK_PKGS)
async def list_activities(openproject: OpenProjectClient, args: ListActivities) -> ToolResult:
    """List a work package's activity (journal): who, when, what changed, and comments as Markdown; oldest
    first unless newest_first. Pages with offset (1-based page number) and page_size; reports the total."""
    journal = await openproject.activities(args.work_package_id)
    if args.newest_first:
        journal.reverse()
    total = len(journal)
    page = journal[(args.offset - 1) * args.page_size : args.offset * args.page_size]
    rows: list[dict[str, Any]] = []
    for a in page:
        links = a.get("_links") or {}
        rows.append(
            {
                "id": a.get("id"),
                "version": a.get("version"),
                "user": (links.get("user") or {}).get("title"),
                "user_id": href_id(links.get("user")),
                "at": a.get("createdAt"),
                "comment": str((a.get("comment") or {}).get("raw") or "").strip(),
                "changes": [d.get("raw") for d in a.get("details") or [] if isinstance(d, dict) and d.get("raw")],
                "internal": a.get("internal"),
            }
        )
    more = _page(total, args.offset, args.page_size, len(rows))
    lines = [f"{total} activities on work package #{args.work_package_id} (page {args.offset}):"]
    if not rows:
        lines = [f"No activities on page {args.offset} of work package #{args.work_package_id} ({total} in all)."]
    for r in rows:
        lines += ["", f"### {r['at']} — {r['user'] or 'someone'} (activity {r['id']})"]
        lines += [f"- {c}" for c in r["changes"]]
        if r["comment"]:
            lines += ["", *_quote(r["comment"])]
        if not r["changes"] and not r["comment"]:
            lines.append("- created" if r["version"] == 1 else "- (no visible change)")
    if more:
        lines += ["", f"More: call openproject_list_work_package_activities with offset={more}."]
    return ToolResult(
        "\n".join(lines) + "\n",
        {
            "work_package_id": args.work_package_id,
            "activities": rows,
            "total": total,
            "offset": args.offset,
            "page_size": args.page_size,
            "next_offset": more,
        },
    )
