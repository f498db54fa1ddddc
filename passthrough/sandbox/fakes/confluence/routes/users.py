"""The signed-in user."""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes

v1 = ConfluenceRoutes()


@v1("GET", "/user/current", "signed-in")
async def current_user(call: ConfluenceCall) -> web.Response:
    name = call.current
    assert name is not None
    return json_response(call.renderer.current_user(name))
