"""Who am I, what server is this, and the catalogs (priorities, issue types)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes

routes = JiraRoutes()

# what each deployment reports about its build: version, deploymentType, buildNumber, buildDate
_BUILDS = {
    "cloud": ("1001.0.0-SNAPSHOT", "Cloud", 100290, "2026-01-10T00:00:00.000+0000"),
    "server": ("9.12.15", "Server", 9120015, "2024-10-01T00:00:00.000+0000"),
}
_CLOUD_ONLY: dict[str, Any] = {"defaultLocale": {"locale": "en_US"}, "serverTimeZone": "Etc/UTC"}


@routes("GET", "/myself", "signed-in")
async def myself(call: JiraCall) -> web.Response:
    name = call.current
    assert name is not None
    return json_response(call.renderer.myself(call.fake.user(name)))


@routes("GET", "/serverInfo", "public")
async def server_info(call: JiraCall) -> web.Response:
    version, deployment_type, build_number, build_date = _BUILDS[call.fake.deployment]
    info: dict[str, Any] = {
        "baseUrl": call.base,
        "version": version,
        "versionNumbers": [int(n) for n in version.partition("-")[0].split(".")],
        "deploymentType": deployment_type,
        "buildNumber": build_number,
        "buildDate": build_date,
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
