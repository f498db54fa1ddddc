"""Time entries: ``/team/{team_id}/time_entries`` (GET, POST). Added with the time tools."""

from __future__ import annotations

from .._call import ClickUpRoutes

routes = ClickUpRoutes()
