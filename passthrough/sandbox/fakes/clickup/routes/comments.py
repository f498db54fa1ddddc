"""Task comments: ``/task/{id}/comment`` (GET, POST). Added with the comment tools."""

from __future__ import annotations

from .._call import ClickUpRoutes

routes = ClickUpRoutes()
