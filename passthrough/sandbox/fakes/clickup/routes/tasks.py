"""Tasks: ``/list/{id}/task`` (GET paged by ``page``, 100 a page with ``last_page``; POST), ``/team/{id}/task``
(filtered team tasks: ``list_ids[]``, ``space_ids[]``, ``statuses[]``, ``assignees[]``, ``tags[]``,
``include_closed``, ``subtasks``, ``order_by``, ``reverse``, ``page``), ``/task/{id}`` (GET with
``include_markdown_description``, PUT, DELETE; ``custom_task_ids=true&team_id=…``)."""

from __future__ import annotations

from aiohttp import web

from .. import _render as render
from .. import _tasks_state as tasks
from .._call import ClickUpCall, ClickUpRoutes, answer

routes = ClickUpRoutes()


def _markdown(call: ClickUpCall) -> bool:
    return call.query.get("include_markdown_description", "").lower() == "true"


@routes("GET", "/list/{list_id}/task")
async def list_tasks(call: ClickUpCall) -> web.Response:
    lst = call.state.task_list(call.request.match_info["list_id"], call.me)
    team = call.state.team_of_list(lst)
    found = tasks.visible(
        call.state, team.id, call.query, lambda name: [lst.id] if name == "list_ids" else call.values(name)
    )
    page, last = tasks.page_of(found, call.page())
    markdown = _markdown(call)
    return answer({"tasks": [render.task(call.state, t, markdown=markdown) for t in page], "last_page": last})


@routes("POST", "/list/{list_id}/task")
async def create_task(call: ClickUpCall) -> web.Response:
    lst = call.state.task_list(call.request.match_info["list_id"], call.me)
    created = tasks.create(call.state, lst, call.me, await call.json())
    return answer(render.task(call.state, created))


@routes("GET", "/team/{team_id}/task")
async def team_tasks(call: ClickUpCall) -> web.Response:
    team = call.state.team(call.request.match_info["team_id"], call.me)
    found = tasks.visible(call.state, team.id, call.query, call.values)
    page, last = tasks.page_of(found, call.page())
    markdown = _markdown(call)
    return answer({"tasks": [render.task(call.state, t, markdown=markdown) for t in page], "last_page": last})


@routes("GET", "/task/{task_id}")
async def get_task(call: ClickUpCall) -> web.Response:
    found = call.state.task(call.request.match_info["task_id"], call.me, call.query)
    return answer(render.task(call.state, found, markdown=_markdown(call)))


@routes("PUT", "/task/{task_id}")
async def update_task(call: ClickUpCall) -> web.Response:
    found = call.state.task(call.request.match_info["task_id"], call.me, call.query)
    changed = tasks.update(call.state, found, await call.json())
    return answer(render.task(call.state, changed))


@routes("DELETE", "/task/{task_id}")
async def delete_task(call: ClickUpCall) -> web.Response:
    found = call.state.task(call.request.match_info["task_id"], call.me, call.query)
    tasks.delete(call.state, found)
    return web.Response(status=204)
