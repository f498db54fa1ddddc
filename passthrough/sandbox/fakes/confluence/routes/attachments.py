"""The fake Confluence's attachments (v1 and v2)."""

from __future__ import annotations

from .._call import ConfluenceRoutes

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()
