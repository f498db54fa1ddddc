"""The fake OpenProject's users list, principals, groups, placeholder users, assignable people, watchers,
memberships and roles (the state: ``_people_state``; ``/users/{id}`` is in ``users``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._errors import invalid_query, not_found
from .._people_state import ROLES, Membership, forbidden, people_of, text_match
from .._query import parse_sort, sort_rows
from .._render import API, collection

routes = OpenProjectRoutes()

Filter = tuple[str, str, list[str]]
# per endpoint: filter name -> (label, operators); snake_case and camelCase names are both accepted
_USER_FILTERS = {
    "status": ("Status", {"=", "!"}),
    "group": ("Group", {"=", "!"}),
    "name": ("Name", {"=", "~", "!~"}),
    "login": ("Login", {"=", "~", "!"}),
}
_PRINCIPAL_FILTERS = {
    "type": ("Type", {"=", "!"}),
    "member": ("Member", {"=", "!"}),
    "name": ("Name", {"=", "~", "!~"}),
    "any_name_attribute": ("Any name attribute", {"=", "~", "!~"}),
    "status": ("Status", {"=", "!"}),
    "id": ("ID", {"=", "!"}),
}
_PLACEHOLDER_FILTERS = {
    "name": ("Name", {"=", "~", "!~"}),
    "status": ("Status", {"=", "!"}),
    "group": ("Group", {"=", "!"}),
}
_MEMBERSHIP_FILTERS = {
    "project": ("Project", {"=", "!"}),
    "principal": ("Principal", {"=", "!"}),
    "role": ("Role", {"=", "!"}),
    "name": ("Name", {"=", "~"}),
    "any_name_attribute": ("Any name attribute", {"=", "~"}),
    "group": ("Group", {"=", "!"}),
    "status": ("Status", {"=", "!"}),
}
_ROLE_FILTERS = {"grantable": ("Grantable", {"="}), "unit": ("Unit", {"="})}
_STATUS_NUMBERS = {"1": "active", "2": "registered", "3": "locked", "4": "invited"}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _filters(raw: str | None, specs: Mapping[str, tuple[str, set[str]]]) -> list[Filter]:
    """``filters`` as (name, operator, values); a 400 ``InvalidQuery`` for what OpenProject refuses."""
    if raw is None:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        raise invalid_query(f"unexpected token at '{raw}'") from None
    if not isinstance(data, list):
        raise invalid_query("Filters must be an array of filter objects.")
    out: list[Filter] = []
    for item in data:
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid_query("Filters must be an array of objects with exactly one filter name each.")
        ((given, body),) = item.items()
        name = _snake(str(given))
        spec = specs.get(name)
        if spec is None:
            raise invalid_query(f"Filters {name.replace('_', ' ').capitalize()} does not exist.")
        label, operators = spec
        operator = body.get("operator") if isinstance(body, dict) else None
        if operator not in operators:
            raise invalid_query(f"Filters {label} filter has invalid operator '{operator}'.")
        values = body.get("values")
        if not isinstance(values, list) or not values or not all(isinstance(v, str | int) for v in values):
            raise invalid_query(f"Filters {label} filter has invalid values.")
        out.append((name, str(operator), [str(v) for v in values]))
    return out


def _keep(operator: str, hit: bool) -> bool:
    return not hit if operator in ("!", "!~") else hit


def _user_names(call: OpenProjectCall, principal: int) -> list[str]:
    found = call.state.principal(principal)
    people = people_of(call.state)
    if found is None or people.kind(principal) != "User":
        return [people.name(principal)]
    first, _, last = found.name.partition(" ")
    return [found.name, first, last, found.login, found.email or ""]


def _principal_matches(call: OpenProjectCall, principal: int, f: Filter) -> bool:
    people = people_of(call.state)
    name, operator, values = f
    me = call.me
    if name == "type":
        return _keep(operator, people.kind(principal) in values)
    if name == "id":
        wanted = {str(me) if v == "me" else v for v in values}
        return _keep(operator, str(principal) in wanted)
    if name == "member":
        projects = {int(v) for v in values if v.isdigit()}
        return _keep(operator, any(people.roles_in(principal, p) for p in projects))
    if name == "status":
        wanted = {_STATUS_NUMBERS.get(v, v) for v in values}
        return _keep(operator, "active" in wanted)  # every fake principal is active
    if name == "group":
        return _keep(
            operator, any(principal in people.groups.get(int(v), {}).get("members", []) for v in values if v.isdigit())
        )
    if name == "login":
        found = call.state.principal(principal)
        return text_match(operator, values[0], [found.login if found else ""])
    haystacks = _user_names(call, principal) if name == "any_name_attribute" else [people.name(principal)]
    if name == "name" and people.kind(principal) == "User":
        found = call.state.principal(principal)
        haystacks = [people.name(principal), found.email or "" if found else ""]
    return text_match(operator, values[0], haystacks)


def _principal_key(call: OpenProjectCall) -> Callable[[dict[str, Any], str], Any]:
    def key(row: dict[str, Any], name: str) -> Any:
        value = row.get(name)
        return value.lower() if isinstance(value, str) else value

    return key


# ---------------------------------------------------------------------- users and principals


@routes("GET", "/users")
async def list_users(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    if not people.is_admin(call.me):
        raise forbidden("You are not allowed to list users.")
    query = call.query
    filters = _filters(query.get("filters"), _USER_FILTERS)
    ids = [u.id for u in call.state.users if all(_principal_matches(call, u.id, f) for f in filters)]
    rows = [people.user_body(p, call.me) for p in (call.state.principals[i] for i in ids)]
    criteria = parse_sort(query.get("sortBy"), frozenset({"id", "name", "login", "createdAt", "updatedAt"}))
    return call.page("Collection", sort_rows(rows, criteria, _principal_key(call)), lambda row: row)


@routes("GET", "/principals")
async def list_principals(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    filters = _filters(call.query.get("filters"), _PRINCIPAL_FILTERS)
    seen = sorted(people.visible_principals(call.me))
    ids = [p for p in seen if people.kind(p) and all(_principal_matches(call, p, f) for f in filters)]
    return call.page("Collection", ids, lambda p: people.principal_body(p, call.me))


# ---------------------------------------------------------------------- groups, placeholder users


@routes("GET", "/groups")
async def list_groups(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    if not people.visible_groups(call.me) and not people.projects_of(call.me):
        raise forbidden()
    criteria = parse_sort(call.query.get("sortBy"), frozenset({"id", "name", "createdAt", "updatedAt"}))
    rows = sort_rows(people.visible_groups(call.me), criteria, _principal_key(call))
    return call.page("Collection", rows, people.group_body)


@routes("GET", "/groups/{id}")
async def get_group(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    ref = call.request.match_info["id"]
    group = next((g for g in people.visible_groups(call.me) if str(g["id"]) == ref), None)
    if group is None:
        raise not_found()
    return hal_response(people.group_body(group))


@routes("GET", "/placeholder_users")
async def list_placeholder_users(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    if not people.manages_members_somewhere(call.me):
        raise forbidden()
    filters = _filters(call.query.get("filters"), _PLACEHOLDER_FILTERS)
    ids = [p for p in sorted(people.placeholders) if all(_principal_matches(call, p, f) for f in filters)]
    return call.page("Collection", ids, lambda p: people.placeholder_body(people.placeholders[p]))


@routes("GET", "/placeholder_users/{id}")
async def get_placeholder_user(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    ref = call.request.match_info["id"]
    found = people.placeholders.get(int(ref)) if ref.isdigit() else None
    if found is None or found["id"] not in people.visible_principals(call.me):
        raise not_found()
    return hal_response(people.placeholder_body(found))


# ---------------------------------------------------------------------- assignable people


def _assignees(call: OpenProjectCall, project: int, href: str) -> web.Response:
    people = people_of(call.state)
    elements = [people.principal_body(p, call.me) for p in people.assignees(project)]
    return hal_response(collection(elements, href))


@routes("GET", "/projects/{project}/available_assignees")
async def project_assignees(call: OpenProjectCall) -> web.Response:
    project = call.project()
    return _assignees(call, project["id"], f"{API}/projects/{project['id']}/available_assignees")


@routes("GET", "/work_packages/{id}/available_assignees")
async def work_package_assignees(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    return _assignees(call, wp["project"], f"{API}/work_packages/{wp['id']}/available_assignees")


# ---------------------------------------------------------------------- watchers


@routes("GET", "/work_packages/{id}/watchers")
async def list_watchers(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    people = people_of(call.state)
    users = [call.state.principals[u] for u in people.watchers_of(wp["id"]) if u in call.state.principals]
    elements = [people.user_body(u, call.me) for u in users]
    return hal_response(collection(elements, f"{API}/work_packages/{wp['id']}/watchers"))


@routes("POST", "/work_packages/{id}/watchers")
async def add_watcher(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    people = people_of(call.state)
    user, added = people.add_watcher(wp, await call.json(), call.actor)
    return hal_response(people.user_body(call.state.principals[user], call.me), 201 if added else 200)


@routes("DELETE", "/work_packages/{id}/watchers/{user_id}")
async def remove_watcher(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    ref = call.request.match_info["user_id"]
    if not ref.isdigit():
        raise not_found("The specified user does not exist.")
    people_of(call.state).remove_watcher(wp, int(ref), call.actor)
    return web.Response(status=204)


# ---------------------------------------------------------------------- memberships


def _membership_matches(call: OpenProjectCall, m: Membership, f: Filter) -> bool:
    name, operator, values = f
    if name == "project":
        return _keep(operator, str(m["project"]) in values)
    if name == "principal":
        return _keep(operator, str(m["principal"]) in values)
    if name == "role":
        return _keep(operator, any(str(r) in values for r in m["roles"]))
    return _principal_matches(call, m["principal"], f)


@routes("GET", "/memberships")
async def list_memberships(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    query = call.query
    filters = _filters(query.get("filters"), _MEMBERSHIP_FILTERS)
    rows = [m for m in people.visible_memberships(call.me) if all(_membership_matches(call, m, f) for f in filters)]
    criteria = parse_sort(query.get("sortBy"), frozenset({"id", "createdAt", "updatedAt"}))
    return call.page("Collection", sort_rows(rows, criteria, _principal_key(call)), people.membership_body)


@routes("POST", "/memberships")
async def create_membership(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    m = people.create_membership(await call.json(), call.actor)
    return hal_response(people.membership_body(m), 201)


@routes("GET", "/memberships/{id}")
async def get_membership(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    return hal_response(people.membership_body(people.membership(call.request.match_info["id"], call.me)))


@routes("PATCH", "/memberships/{id}")
async def update_membership(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    m = people.membership(call.request.match_info["id"], call.me)
    people.update_membership(m, await call.json(), call.actor)
    return hal_response(people.membership_body(m))


@routes("DELETE", "/memberships/{id}")
async def delete_membership(call: OpenProjectCall) -> web.Response:
    people = people_of(call.state)
    m = people.membership(call.request.match_info["id"], call.me)
    people.delete_membership(m, call.actor)
    return web.Response(status=204)


# ---------------------------------------------------------------------- roles


@routes("GET", "/roles")
async def list_roles(call: OpenProjectCall) -> web.Response:
    filters = _filters(call.query.get("filters"), _ROLE_FILTERS)
    rows = []
    for role_id, (_, grantable, unit, _) in ROLES.items():
        keep = True
        for name, _, values in filters:
            value = ("t" if grantable else "f") if name == "grantable" else unit
            keep = keep and (value in values or (name == "grantable" and str(grantable).lower() in values))
        if keep:
            rows.append(people_of(call.state).role_body(role_id))
    return hal_response(collection(rows, f"{API}/roles"))


@routes("GET", "/roles/{id}")
async def get_role(call: OpenProjectCall) -> web.Response:
    ref = call.request.match_info["id"]
    if not ref.isdigit() or int(ref) not in ROLES:
        raise not_found()
    return hal_response(people_of(call.state).role_body(int(ref)))
