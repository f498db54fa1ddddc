"""The fake OpenProject's time entries, time entry activities and versions.

Time entries: ``GET/POST /time_entries`` (``filters``: work_package, project, user, spent_on, activity),
``GET/PATCH/DELETE /time_entries/{id}``, ``POST /time_entries/form`` (its schema lists the activities the
payload's project offers to this user), ``GET /time_entries/available_projects``,
``GET /time_entries/activities/{id}``. Versions: ``GET /projects/{project}/versions`` (unpaginated, as
OpenProject answers it), ``POST /versions``, ``GET /versions/{id}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._errors import error_body, invalid_query, not_found
from .._query import parse_sort, sort_rows
from .._render import API, collection, formattable, link
from .._time_state import Entry, TimeStore, Version, iso_duration, time_of

routes = OpenProjectRoutes()

_ENTRY_FILTERS = {
    "work_package": "Work package",
    "project": "Project",
    "user": "User",
    "spent_on": "Date",
    "activity": "Activity",
}
_ENTRY_SORTS = frozenset({"id", "hours", "spent_on", "created_at", "updated_at"})


# ---------------------------------------------------------------------- rendering


def _activity(store: TimeStore, activity_id: int) -> dict[str, Any]:
    a = store.activities[activity_id]
    href = f"{API}/time_entries/activities/{a['id']}"
    return {
        "_type": "TimeEntriesActivity",
        "id": a["id"],
        "name": a["name"],
        "position": a["position"],
        "default": a["default"],
        "_links": {"self": link(href, a["name"]), "projects": []},
    }


def _entry(call: OpenProjectCall, store: TimeStore, e: Entry) -> dict[str, Any]:
    state = call.state
    href = f"{API}/time_entries/{e['id']}"
    project = state.projects[e["project"]]
    wp = state.work_packages.get(e["work_package"]) if e["work_package"] is not None else None
    wp_link = link(f"{API}/work_packages/{wp['id']}", wp["subject"]) if wp else link(None)
    activity = store.activities.get(e["activity"])
    links: dict[str, Any] = {"self": link(href)}
    if store.may_edit(call.me, e):
        links["updateImmediately"] = link(href, method="patch")
        links["update"] = link(f"{href}/form", method="post")
        links["delete"] = link(href, method="delete")
    links.update(
        {
            "schema": link(f"{API}/time_entries/schema"),
            "project": link(f"{API}/projects/{project['id']}", project["name"]),
            "workPackage": wp_link,
            "entity": wp_link,
            "user": call.render.principal_link(e["user"]),
            "activity": link(f"{API}/time_entries/activities/{activity['id']}", activity["name"])
            if activity
            else link(None),
        }
    )
    return {
        "_type": "TimeEntry",
        "id": e["id"],
        "comment": {"format": "plain", "raw": e["comment"], "html": f"<p>{_escape(e['comment'])}</p>"},
        "spentOn": e["spentOn"],
        "hours": iso_duration(e["hours"]) if e["hours"] is not None else None,
        "ongoing": False,
        "createdAt": e["createdAt"],
        "updatedAt": e["updatedAt"],
        "_links": links,
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _version(call: OpenProjectCall, v: Version) -> dict[str, Any]:
    href = f"{API}/versions/{v['id']}"
    project = call.state.projects[v["project"]]
    return {
        "_type": "Version",
        "id": v["id"],
        "name": v["name"],
        "description": formattable(v["description"]),
        "startDate": v["startDate"],
        "endDate": v["endDate"],
        "status": v["status"],
        "sharing": v["sharing"],
        "createdAt": v["createdAt"],
        "updatedAt": v["updatedAt"],
        "_links": {
            "self": link(href, v["name"]),
            "schema": link(f"{API}/versions/schema"),
            "availableInProjects": link(f"{href}/projects"),
            "definingProject": link(f"{API}/projects/{project['id']}", project["name"]),
        },
    }


# ---------------------------------------------------------------------- filters


def _matchers(call: OpenProjectCall, raw: str | None) -> list[Callable[[Entry], bool]]:
    if raw is None:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        raise invalid_query(f"unexpected token at '{raw[:100]}'") from None
    if not isinstance(data, list):
        raise invalid_query("Filters must be an array of filter objects.")
    matchers: list[Callable[[Entry], bool]] = []
    for item in data:
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid_query("Filters must be an array of objects with exactly one filter name each.")
        ((name, body),) = item.items()
        label = _ENTRY_FILTERS.get(str(name))
        if label is None:
            raise invalid_query(f"Filters {str(name).replace('_', ' ').capitalize()} does not exist.")
        operator = body.get("operator") if isinstance(body, dict) else None
        values = body.get("values") if isinstance(body, dict) else None
        if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
            raise invalid_query(f"Filters {label} filter has invalid values.")
        strings = [str(v) for v in values]
        if name == "spent_on":
            matchers.append(_date_matcher(label, str(operator), strings))
            continue
        if operator not in ("=", "!") or not strings:
            raise invalid_query(f"Filters {label} filter has invalid operator '{operator}'.")
        wanted = set()
        for v in strings:
            if name == "user" and v == "me":
                if call.me is not None:
                    wanted.add(call.me)
            elif v.isdigit():
                wanted.add(int(v))
            else:
                raise invalid_query(f"Filters {label} filter has invalid values.")
        matchers.append(_member(str(name), wanted, negated=operator == "!"))
    return matchers


def _member(key: str, wanted: set[int], *, negated: bool) -> Callable[[Entry], bool]:
    return lambda e: (e[key] in wanted) != negated


def _date_matcher(label: str, operator: str, values: list[str]) -> Callable[[Entry], bool]:
    def valid(v: str) -> bool:
        return len(v) == 10 and v[4] == "-" and v[7] == "-" and v.replace("-", "").isdigit()

    if operator == "<>d" and len(values) == 2 and all(v == "" or valid(v) for v in values) and any(values):
        low, high = values
        return lambda e: (not low or e["spentOn"] >= low) and (not high or e["spentOn"] <= high)
    if operator == "=d" and values and all(valid(v) for v in values):
        return lambda e: e["spentOn"] in values
    if operator not in ("<>d", "=d"):
        raise invalid_query(f"Filters {label} filter has invalid operator '{operator}'.")
    raise invalid_query(f"Filters {label} filter has invalid values.")


def _sort_key(entry: Entry, name: str) -> Any:
    key = {"spent_on": "spentOn", "created_at": "createdAt", "updated_at": "updatedAt"}.get(name, name)
    return entry.get(key)


# ---------------------------------------------------------------------- time entries


@routes("GET", "/time_entries/available_projects")
async def available_projects(call: OpenProjectCall) -> web.Response:
    store = time_of(call.state)
    rows = [p for _, p in sorted(call.state.projects.items()) if store.may_log(call.me, p["id"])]
    return call.page("Collection", rows, call.render.project)


@routes("GET", "/time_entries/activities/{id}")
async def activity(call: OpenProjectCall) -> web.Response:
    store = time_of(call.state)
    ref = call.request.match_info["id"]
    if not ref.isdigit() or int(ref) not in store.activities:
        raise not_found()
    return hal_response(_activity(store, int(ref)))


@routes("POST", "/time_entries/form")
async def form(call: OpenProjectCall) -> web.Response:
    """The create form: the payload back, the schema (the activities the payload's project offers to this
    user), and what would stop a create."""
    store = time_of(call.state)
    payload = await call.json()
    raw_links = payload.get("_links")
    links: dict[str, Any] = raw_links if isinstance(raw_links, dict) else {}
    project_link = links.get("project")
    href = project_link.get("href") if isinstance(project_link, dict) else None
    ref = (
        str(href)[len(f"{API}/projects/") :] if isinstance(href, str) and href.startswith(f"{API}/projects/") else None
    )
    project = call.state.find_project(ref) if ref else None
    errors: dict[str, Any] = {}
    offered: list[dict[str, Any]] = []
    if project is None:
        message = "Project can't be blank." if href is None else "Project is invalid."
        errors["project"] = error_body("PropertyConstraintViolation", message, "project")
    elif not store.may_log(call.me, project["id"]):
        errors["project"] = error_body("PropertyConstraintViolation", "Project is invalid.", "project")
    else:
        offered = store.offered(project["id"])
    if "hours" not in payload:
        errors["hours"] = error_body("PropertyConstraintViolation", "Hours can't be blank.", "hours")
    allowed = [_activity(store, a["id"]) for a in offered]
    schema = {
        "_type": "Schema",
        "_dependencies": [],
        "id": {"type": "Integer", "name": "ID", "required": True, "hasDefault": False, "writable": False},
        "spentOn": {"type": "Date", "name": "Date", "required": True, "hasDefault": False, "writable": True},
        "hours": {"type": "Duration", "name": "Hours", "required": True, "hasDefault": False, "writable": True},
        "comment": {"type": "Formattable", "name": "Comment", "required": False, "hasDefault": False, "writable": True},
        "activity": {
            "type": "TimeEntriesActivity",
            "name": "Activity",
            "required": True,
            "hasDefault": True,
            "writable": True,
            "_embedded": {"allowedValues": allowed},
            "_links": {"allowedValues": [a["_links"]["self"] for a in allowed]},
        },
        "project": {
            "type": "Project",
            "name": "Project",
            "required": False,
            "hasDefault": False,
            "writable": True,
            "_links": {"allowedValues": {"href": f"{API}/time_entries/available_projects"}},
        },
        "_links": {},
    }
    body = {
        "_type": "Form",
        "_embedded": {"payload": payload, "schema": schema, "validationErrors": errors},
        "_links": {
            "self": link(f"{API}/time_entries/form", method="post"),
            "validate": link(f"{API}/time_entries/form", method="post"),
            **({} if errors else {"commit": link(f"{API}/time_entries", method="post")}),
        },
    }
    return hal_response(body)


@routes("GET", "/time_entries")
async def list_entries(call: OpenProjectCall) -> web.Response:
    store = time_of(call.state)
    matchers = _matchers(call, call.query.get("filters"))
    criteria = parse_sort(call.query.get("sortBy"), _ENTRY_SORTS, default="spent_on")
    rows = [e for e in store.visible_entries(call.me) if all(m(e) for m in matchers)]
    return call.page("Collection", sort_rows(rows, criteria, _sort_key), lambda e: _entry(call, store, e))


@routes("POST", "/time_entries")
async def create_entry(call: OpenProjectCall) -> web.Response:
    store = time_of(call.state)
    entry = store.create_entry(await call.json(), call.actor)
    return hal_response(_entry(call, store, entry), 201)


@routes("GET", "/time_entries/{id}")
async def get_entry(call: OpenProjectCall) -> web.Response:
    store = time_of(call.state)
    return hal_response(_entry(call, store, store.get_entry(call.request.match_info["id"], call.me)))


@routes("PATCH", "/time_entries/{id}")
async def update_entry(call: OpenProjectCall) -> web.Response:
    store = time_of(call.state)
    entry = store.get_entry(call.request.match_info["id"], call.me)
    store.update_entry(entry, await call.json(), call.actor)
    return hal_response(_entry(call, store, entry))


@routes("DELETE", "/time_entries/{id}")
async def delete_entry(call: OpenProjectCall) -> web.Response:
    store = time_of(call.state)
    store.delete_entry(store.get_entry(call.request.match_info["id"], call.me), call.actor)
    return web.Response(status=204)


# ---------------------------------------------------------------------- versions


@routes("GET", "/projects/{project}/versions")
async def project_versions(call: OpenProjectCall) -> web.Response:
    project = call.project()
    rows = [_version(call, v) for v in time_of(call.state).project_versions(project["id"])]
    return hal_response(collection(rows, f"{API}/projects/{project['id']}/versions"))


@routes("POST", "/versions")
async def create_version(call: OpenProjectCall) -> web.Response:
    version = time_of(call.state).create_version(await call.json(), call.actor)
    return hal_response(_version(call, version), 201)


@routes("GET", "/versions/{id}")
async def get_version(call: OpenProjectCall) -> web.Response:
    ref = call.request.match_info["id"]
    found = time_of(call.state).versions.get(int(ref)) if ref.isdigit() else None
    if found is None:
        raise not_found()
    return hal_response(_version(call, found))
