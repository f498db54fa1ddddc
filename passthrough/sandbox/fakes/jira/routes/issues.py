"""Issues: create, read, edit, assign, transition."""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes
from .._errors import bad_request
from .._render import FieldSelection

routes = JiraRoutes()


@routes("POST", "/issue")
async def create_issue(call: JiraCall) -> web.Response:
    fields = (await call.json()).get("fields")
    if not isinstance(fields, dict):
        fields = {}
    issue = call.state.create_issue(fields, adf=call.adf, reporter=call.current)
    return json_response({"id": issue["id"], "key": issue["key"], "self": call.renderer.issue_self(issue)}, 201)


@routes("GET", "/issue/{key}")
async def get_issue(call: JiraCall) -> web.Response:
    issue = call.issue()
    fields = FieldSelection.parse(call.request.query.get("fields"), "*all")
    expand = call.request.query.get("expand", "").split(",")
    return json_response(call.renderer.issue(issue, fields, expand))


@routes("PUT", "/issue/{key}")
async def edit_issue(call: JiraCall) -> web.Response:
    issue = call.issue()
    payload = await call.json()
    fields = payload.get("fields") or {}
    update = payload.get("update") or {}
    if not isinstance(fields, dict) or not isinstance(update, dict):
        raise bad_request("'fields' and 'update' must be objects")
    call.state.edit_issue(issue, fields, update, adf=call.adf, actor=call.current)
    return web.Response(status=204)


@routes("PUT", "/issue/{key}/assignee")
async def assign(call: JiraCall) -> web.Response:
    issue = call.issue()
    call.state.assign(issue, await call.json())
    return web.Response(status=204)


@routes("GET", "/issue/{key}/transitions")
async def get_transitions(call: JiraCall) -> web.Response:
    call.issue()
    transitions = call.renderer.transitions()
    wanted = call.request.query.get("transitionId")
    if wanted:
        transitions = [t for t in transitions if t["id"] == wanted]
    return json_response({"expand": "transitions", "transitions": transitions})


@routes("POST", "/issue/{key}/transitions")
async def do_transition(call: JiraCall) -> web.Response:
    issue = call.issue()
    call.state.transition(issue, await call.json(), adf=call.adf, actor=call.current)
    return web.Response(status=204)
