"""Who am I, what server is this, and the catalogs (priorities, issue types)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes

routes = JiraRoutes()

_CLOUD_INFO: dict[str, Any] = {
    "version": "1001.0.0-SNAPSHOT",
    "versionNumbers": [1001, 0, 0],
    "deploymentType": "Cloud",
    "buildNumber": 100290,
    "buildDate": "2026-01-10T00:00:00.000+0000",
}
_SERVER_INFO: dict[str, Any] = {
    "version": "9.12.15",
    "versionNumbers": [9, 12, 15],
    "deploymentType": "Server",
    "buildNumber": 9120015,
    "buildDate": "2024-10-01T00:00:00.000+0000",
}
_CLOUD_ONLY: dict[str, Any] = {"defaultLocale": {"locale": "en_US"}, "serverTimeZone": "Etc/UTC"}


@routes("GET", "/myself", "signed-in")
async def myself(call: JiraCall) -> web.Response:
    name = call.current
    assert name is not None
    return json_response(call.renderer.myself(call.fake.user(name)))


@routes("GET", "/serverInfo", "public")
async def server_info(call: JiraCall) -> web.Response:
    info: dict[str, Any] = {
        "baseUrl": call.base,
        **(_CLOUD_INFO if call.cloud else _SERVER_INFO),
        "serverTime": "2026-01-15T10:20:30.000+0000",
        "scmInfo": "0" * 40,
        "serverTitle": "Jira",
        **(_CLOUD_ONLY if call.cloud else {}),
    }
    return json_response(info)


@routes("GET", "/priority")
async def priorities(call: JiraCall) -> web.Response:
    return json_response(call.renderer.priorities())


@routes("GET", "/issuetype")
async def issue_types(call: JiraCall) -> web.Response:
    return json_response(call.renderer.issue_types())
