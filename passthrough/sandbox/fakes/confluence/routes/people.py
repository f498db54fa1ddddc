"""The fake Confluence's user search, groups, page views, templates and permissions.

Cloud: ``/search/user`` (user CQL), ``/user?accountId=``, ``/group/by-name``, ``/analytics/content/{id}/views``
and ``/viewers``, ``/template/page`` and ``/template/{id}``, ``POST /content/{id}/permission/check``, and v2
``/spaces/{id}/permissions``. Server/Data Center: user CQL on ``/search`` (see ``user_search``),
``/group/{name}/member`` and ``/space/{key}/permissions``; the Cloud-only paths answer its plain 404.
"""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes
from .._data import ConfluenceUser, user_key
from .._errors import ConfluenceError, bad_request, not_found_v1
from .._paging import JSON, v1_response, v2_page
from .._people_state import CONTENT_OPERATIONS, Grant, Group, Template, asks_for_users, people_of

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()


def _missing(call: ConfluenceCall) -> ConfluenceError:
    """What Confluence answers for a REST path it does not serve."""
    return ConfluenceError(404, f"null for uri: {call.request.url}")


def _cloud_only(call: ConfluenceCall) -> None:
    if not call.fake.cloud:
        raise _missing(call)


def _server_only(call: ConfluenceCall) -> None:
    if call.fake.cloud:
        raise _missing(call)


# ---------------------------------------------------------------------- users


def _user_result(call: ConfluenceCall, user: ConfluenceUser) -> JSON:
    """One user entry of a search answer, as /search/user (Cloud) and /search (Server) give it."""
    return {
        "user": call.renderer.user(user.name),
        "title": user.display_name,
        "excerpt": "",
        "url": f"/people/{user.account_id}" if call.fake.cloud else f"/display/~{user.name}",
        "breadcrumbs": [],
        "entityType": "user",
        "iconCssClass": "aui-icon content-type-profile",
        "lastModified": "2026-01-05T09:00:00.000Z",
        "score": 0.0,
    }


def _user_page(call: ConfluenceCall) -> web.Response:
    cql = call.query.get("cql", "")
    if not cql.strip():
        raise bad_request("CQL query parameter is required")
    found = people_of(call.state).search_users(cql)
    return v1_response(
        call,
        found,
        lambda u: _user_result(call, u),
        max_limit=1000 if call.fake.cloud else 100,
        cursor_links=call.fake.cloud,
        extra={"totalSize": len(found), "cqlQuery": cql, "searchDuration": 9},
    )


def user_search(call: ConfluenceCall) -> web.Response | None:
    """Server/Data Center's ``/search`` finds users for a user query (``type = user``, ``user.*`` fields);
    None for any other query, and always on Cloud, whose ``/search`` no longer takes user fields."""
    if call.fake.cloud or not asks_for_users(call.query.get("cql", "")):
        return None
    return _user_page(call)


@v1("GET", "/search/user")
async def search_user(call: ConfluenceCall) -> web.Response:
    _cloud_only(call)
    return _user_page(call)


@v1("GET", "/user")
async def user(call: ConfluenceCall) -> web.Response:
    people = people_of(call.state)
    if call.fake.cloud:
        account_id = call.query.get("accountId")
        if not account_id:
            raise bad_request("accountId is required")
        found = people.user_by_account(account_id)
        if found is None:
            raise ConfluenceError(404, f"No user found with accountId : {account_id}")
    else:
        ref = call.query.get("username") or call.query.get("key")
        if not ref:
            raise bad_request("A username or key is required")
        found = next((u for u in call.state.users if ref in (u.name, user_key(u))), None)
        if found is None:
            raise ConfluenceError(404, f"No user found with username or key : {ref}")
    return json_response(call.renderer.user(found.name))


def _group_json(call: ConfluenceCall, group: Group) -> JSON:
    data: JSON = {"type": "group", "name": group.name}
    if call.fake.cloud:
        data["id"] = group.id
        link = f"{call.renderer.base}/rest/api/group/by-id?id={group.id}"
    else:
        link = f"{call.renderer.base}/rest/api/group/{group.name}"
    data["_links"] = {"self": link}
    return data


