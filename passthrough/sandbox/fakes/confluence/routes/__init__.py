"""The fake Confluence's endpoints, one module a resource, each with a ``v1`` and/or a ``v2`` table.

``_app`` installs ``V1`` under ``{context}/rest/api`` and, on Cloud, ``V2`` under ``/wiki/api/v2``; the
order matters where a literal path would otherwise fall into a pattern (``/content/search`` before
``/content/{id}``).  Tags a route may carry: "signed-in" (never anonymous), "v1-content" (answered with
a 410 when ``FakeConfluence.v1_content_gone`` is set on Cloud).
"""

from . import attachments as attachments
from . import comments as comments
from . import content as content
from . import history as history
from . import labels as labels
from . import pages as pages
from . import people as people
from . import search as search
from . import spaces as spaces
from . import structure as structure
from . import users as users

# the new resources go before `content`, whose /content/{id} pattern would otherwise take their literal paths
V1 = (
    users.v1,
    spaces.v1,
    search.v1,
    people.v1,
    history.v1,
    structure.v1,
    attachments.v1,
    comments.v1,
    content.v1,
    labels.v1,
)
V2 = (pages.v2, labels.v2, comments.v2, spaces.v2, history.v2, structure.v2, attachments.v2, people.v2)
