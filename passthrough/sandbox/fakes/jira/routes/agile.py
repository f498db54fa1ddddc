"""The fake Jira's boards and sprints, under /rest/agile/1.0."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web

from ..._base import json_response
from .._agile_state import SPRINT_STATES, AgileState, Board, agile_of
from .._call import JiraCall, JiraRoutes
from .._errors import bad_request
from .._render import FieldSelection
from .._search import search as run_search
from .._state import Issue

routes = JiraRoutes()

AGILE = "/rest/agile/1.0"
SPRINT_FIELDS = ("sprint", "closedSprints")


def _agile(call: JiraCall) -> AgileState:
    return agile_of(call.state)


def _board_json(call: JiraCall, board: Board) -> dict[str, Any]:
    project = call.state.find_project(board.project)
    location: dict[str, Any] = {}
    if project is not None:
        location = {
            "projectId": int(project.id),
            "displayName": f"{project.name} ({project.key})",
            "projectName": project.name,
            "projectKey": project.key,
            "projectTypeKey": "software",
            "avatarURI": f"/secure/projectavatar?size=small&pid={project.id}",
            "name": f"{project.name} ({project.key})",
        }
    return {
        "id": board.id,
        "self": f"{call.base}{AGILE}/board/{board.id}",
        "name": board.name,
        "type": board.type,
        "location": location,
    }


def _sprint_json(call: JiraCall, sprint: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": sprint["id"],
        "self": f"{call.base}{AGILE}/sprint/{sprint['id']}",
        "state": sprint["state"],
        "name": sprint["name"],
    }
    for stored, field in (("start", "startDate"), ("end", "endDate"), ("complete", "completeDate")):
        if sprint.get(stored):
            body[field] = sprint[stored]
    if call.cloud:
        body["createdDate"] = sprint["created"]
    body["originBoardId"] = sprint["board"]
    if sprint.get("goal") is not None:
        body["goal"] = sprint["goal"]
    return body


def _values_page(items: list[dict[str, Any]], start_at: int, max_results: int, total: bool) -> dict[str, Any]:
    page = items[start_at : start_at + max_results]
    body: dict[str, Any] = {"maxResults": max_results, "startAt": start_at}
    if total:
        body["total"] = len(items)
    body["isLast"] = start_at + len(page) >= len(items)
    body["values"] = page
    return body


def _issue_page(call: JiraCall, issues: list[Issue]) -> web.Response:
    """An agile issue list: the search's shape, with each issue's sprints when its fields ask for them."""
    query = call.request.query
    start_at, max_results = call.page_bounds(query, 50, 100)
    raw = query.get("fields")
    fields = FieldSelection.parse(raw, "*navigable")
    with_sprints = {f for f in SPRINT_FIELDS if not raw or f in fields.names or "*all" in raw or "*navigable" in raw}
    expand = query.get("expand", "").split(",")
    rendered = []
    for issue in issues[start_at : start_at + max_results]:
        body = call.renderer.issue(issue, fields, expand)
        if "fields" in body:
            body["fields"].update(_sprint_fields(call, issue["key"], with_sprints))
        rendered.append(body)
    return json_response(
        {
            "expand": "schema,names",
            "startAt": start_at,
            "maxResults": max_results,
            "total": len(issues),
            "issues": rendered,
        }
    )


def _sprint_fields(call: JiraCall, key: str, wanted: Iterable[str]) -> dict[str, Any]:
    agile = _agile(call)
    out: dict[str, Any] = {}
    if "sprint" in wanted:
        sprint = agile.open_sprint(key)
        out["sprint"] = _sprint_json(call, sprint) if sprint else None
    if "closedSprints" in wanted:
        closed = agile.closed_sprints(key)
        if closed:
            out["closedSprints"] = [_sprint_json(call, s) for s in closed]
    return out


def _matching(call: JiraCall, keep: Any) -> list[Issue]:
    jql = call.request.query.get("jql") or ""
    return [i for i in run_search(call.state, jql, call.current) if keep(i)]


# ---------------------------------------------------------------------- boards


@routes("GET", "/board")
async def boards(call: JiraCall) -> web.Response:
    query = call.request.query
    start_at, max_results = call.page_bounds(query, 50, 50)
    kinds = {k.strip().lower() for k in query.get("type", "").split(",") if k.strip()}
    unknown = kinds - {"scrum", "kanban", "simple"}
    if unknown:
        raise bad_request(f"The board type '{sorted(unknown)[0]}' is not valid; it is one of scrum, kanban, simple.")
    name = query.get("name", "").lower()
    project_ref = query.get("projectKeyOrId")
    project = None
    if project_ref:
        project = call.state.find_project(project_ref)
        if project is None:
            raise bad_request(f"No project could be found with key or id '{project_ref}'.")
    found = [
        _board_json(call, b)
        for b in _agile(call).boards.values()
        if (not kinds or b.type in kinds) and name in b.name.lower() and (project is None or b.project == project.key)
    ]
    return json_response(_values_page(found, start_at, max_results, total=True))


@routes("GET", "/board/{board_id}")
async def board(call: JiraCall) -> web.Response:
    return json_response(_board_json(call, _agile(call).board(call.request.match_info["board_id"])))


@routes("GET", "/board/{board_id}/sprint")
async def board_sprints(call: JiraCall) -> web.Response:
    agile = _agile(call)
    found_board = agile.scrum_board(call.request.match_info["board_id"])
    query = call.request.query
    start_at, max_results = call.page_bounds(query, 50, 50)
    states = {s.strip().lower() for s in query.get("state", "").split(",") if s.strip()}
    unknown = states - set(SPRINT_STATES)
    if unknown:
        raise bad_request(f"The sprint state '{sorted(unknown)[0]}' is not valid; it is one of future, active, closed.")
    sprints = [_sprint_json(call, s) for s in agile.board_sprints(found_board, states)]
    return json_response(_values_page(sprints, start_at, max_results, total=False))


@routes("GET", "/board/{board_id}/issue")
async def board_issues(call: JiraCall) -> web.Response:
    found_board = _agile(call).board(call.request.match_info["board_id"])
    return _issue_page(call, _matching(call, lambda i: i["project"] == found_board.project))


# ---------------------------------------------------------------------- sprints


@routes("POST", "/sprint")
async def create_sprint(call: JiraCall) -> web.Response:
    sprint = _agile(call).create_sprint(await call.json())
    return json_response(_sprint_json(call, sprint), 201)


@routes("GET", "/sprint/{sprint_id}")
async def get_sprint(call: JiraCall) -> web.Response:
    return json_response(_sprint_json(call, _agile(call).sprint(call.request.match_info["sprint_id"])))


@routes("POST", "/sprint/{sprint_id}")
async def update_sprint(call: JiraCall) -> web.Response:
    agile = _agile(call)
    sprint = agile.sprint(call.request.match_info["sprint_id"])
    return json_response(_sprint_json(call, agile.update_sprint(sprint, await call.json())))


@routes("GET", "/sprint/{sprint_id}/issue")
async def sprint_issues(call: JiraCall) -> web.Response:
    agile = _agile(call)
    sprint = agile.sprint(call.request.match_info["sprint_id"])
    return _issue_page(call, _matching(call, lambda i: agile.in_sprint(sprint, i["key"])))


@routes("POST", "/sprint/{sprint_id}/issue")
async def move_to_sprint(call: JiraCall) -> web.Response:
    agile = _agile(call)
    sprint = agile.sprint(call.request.match_info["sprint_id"])
    agile.move_to_sprint(sprint, await call.json())
    return web.Response(status=204)


@routes("POST", "/backlog/issue")
async def move_to_backlog(call: JiraCall) -> web.Response:
    _agile(call).move_to_backlog(await call.json())
    return web.Response(status=204)
