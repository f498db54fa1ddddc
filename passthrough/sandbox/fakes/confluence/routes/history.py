"""The fake Confluence's page versions and page trees."""

from __future__ import annotations

from .._call import ConfluenceRoutes

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()
