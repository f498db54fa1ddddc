"""The fake Jira's Jira Service Management, under /rest/servicedeskapi."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes
from .._render import FieldSelection
from .._service_desk_state import (
    HELP,
    CustomerRequest,
    Queue,
    RequestType,
    ServiceDeskError,
    ServiceDeskState,
    experimental_refused,
    page,
)
from .._state import Issue

routes = JiraRoutes()

_STATUS_NAMES = {"To Do": "Waiting for support", "In Progress": "Work in progress", "Done": "Resolved"}
_STATUS_CATEGORIES = {"To Do": "NEW", "In Progress": "INDETERMINATE", "Done": "DONE"}


def _desk(call: JiraCall) -> ServiceDeskState:
    desk = call.state.service_desk
    desk.desk(call.request.match_info["desk"])
    return desk


def _opted_in(call: JiraCall) -> None:
    """JSM's experimental methods answer only a caller that opts in."""
    if call.request.headers.get("X-ExperimentalApi", "").strip().lower() != "opt-in":
        raise experimental_refused()


def _desk_body(call: JiraCall, desk: ServiceDeskState) -> dict[str, Any]:
    return {
        "id": desk.id,
        "projectId": HELP.id,
        "projectName": HELP.name,
        "projectKey": HELP.key,
        "_links": {"self": f"{call.base}/rest/servicedeskapi/servicedesk/{desk.id}"},
    }


def _queue_body(call: JiraCall, desk: ServiceDeskState, queue: Queue, count: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"id": queue.id, "name": queue.name, "jql": queue.jql, "fields": list(queue.fields)}
    if count:
        body["issueCount"] = len(desk.queue_issues(queue, call.current))
    body["_links"] = {"self": f"{call.base}/rest/servicedeskapi/servicedesk/{desk.id}/queue/{queue.id}"}
    return body


def _type_body(call: JiraCall, desk: ServiceDeskState, request_type: RequestType) -> dict[str, Any]:
    issue_type = call.state.issue_type(request_type.issue_type)
    return {
        "id": request_type.id,
        "name": request_type.name,
        "description": request_type.description,
        "helpText": request_type.help_text,
        "issueTypeId": issue_type.id if issue_type else "",
        "serviceDeskId": desk.id,
        "groupIds": list(request_type.group_ids),
        "icon": {"id": "10500"},
        "_links": {"self": f"{call.base}/rest/servicedeskapi/servicedesk/{desk.id}/requesttype/{request_type.id}"},
    }


def _date(stamp: str) -> dict[str, Any]:
    return {"iso8601": stamp, "jira": stamp, "friendly": stamp[:16].replace("T", " ")}


def _customer(call: JiraCall, name: str | None) -> dict[str, Any] | None:
    user = call.renderer.user(name)
    if user is None:
        return None
    keep = ("accountId",) if call.cloud else ("name", "key")
    body = {k: user[k] for k in (*keep, "emailAddress", "displayName", "active", "timeZone") if k in user}
    body["_links"] = {"jiraRest": user.get("self", "")}
    return body


def _request_body(call: JiraCall, issue: Issue, request: CustomerRequest) -> dict[str, Any]:
    desk = call.state.service_desk
    request_type = desk.request_type(request.request_type_id)
    known = {f.field_id: f for f in request_type.fields}
    values = []
    for field_id, value in request.values.items():
        shown = issue.get("description") if field_id == "description" else value
        options = dict(known[field_id].options) if field_id in known else {}
        if options and isinstance(value, dict):
            ident = str(value.get("id", "")) or next((i for i, v in options.items() if v == value.get("value")), "")
            shown = {"id": ident, "value": options.get(ident, value.get("value"))}
        label = known[field_id].name if field_id in known else field_id
        values.append({"fieldId": field_id, "label": label, "value": shown})
    return {
        "_expands": ["participant", "status", "sla", "requestType", "serviceDesk", "attachment", "action", "comment"],
        "issueId": issue["id"],
        "issueKey": issue["key"],
        "requestTypeId": request.request_type_id,
        "serviceDeskId": request.service_desk_id,
        "createdDate": _date(issue["created"]),
        "reporter": _customer(call, issue.get("reporter")),
        "requestFieldValues": values,
        "currentStatus": {
            "status": _STATUS_NAMES.get(issue["status"], issue["status"]),
            "statusCategory": _STATUS_CATEGORIES.get(issue["status"], "NEW"),
            "statusDate": _date(issue["updated"]),
        },
        "_links": {
            "jiraRest": f"{call.base}/rest/api/2/issue/{issue['id']}",
            "web": f"{call.base}/servicedesk/customer/portal/{request.service_desk_id}/{issue['key']}",
            "agent": f"{call.base}/browse/{issue['key']}",
            "self": f"{call.base}/rest/servicedeskapi/request/{issue['id']}",
        },
    }


