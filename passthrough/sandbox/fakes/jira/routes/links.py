"""Issue links and their types."""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes

routes = JiraRoutes()


@routes("POST", "/issueLink")
async def create_link(call: JiraCall) -> web.Response:
    call.state.add_link(await call.json(), adf=call.adf, actor=call.current)
    return web.Response(status=201)


@routes("GET", "/issueLinkType")
async def link_types(call: JiraCall) -> web.Response:
    return json_response({"issueLinkTypes": call.renderer.link_types()})
