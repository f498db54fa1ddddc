"""The fake OpenProject's project writes, notifications, queries, boards, documents, capabilities and the
instance's configuration (state: ``_workspace_state``)."""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._errors import invalid_query, not_found
from .._query import (
    WORK_PACKAGE_FILTERS,
    WORK_PACKAGE_SORTS,
    page_params,
    parse_filters,
    parse_sort,
    sort_rows,
    work_package_matcher,
    work_package_sort_key,
)
from .._render import API, collection, link, paginated
from .._state import now
from .._workspace_state import ACTION_TITLES, host_configuration, parse_simple_filters, workspace_of

routes = OpenProjectRoutes()


@routes("GET", "/configuration")
async def configuration(call: OpenProjectCall) -> web.Response:
    return hal_response(host_configuration(call.request.host))


# ---------------------------------------------------------------------- capabilities


@routes("GET", "/capabilities")
async def capabilities(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    specs = {
        "principal": ("Principal", ("=",)),
        "context": ("Context", ("=",)),
        "action": ("Action", ("=",)),
    }
    wanted: dict[str, set[str]] = {}
    for name, _, values in parse_simple_filters(call.query.get("filters"), specs):
        wanted[name] = wanted.get(name, set(values)) & set(values)
    users = [u.id for u in call.state.users] if call.me is not None else []
    contexts: list[tuple[str, int | None]] = [("g", None)] + [(f"p{p}", p) for p in sorted(call.state.projects)]
    rows: list[tuple[str, str, int, int | None]] = []  # action, context code, principal, project
    for user in users:
        if "principal" in wanted and str(user) not in wanted["principal"]:
            continue
        for code, project in contexts:
            if "context" in wanted and code not in wanted["context"]:
                continue
            for action in ws.actions(user, project):
                if "action" not in wanted or action in wanted["action"]:
                    rows.append((action, code, user, project))
    rows.sort(key=lambda r: f"{r[0]}/{r[1]}-{r[2]}")

    def render(row: tuple[str, str, int, int | None]) -> dict[str, Any]:
        action, code, user, project = row
        ident = f"{action}/{code}-{user}"
        if project is None:
            context = link(f"{API}/capabilities/context/global", "Global")
        else:
            context = link(f"{API}/projects/{project}", call.state.projects[project]["name"])
        return {
            "_type": "Capability",
            "id": ident,
            "_links": {
                "self": link(f"{API}/capabilities/{ident}", ACTION_TITLES.get(action)),
                "action": link(f"{API}/actions/{action}", ACTION_TITLES.get(action)),
                "context": context,
                "principal": call.render.principal_link(user),
            },
        }

    return call.page("Collection", rows, render)


# ---------------------------------------------------------------------- project writes


@routes("POST", "/projects")
async def create_project(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    project = ws.create_project(await call.json(), call.actor)
    return hal_response(ws.project_body(call.render, project, call.me), 201)


@routes("PATCH", "/projects/{project}")
async def update_project(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    project = call.project()
    ws.update_project(project, await call.json(), call.actor)
    return hal_response(ws.project_body(call.render, project, call.me))


@routes("DELETE", "/projects/{project}")
async def delete_project(call: OpenProjectCall) -> web.Response:
    workspace_of(call.state).delete_project(call.project(), call.actor)
    return web.Response(status=204)


# ---------------------------------------------------------------------- notifications


def _own_notifications(call: OpenProjectCall) -> list[dict[str, Any]]:
    ws = workspace_of(call.state)
    matchers = ws.notification_matchers(call.query.get("filters"))
    mine = [n for n in ws.notifications.values() if n["recipient"] == call.me]
    return [n for n in mine if all(m(n) for m in matchers)]


@routes("GET", "/notifications")
async def notifications(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    rows = sorted(_own_notifications(call), key=lambda n: -int(n["id"]))
    raw_sort = call.query.get("sortBy")
    if raw_sort is not None:
        for name, descending in reversed(parse_sort(raw_sort, frozenset({"id", "reason", "readIAN"}))):
            rows.sort(key=itemgetter(name), reverse=descending)
    return call.page("NotificationCollection", rows, lambda n: ws.render_notification(call.render, n))


@routes("POST", "/notifications/read_ian")
async def read_all(call: OpenProjectCall) -> web.Response:
    stamp = _stamp()
    for n in _own_notifications(call):
        n["readIAN"], n["updatedAt"] = True, stamp
    return web.Response(status=204)


@routes("POST", "/notifications/unread_ian")
async def unread_all(call: OpenProjectCall) -> web.Response:
    stamp = _stamp()
    for n in _own_notifications(call):
        n["readIAN"], n["updatedAt"] = False, stamp
    return web.Response(status=204)


@routes("GET", "/notifications/{id}")
async def notification(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    return hal_response(ws.render_notification(call.render, ws.notification(call.request.match_info["id"], call.me)))


@routes("POST", "/notifications/{id}/read_ian")
async def read_one(call: OpenProjectCall) -> web.Response:
    found = workspace_of(call.state).notification(call.request.match_info["id"], call.me)
    found["readIAN"], found["updatedAt"] = True, _stamp()
    return web.Response(status=204)


@routes("POST", "/notifications/{id}/unread_ian")
async def unread_one(call: OpenProjectCall) -> web.Response:
    found = workspace_of(call.state).notification(call.request.match_info["id"], call.me)
    found["readIAN"], found["updatedAt"] = False, _stamp()
    return web.Response(status=204)


def _stamp() -> str:
    return now()


# ---------------------------------------------------------------------- queries


@routes("GET", "/queries")
async def queries(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    specs = {
        "project": ("Project", ("=", "!")),
        "id": ("ID", ("=", "!")),
        "hidden": ("Hidden", ("=",)),
        "starred": ("Starred", ("=",)),
    }
    rows = [q for q in ws.queries.values() if q["public"] or q["user"] == call.me]
    for name, operator, values in parse_simple_filters(call.query.get("filters"), specs):
        if name in ("hidden", "starred"):
            flags = {v in ("t", "true") for v in values}
            rows = [q for q in rows if q[name] in flags]
            continue
        if not all(v.isdigit() for v in values):
            raise invalid_query(f"Filters {specs[name][0]} filter has invalid values.")
        ids = {int(v) for v in values}
        rows = [q for q in rows if (q[name] in ids) != (operator == "!")]
    rows.sort(key=lambda q: int(q["id"]))
    return hal_response(collection([ws.render_query(call.render, q) for q in rows], f"{API}/queries"))


@routes("GET", "/queries/{id}")
async def query(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    found = ws.visible_query(call.request.match_info["id"], call.me)
    body = ws.render_query(call.render, found)
    params = call.query
    raw = params.get("filters", json.dumps(found["filters"]))
    filters = parse_filters(raw, WORK_PACKAGE_FILTERS, call.state)
    if found["project"] is not None:
        filters += parse_filters(
            json.dumps([{"project": {"operator": "=", "values": [str(found["project"])]}}]),
            WORK_PACKAGE_FILTERS,
            call.state,
        )
    matchers = [work_package_matcher(call.state, f, call.me) for f in filters]
    rows = [wp for wp in call.state.work_packages.values() if all(m(wp) for m in matchers)]
    sort = params.get("sortBy", json.dumps([list(pair) for pair in found["sortBy"]]))
    rows = sort_rows(rows, parse_sort(sort, WORK_PACKAGE_SORTS), work_package_sort_key(call.state))
    offset, size = page_params(params)
    page = [call.render.work_package(wp) for wp in rows[(offset - 1) * size : offset * size]]
    path = body["_links"]["results"]["href"]
    body["_embedded"] = {"results": paginated("WorkPackageCollection", page, len(rows), offset, size, path, params)}
    return hal_response(body)


# ---------------------------------------------------------------------- grids (boards, my page)


@routes("GET", "/grids")
async def grids(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    rows = [g for g in ws.grids.values() if ws.grid_visible(g, call.me)]
    for _, _, values in parse_simple_filters(call.query.get("filters"), {"scope": ("Scope", ("=",))}):
        rows = [g for g in rows if g["scope"] in values]
    rows.sort(key=lambda g: int(g["id"]))
    return call.page("Collection", rows, ws.render_grid)


@routes("GET", "/grids/{id}")
async def grid(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    ref = call.request.match_info["id"]
    found = ws.grids.get(int(ref)) if ref.isdigit() else None
    if found is None or not ws.grid_visible(found, call.me):
        raise not_found()
    return hal_response(ws.render_grid(found))


# ---------------------------------------------------------------------- documents


@routes("GET", "/documents")
async def documents(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    criteria = parse_sort(call.query.get("sortBy"), frozenset({"id", "createdAt"}))
    rows = sort_rows(list(ws.documents.values()), criteria, lambda d, name: d.get(name))
    return call.page("Collection", rows, ws.render_document)


@routes("GET", "/documents/{id}")
async def document(call: OpenProjectCall) -> web.Response:
    ws = workspace_of(call.state)
    ref = call.request.match_info["id"]
    found = ws.documents.get(int(ref)) if ref.isdigit() else None
    if found is None:
        raise not_found()
    return hal_response(ws.render_document(found))