@v1("GET", "/group/by-name")  # before /group/{name}/member
async def group_by_name(call: ConfluenceCall) -> web.Response:
    _cloud_only(call)
    name = call.query.get("name") or ""
    found = people_of(call.state).group(name)
    if found is None:
        raise ConfluenceError(404, f"No group found with name : {name}")
    return json_response(_group_json(call, found))


@v1("GET", "/group/by-id")
async def group_by_id(call: ConfluenceCall) -> web.Response:
    _cloud_only(call)
    group_id = call.query.get("id") or ""
    found = people_of(call.state).group_by_id(group_id)
    if found is None:
        raise ConfluenceError(404, f"No group found with id : {group_id}")
    return json_response(_group_json(call, found))


@v2("POST", "/users-bulk")
async def v2_users_bulk(call: ConfluenceCall) -> web.Response:
    payload = await call.object()
    ids = payload.get("accountIds")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise bad_request("accountIds must be a non-empty list of account ids", v2_title="Invalid accountIds")
    if len(ids) > 100:
        raise bad_request("At most 100 account ids", v2_title="Too many accountIds: at most 100")
    people = people_of(call.state)
    found = [u for u in (people.user_by_account(i) for i in dict.fromkeys(ids)) if u is not None]
    results = [
        {
            "accountId": u.account_id,
            "accountType": "atlassian",
            "accountStatus": "active",
            "displayName": u.display_name,
            "publicName": u.display_name,
            "email": u.email,
            "isExternalCollaborator": False,
        }
        for u in found
    ]
    return json_response({"results": results, "_links": {"base": call.renderer.base}})


@v1("GET", "/group/{name}/member")
async def group_members(call: ConfluenceCall) -> web.Response:
    _server_only(call)  # Cloud names groups by id (/group/{groupId}/membersByGroupId)
    name = call.request.match_info["name"]
    people = people_of(call.state)
    found = people.group(name)
    if found is None:
        raise ConfluenceError(404, f"No group found with name : {name}")
    members = sorted(found.members)
    return v1_response(call, members, call.renderer.user, default_limit=200, max_limit=200)


# ---------------------------------------------------------------------- analytics


def _views(call: ConfluenceCall, which: int) -> web.Response:
    _cloud_only(call)
    content_id = call.path_id("id")
    call.state.content(content_id)  # 404 for unknown content
    counts = people_of(call.state).views.get(content_id, (0, 0))
    return json_response({"id": int(content_id), "count": counts[which]})


@v1("GET", "/analytics/content/{id}/views")
async def page_views(call: ConfluenceCall) -> web.Response:
    return _views(call, 0)


@v1("GET", "/analytics/content/{id}/viewers")
async def page_viewers(call: ConfluenceCall) -> web.Response:
    return _views(call, 1)


# ---------------------------------------------------------------------- templates


def _template_json(call: ConfluenceCall, template: Template, with_body: bool) -> JSON:
    base = call.renderer.base
    data: JSON = {
        "templateId": template.id,
        "name": template.name,
        "description": template.description,
        "labels": [{"prefix": "global", "name": n, "id": call.state.label_id(n), "label": n} for n in template.labels],
        "templateType": "page",
        "editorVersion": "v2",
    }
    if template.space_key is not None:
        space = call.state.spaces[template.space_key]
        data["space"] = {"id": int(space.id), "key": space.key, "name": space.name}
    if with_body:
        data["body"] = {
            "storage": {"value": template.body, "representation": "storage", "embeddedContent": []},
        }
    else:
        data["_expandable"] = {"body": ""}
    data["_links"] = {"self": f"{base}/rest/api/template/{template.id}", "base": base, "context": "/wiki"}
    return data


