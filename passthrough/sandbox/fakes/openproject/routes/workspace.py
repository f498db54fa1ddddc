"""The fake OpenProject's project writes, notifications, queries, boards, documents and the instance's configuration."""

from __future__ import annotations

from .._call import OpenProjectRoutes

routes = OpenProjectRoutes()
