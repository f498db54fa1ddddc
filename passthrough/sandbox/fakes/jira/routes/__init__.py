"""The fake Jira's endpoints, one module a resource; ``_app`` installs ``TABLES`` under each API version.

Tags a route may carry: "public" (answers without credentials), "signed-in" (never anonymous), "read"
(a POST that only reads, allowed anonymously like a GET), "cloud" / "server" (only on that deployment).
"""

from . import comments, issues, links, meta, projects, search

TABLES = (meta.routes, projects.routes, issues.routes, comments.routes, links.routes, search.routes)
