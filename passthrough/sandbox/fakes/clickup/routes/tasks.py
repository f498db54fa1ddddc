"""Tasks: ``/list/{id}/task`` (GET paged by ``page``, 100 a page with ``last_page``; POST), ``/team/{id}/task``
(filtered team tasks), ``/task/{id}`` (GET, PUT, DELETE; ``custom_task_ids=true&team_id=…``).
Added with the task tools."""

from __future__ import annotations

from .._call import ClickUpRoutes

routes = ClickUpRoutes()
