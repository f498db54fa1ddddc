"""The fake ClickUp's endpoints, one module a resource; ``_app`` installs ``TABLES`` under ``/api/v2``."""

from . import comments as comments
from . import hierarchy as hierarchy
from . import tasks as tasks
from . import time as time
from . import user as user

TABLES = (
    user.routes,
    hierarchy.routes,
    tasks.routes,
    comments.routes,
    time.routes,
)
