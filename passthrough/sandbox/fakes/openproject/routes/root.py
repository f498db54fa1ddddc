"""The API root: the instance and links to everything else."""

from __future__ import annotations

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._render import API, link, user_href

routes = OpenProjectRoutes()

CORE_VERSION = "16.6.1"


@routes("GET", "")
@routes("GET", "/")
async def root(call: OpenProjectCall) -> web.Response:
    me = call.state.principal(call.me) or call.state.anonymous
    return hal_response(
        {
            "_type": "Root",
            "instanceName": "OpenProject",
            "coreVersion": CORE_VERSION,
            "_links": {
                "self": link(API),
                "configuration": link(f"{API}/configuration"),
                "user": link(user_href(me.id), me.name),
                "priorities": link(f"{API}/priorities"),
                "statuses": link(f"{API}/statuses"),
                "types": link(f"{API}/types"),
                "workPackages": link(f"{API}/work_packages"),
                "projects": link(f"{API}/projects"),
            },
        }
    )
