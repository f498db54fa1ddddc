"""Task comments: ``/task/{id}/comment`` (GET, POST; a task id, or a custom one with
``custom_task_ids=true&team_id=…``).

GET answers the 25 newest comments, newest first; ``start`` (a date in ms) with ``start_id`` (a comment id),
both of the oldest comment seen, answers the 25 before it, as ClickUp pages comments. POST takes
``comment_text`` (plain) or ``comment`` (rich runs; then ``comment_text`` is their text) and
``notify_all``, and answers the new comment's ``id`` (a number), ``hist_id`` and ``date`` only."""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiohttp import web

from .. import _render as render
from .._call import ClickUpCall, ClickUpRoutes, answer
from .._data import Comment
from .._discussion_state import checked_runs, discussion_of, plain
from .._errors import bad_request

routes = ClickUpRoutes()
PAGE = 25


def _comment(call: ClickUpCall, c: Comment) -> dict[str, Any]:
    out = render.comment(call.state, c)
    runs = discussion_of(call.state).runs.get(c.id)
    if runs is not None:
        out["comment"] = [dict(run) for run in runs]
    return out


def _key(c: Comment) -> tuple[int, int]:
    return c.date, int(c.id) if c.id.isdigit() else 0


@routes("GET", "/task/{task_id}/comment")
async def comments(call: ClickUpCall) -> web.Response:
    task = call.state.task(call.request.match_info["task_id"], call.me, call.query)
    found = sorted((c for c in call.state.comments.values() if c.task_id == task.id), key=_key, reverse=True)
    start, start_id = call.query.get("start"), call.query.get("start_id")
    if start is not None and start_id is not None:
        if not start.isdigit() or not start_id.isdigit():
            raise bad_request("Start and start_id must be numbers", "INPUT_003")
        before = (int(start), int(start_id))
        found = [c for c in found if _key(c) < before]
    return answer({"comments": [_comment(call, c) for c in found[:PAGE]]})


@routes("POST", "/task/{task_id}/comment")
async def add_comment(call: ClickUpCall) -> web.Response:
    task = call.state.task(call.request.match_info["task_id"], call.me, call.query)
    body = await call.json()
    runs = checked_runs(body["comment"]) if "comment" in body else None
    text = plain(runs) if runs is not None else body.get("comment_text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("Comment text required", "COMM_002")
    if not isinstance(body.get("notify_all", False), bool):
        raise bad_request("notify_all must be a boolean", "INPUT_002")
    store = discussion_of(call.state)
    now = int(time.time() * 1000)
    comment = Comment(store.new_id(), task.id, call.me, text.rstrip("\n"), now)
    call.state.comments[comment.id] = comment
    if runs is not None:
        store.runs[comment.id] = runs
    store.history += 1
    return answer({"id": int(comment.id), "hist_id": str(uuid.UUID(int=store.history)), "date": now})