@routes("GET", "/servicedesk")
async def service_desks(call: JiraCall) -> web.Response:
    desk = call.state.service_desk
    return json_response(page([_desk_body(call, desk)], call.request.query, call.base, "/servicedesk"))


@routes("GET", "/servicedesk/{desk}")
async def service_desk(call: JiraCall) -> web.Response:
    return json_response(_desk_body(call, _desk(call)))


@routes("GET", "/servicedesk/{desk}/queue")
async def queues(call: JiraCall) -> web.Response:
    desk = _desk(call)
    _opted_in(call)
    count = call.request.query.get("includeCount", "false").lower() == "true"
    bodies = [_queue_body(call, desk, q, count) for q in desk.queues]
    return json_response(page(bodies, call.request.query, call.base, f"/servicedesk/{desk.id}/queue"))


@routes("GET", "/servicedesk/{desk}/queue/{queue}")
async def queue(call: JiraCall) -> web.Response:
    desk = _desk(call)
    _opted_in(call)
    found = desk.queue(call.request.match_info["queue"])
    count = call.request.query.get("includeCount", "false").lower() == "true"
    return json_response(_queue_body(call, desk, found, count))


@routes("GET", "/servicedesk/{desk}/queue/{queue}/issue")
async def queue_issues(call: JiraCall) -> web.Response:
    desk = _desk(call)
    _opted_in(call)
    found = desk.queue(call.request.match_info["queue"])
    fields = FieldSelection(found.fields)
    issues = [call.renderer.issue(i, fields) for i in desk.queue_issues(found, call.current)]
    path = f"/servicedesk/{desk.id}/queue/{found.id}/issue"
    return json_response(page(issues, call.request.query, call.base, path))


@routes("GET", "/servicedesk/{desk}/requesttype")
async def request_types(call: JiraCall) -> web.Response:
    desk = _desk(call)
    wanted = call.request.query.get("searchQuery", "").lower()
    bodies = [_type_body(call, desk, t) for t in desk.request_types if wanted in t.name.lower()]
    return json_response(page(bodies, call.request.query, call.base, f"/servicedesk/{desk.id}/requesttype"))


@routes("GET", "/servicedesk/{desk}/requesttype/{type}")
async def request_type(call: JiraCall) -> web.Response:
    desk = _desk(call)
    return json_response(_type_body(call, desk, desk.request_type(call.request.match_info["type"])))


@routes("GET", "/servicedesk/{desk}/requesttype/{type}/field")
async def request_type_fields(call: JiraCall) -> web.Response:
    desk = _desk(call)
    found = desk.request_type(call.request.match_info["type"])
    fields = [
        {
            "fieldId": f.field_id,
            "name": f.name,
            "description": f.description,
            "required": f.required,
            "defaultValues": [],
            "validValues": [{"value": ident, "label": label, "children": []} for ident, label in f.options],
            "jiraSchema": dict(f.schema),
            "visible": True,
        }
        for f in found.fields
    ]
    return json_response({"requestTypeFields": fields, "canRaiseOnBehalfOf": True, "canAddRequestParticipants": True})


@routes("POST", "/request")
async def create_request(call: JiraCall) -> web.Response:
    payload = await call.json()
    if "isAdfRequest" in payload:  # an experimental property of the request
        _opted_in(call)
    desk = call.state.service_desk
    issue = desk.create(payload, actor=call.current)
    return json_response(_request_body(call, issue, desk.requests[issue["key"]]), 201)


@routes("GET", "/request/{key}")
async def get_request(call: JiraCall) -> web.Response:
    issue = call.issue()
    request = call.state.service_desk.requests.get(issue["key"])
    if request is None:
        raise ServiceDeskError(404, "The request you are trying to view does not exist.", "sd.request.error.notfound")
    return json_response(_request_body(call, issue, request))