@v1("GET", "/template/page")  # before /template/{id}
async def page_templates(call: ConfluenceCall) -> web.Response:
    _cloud_only(call)
    space_key = call.query.get("spaceKey")
    if space_key:
        space = call.state.space_by_key(space_key)
        if space is None:
            raise ConfluenceError(404, f"No space with key : {space_key}")
        wanted: str | None = space.key
    else:
        wanted = None
    templates = [t for t in people_of(call.state).templates.values() if t.space_key == wanted]
    with_body = call.expand().has("body")
    return v1_response(call, templates, lambda t: _template_json(call, t, with_body), default_limit=25, max_limit=200)


@v1("GET", "/template/{id}")
async def template(call: ConfluenceCall) -> web.Response:
    _cloud_only(call)
    template_id = call.request.match_info["id"]
    found = people_of(call.state).templates.get(template_id)
    if found is None:
        raise ConfluenceError(404, f"Cannot find content template with id: {template_id}")
    return json_response(_template_json(call, found, with_body=True))


# ---------------------------------------------------------------------- permissions


@v1("POST", "/content/{id}/permission/check")
async def check_permission(call: ConfluenceCall) -> web.Response:
    _cloud_only(call)
    content_id = call.path_id("id")
    item = call.state.pages.get(content_id) or call.state.comment(content_id)
    if item is None:
        raise not_found_v1(content_id)
    payload = await call.object()
    subject = payload.get("subject")
    operation = payload.get("operation")
    if not isinstance(subject, dict) or subject.get("type") not in ("user", "group"):
        raise bad_request("subject.type must be user or group", v2_title="Invalid subject")
    if operation not in CONTENT_OPERATIONS:
        raise bad_request(f"Invalid operation: {operation}. Valid operations are: read, update, delete")
    identifier = subject.get("identifier")
    if not isinstance(identifier, str) or not identifier:
        raise bad_request("subject.identifier is required")
    people = people_of(call.state)
    user = group = None
    if subject["type"] == "user":
        user = people.user_by_account(identifier)
        if user is None:
            raise bad_request(f"No user found with accountId : {identifier}")
    else:
        group = people.group_by_id(identifier)
        if group is None:
            raise bad_request(f"No group found with id : {identifier}")
    space = call.state.space_of(item)
    allowed = people.content_permission(user, group, space.key, item["type"], str(operation))
    errors: list[JSON] = []
    if not allowed:
        who = "user" if user is not None else "group"
        errors.append(
            {
                "translation": f"The {who} does not have {operation} permission on content with id {content_id}",
                "args": [],
            }
        )
    return json_response({"hasPermission": allowed, "errors": errors})


def _principal_id(call: ConfluenceCall, grant: Grant) -> str:
    people = people_of(call.state)
    if grant.principal_type == "group":
        found = people.group(grant.principal)
        return found.id if found else grant.principal
    user = call.state.user(grant.principal)
    return user.account_id if user else grant.principal


@v2("GET", "/spaces/{id}/permissions")
async def v2_space_permissions(call: ConfluenceCall) -> web.Response:
    found = call.state.space_by_id(call.path_id())
    if found is None:
        raise ConfluenceError(404, "Not Found")
    grants = people_of(call.state).space_grants(found.key)
    return v2_page(
        call,
        grants,
        lambda g: {
            "id": g.id,
            "principal": {"type": g.principal_type, "id": _principal_id(call, g)},
            "operation": {"key": g.operation, "targetType": g.target},
        },
    )


@v1("GET", "/space/{key}/permissions")
async def space_permissions(call: ConfluenceCall) -> web.Response:
    _server_only(call)  # Data Center's; Cloud's v1 has only POST /space/{key}/permission
    key = call.request.match_info["key"]
    space = call.state.space_by_key(key)
    if space is None:
        raise ConfluenceError(404, f"No space with key : {key}")

    def subject(grant: Grant) -> JSON:
        if grant.principal_type == "group":
            return {"type": "group", "displayName": grant.principal}
        user = call.state.user(grant.principal)
        return {"type": "user", "displayName": user.display_name if user else grant.principal}

    rows = [
        {
            "operation": {"targetType": g.target, "operationKey": g.operation},
            "subject": subject(g),
            "spaceKey": space.key,
            "spaceId": int(space.id),
        }
        for g in people_of(call.state).space_grants(space.key)
    ]
    return json_response(rows)
