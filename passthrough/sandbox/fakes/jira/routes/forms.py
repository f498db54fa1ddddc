"""The fake Jira's ProForma forms.

Cloud: the forms API as Atlassian's gateway serves it (``/jira/forms/cloud/{cloudId}/issue/{key}/form…``,
installed under its own prefix so that a test can point ATLASSIAN_API_URL at this fake), and the site's
public ``/_edge/tenant_info`` that tells its cloud id. Server/Data Center: the ``proforma.forms`` issue
property ProForma lists an issue's forms in.
"""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes
from .._errors import JiraError
from .._forms_state import CLOUD_ID, FormsError, FormsState, forms_of
from .._state import now

routes = JiraRoutes()  # under /rest/api/{2,3}
gateway = JiraRoutes()  # under /jira/forms/cloud
tenant = JiraRoutes()  # under /_edge/tenant_info

INDEX = "proforma.forms"


def _forms(call: JiraCall) -> FormsState:
    return forms_of(call.state)


@routes("GET", f"/issue/{{key}}/properties/{INDEX}", "server")
async def proforma_index(call: JiraCall) -> web.Response:
    issue = call.issue()
    forms = _forms(call).on_issue(issue["key"])
    if not forms:
        raise JiraError(404, [f"The property with key '{INDEX}' does not exist."])
    value = {"schemaVersion": 4, "forms": [f.entry(cloud=False) for f in forms]}
    return json_response({"key": INDEX, "value": value})


@tenant("GET", "", "public", "cloud")
async def tenant_info(call: JiraCall) -> web.Response:
    return json_response({"cloudId": CLOUD_ID})


def _issue_key(call: JiraCall) -> str:
    """The issue the gateway path names, on this site; the forms API's own 404s otherwise."""
    cloud_id = call.request.match_info["cloud"]
    ref = call.request.match_info["key"]
    if cloud_id != CLOUD_ID:
        raise FormsError(
            404,
            "NOT_FOUND",
            "Not Found",
            "No site with the provided cloud ID was found.",
            [{"type": "site", "id": cloud_id}],
        )
    issue = call.state.find_issue(ref)
    if issue is None:
        raise FormsError(
            404,
            "ISSUE_NOT_FOUND",
            "Issue Not Found",
            "The provided issue was not found.",
            [{"type": "issue", "id": ref}],
        )
    return str(issue["key"])


@gateway("GET", "/{cloud}/issue/{key}/form", "cloud")
async def issue_forms(call: JiraCall) -> web.Response:
    try:
        key = _issue_key(call)
    except FormsError as exc:
        return json_response(exc.body, exc.status)
    return json_response([f.entry(cloud=True) for f in _forms(call).on_issue(key)])


@gateway("GET", "/{cloud}/issue/{key}/form/{form}", "cloud")
async def issue_form(call: JiraCall) -> web.Response:
    try:
        key = _issue_key(call)
        form = _forms(call).find(key, call.request.match_info["form"])
    except FormsError as exc:
        return json_response(exc.body, exc.status)
    return json_response(form.whole())


@gateway("PUT", "/{cloud}/issue/{key}/form/{form}", "cloud")
async def save_answers(call: JiraCall) -> web.Response:
    try:
        key = _issue_key(call)
        forms = _forms(call)
        form = forms.find(key, call.request.match_info["form"])
        forms.save_answers(key, form, await call.json(), now())
    except FormsError as exc:
        return json_response(exc.body, exc.status)
    return json_response(form.whole())
