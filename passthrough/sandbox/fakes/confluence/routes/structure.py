"""The fake Confluence's page moves, copies, deletions and restrictions.

Deletions are the content routes' own (v1 ``DELETE /content/{id}``, v2 ``DELETE /pages/{id}``). Cloud's v1 has
``PUT /content/{id}/move/{position}/{targetId}``, ``POST /content/{id}/copy`` and ``GET /search/user``; Server
answers those paths with its plain 404, as it has none of them. Both read and replace restrictions
(``/content/{id}/restriction/byOperation``, ``PUT /content/{id}/restriction``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes
from .._data import Page
from .._errors import ConfluenceError, bad_request
from .._render import Expand
from .._structure_state import GROUPS, OPERATIONS, CopyRecord, move_page, replace_restrictions, structure_of

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()

COPY_EXPAND = "space,history,version"
# user.fullname ~ "Cara", user.accountid = "acc-cara", user = "acc-cara": one clause, a quoted string


def _cloud_only(call: ConfluenceCall) -> None:
    """Server's answer for a REST path it does not have."""
    if not call.state.cloud:
        raise ConfluenceError(404, f"null for uri: {call.request.url}")


# ---------------------------------------------------------------------- move, copy (Cloud)


@v1("PUT", "/content/{id}/move/{position}/{targetId}")
async def structure_move(call: ConfluenceCall) -> web.Response:
    _cloud_only(call)
    page = call.state.page(call.path_id())
    target = call.state.page(call.path_id("targetId"))
    move_page(call.state, page, call.request.match_info["position"], target)
    return json_response({"pageId": page["id"]})


def _destination(call: ConfluenceCall, payload: dict[str, Any]) -> tuple[str, str | None]:
    """The space key and parent id a copy's ``destination`` names."""
    destination = payload.get("destination")
    if not isinstance(destination, dict):
        raise bad_request("destination is required: {type, value}")
    kind, value = destination.get("type"), destination.get("value")
    if not isinstance(value, str) or not value.strip():
        raise bad_request("destination.value is required")
    if kind == "space":
        space = call.state.space_by_key(value)
        if space is None:
            raise bad_request(f"No space with key : {value}")
        return space.key, None
    if kind == "parent_page":
        parent = call.state.pages.get(value.strip())
        if parent is None:
            raise bad_request(f"Could not find parent page with id {value}")
        return parent["space_key"], parent["id"]
    if kind == "existing_page":
        raise bad_request("Copying over an existing page is not supported by the fake Confluence")
    raise bad_request(f"Invalid destination type: {kind}; use space, parent_page or existing_page")


@v1("POST", "/content/{id}/copy")
async def structure_copy(call: ConfluenceCall) -> web.Response:
    _cloud_only(call)
    source = call.state.page(call.path_id())
    payload = await call.object()
    space_key, parent_id = _destination(call, payload)
    title = payload.get("pageTitle", source["title"])
    space = call.state.spaces[space_key]
    page = call.state.create_page(space, title, source["body"], parent_id, call.current, "v1")
    copy_labels = payload.get("copyLabels") is True
    if copy_labels:
        call.state.add_labels(page, source["labels"])
    record = CopyRecord(source["id"], page["id"], payload.get("copyAttachments") is True, copy_labels)
    structure_of(call.state).copies.append(record)
    return json_response(call.renderer.page(page, Expand.parse(COPY_EXPAND), top_links=True))


# ---------------------------------------------------------------------- restrictions (both)


def _group_json(call: ConfluenceCall, name: str) -> dict[str, Any]:
    if call.state.cloud:
        return {"type": "group", "name": name, "id": GROUPS[name]}
    return {"type": "group", "name": name, "_links": {"self": f"{call.renderer.base}/rest/api/group/{name}"}}


def _listing(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"results": results, "start": 0, "limit": 200, "size": len(results)}


def _operation(call: ConfluenceCall, page: Page, operation: str, expand: Expand) -> dict[str, Any]:
    held = structure_of(call.state).of(page["id"])[operation]
    restrictions: dict[str, Any] = {}
    placeholders: dict[str, Any] = {}
    wanted = expand.sub("restrictions")
    if wanted.has("user"):
        restrictions["user"] = _listing([call.renderer.user(name) for name in held["users"]])
    else:
        placeholders["user"] = ""
    if wanted.has("group"):
        restrictions["group"] = _listing([_group_json(call, name) for name in held["groups"]])
    else:
        placeholders["group"] = ""
    if placeholders:
        restrictions["_expandable"] = placeholders
    base = call.renderer.base
    return {
        "operation": operation,
        "restrictions": restrictions,
        "_expandable": {"content": f"/rest/api/content/{page['id']}"},
        "_links": {"self": f"{base}/rest/api/content/{page['id']}/restriction/byOperation/{operation}"},
    }


@v1("GET", "/content/{id}/restriction/byOperation")
async def structure_restrictions(call: ConfluenceCall) -> web.Response:
    page = call.state.page(call.path_id())
    # Cloud expands users and groups unless told otherwise; Server only groups
    expand = call.expand("restrictions.user,restrictions.group" if call.state.cloud else "restrictions.group")
    data: dict[str, Any] = {op: _operation(call, page, op, expand) for op in OPERATIONS}
    data["_links"] = {"base": call.renderer.base, "context": call.renderer.context}
    return json_response(data)


@v1("PUT", "/content/{id}/restriction")
async def structure_set_restrictions(call: ConfluenceCall) -> web.Response:
    page = call.state.page(call.path_id())
    replace_restrictions(call.state, page, await call.json())
    expand = Expand.parse("restrictions.user,restrictions.group")
    results = [_operation(call, page, op, expand) for op in OPERATIONS]
    base = call.renderer.base
    return json_response({**_listing(results), "_links": {"base": base, "context": call.renderer.context}})
