"""The fake Jira's users, watchers, worklogs.

Users are found by ``query`` (display name, email) and ``accountId`` on Cloud, by ``username`` (username,
display name, email) on Server; watchers are named by a JSON string: an account id on Cloud, a username on
Server (none: the caller).
"""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response, read_json
from .._call import JiraCall, JiraRoutes
from .._data import JiraUser
from .._errors import JiraError, bad_request
from .._people_render import worklog as render_worklog
from .._people_render import worklog_page
from .._state import now

routes = JiraRoutes()


def _matches(call: JiraCall, text: str) -> list[JiraUser]:
    """Users a search string finds: a case-insensitive part of the display name or email (Server: username)."""
    folded = text.casefold()
    found = []
    for user in call.state.users:
        fields = [user.display_name, user.email] + ([] if call.cloud else [user.name])
        if any(folded in field.casefold() for field in fields):
            found.append(user)
    return found


def _search_text(call: JiraCall) -> str:
    """The search string of a user search; Server requires ``username``, Cloud ``query`` (or ``accountId``)."""
    name = "query" if call.cloud else "username"
    text = call.request.query.get(name)
    if text is None and not (call.cloud and "accountId" in call.request.query):
        raise bad_request(f"The {name} query parameter was not provided")
    return text or ""


def _page(call: JiraCall, users: list[JiraUser]) -> web.Response:
    start_at, max_results = call.page_bounds(call.request.query, 50, 1000)
    rendered = [call.renderer.user(u.name) for u in users[start_at : start_at + max_results]]
    return json_response(rendered)


@routes("GET", "/user/search", "signed-in")
async def user_search(call: JiraCall) -> web.Response:
    text = _search_text(call)
    users = _matches(call, text) if text else list(call.state.users)
    account_id = call.request.query.get("accountId")
    if call.cloud and account_id:
        users = [u for u in users if u.account_id == account_id]
    return _page(call, users)


@routes("GET", "/user/assignable/search", "signed-in")
async def assignable_search(call: JiraCall) -> web.Response:
    query = call.request.query
    if "issueKey" in query:
        call.state.get_issue(query["issueKey"])
    elif "project" in query:
        if call.state.find_project(query["project"]) is None:
            raise JiraError(404, [f"No project could be found with key '{query['project']}'."])
    else:
        raise bad_request("One of the following parameters must be provided: issueKey, project")
    text = _search_text(call)
    return _page(call, _matches(call, text) if text else list(call.state.users))


@routes("GET", "/user", "signed-in")
async def get_user(call: JiraCall) -> web.Response:
    query = call.request.query
    if call.cloud:
        wanted = query.get("accountId")
        if not wanted:
            raise bad_request("The accountId query parameter needs to be provided")
        user = next((u for u in call.state.users if u.account_id == wanted), None)
    else:
        wanted = query.get("username") or query.get("key")
        if not wanted:
            raise bad_request("Either the 'username' or the 'key' query parameters need to be provided")
        user = next(
            (u for u in call.state.users if wanted in (u.name, call.state.user_key(u))),
            None,
        )
    if user is None:
        if call.cloud:
            raise JiraError(404, ["Specified user does not exist or you do not have required permissions"])
        raise JiraError(404, [f"The user named '{wanted}' does not exist"])
    return json_response(call.renderer.user(user.name))


# ---------------------------------------------------------------------- watchers


def _watcher(call: JiraCall, ref: str) -> JiraUser:
    """The user a watcher reference names: an account id on Cloud, a username (or key) on Server."""
    for user in call.state.users:
        if (ref == user.account_id) if call.cloud else (ref in (user.name, call.state.user_key(user))):
            return user
    if call.cloud:
        raise JiraError(404, [f"The user with account ID '{ref}' does not exist."])
    raise JiraError(404, [f'The user "{ref}" does not exist.'])


@routes("GET", "/issue/{key}/watchers")
async def get_watchers(call: JiraCall) -> web.Response:
    issue = call.issue()
    names = call.state.people.watchers.get(issue["key"], [])
    return json_response(
        {
            "self": f"{call.renderer.issue_self(issue)}/watchers",
            "isWatching": call.current in names,
            "watchCount": len(names),
            "watchers": [call.renderer.user(n) for n in names],
        }
    )


@routes("POST", "/issue/{key}/watchers")
async def add_watcher(call: JiraCall) -> web.Response:
    issue = call.issue()
    ref = await read_json(
        call.request, invalid=lambda exc: bad_request(f"Unexpected character in the JSON body: {exc}")
    )
    if ref is None:
        if call.current is None:
            raise JiraError(401, ["You are not authenticated."])
        name = call.current
    elif isinstance(ref, str):
        name = _watcher(call, ref).name
    else:
        raise bad_request("Can not deserialize instance of java.lang.String out of a non-string token")
    call.state.people.watch(issue["key"], name)
    return web.Response(status=204)


@routes("DELETE", "/issue/{key}/watchers")
async def remove_watcher(call: JiraCall) -> web.Response:
    issue = call.issue()
    param = "accountId" if call.cloud else "username"
    ref = call.request.query.get(param)
    if not ref:
        raise bad_request(f"The {param} query parameter was not provided")
    call.state.people.unwatch(issue["key"], _watcher(call, ref).name)
    return web.Response(status=204)


# ---------------------------------------------------------------------- worklogs


@routes("GET", "/issue/{key}/worklog")
async def get_worklogs(call: JiraCall) -> web.Response:
    issue = call.issue()
    start_at, max_results = call.page_bounds(call.request.query, 5000, 5000)
    return json_response(worklog_page(call.renderer, issue, start_at, max_results))


@routes("POST", "/issue/{key}/worklog")
async def add_worklog(call: JiraCall) -> web.Response:
    issue = call.issue()
    worklog = call.state.people.add_worklog(
        issue, await call.json(), call.request.query, adf=call.adf, author=call.current, stamp=now()
    )
    return json_response(render_worklog(call.renderer, issue, worklog), 201)
