"""Resources: the items a get tool reads (issues, pages, work packages) as MCP resource templates, the
caller's recent ones as `resources/list`, and completion of the templates' arguments."""

from passthrough.resources._catalog import ResourceNotFound, Resources, all_templates
from passthrough.resources._spec import Item, Memo, Recent, ResourceTemplate, declared, resource_template

__all__ = [
    "Item",
    "Memo",
    "Recent",
    "ResourceNotFound",
    "ResourceTemplate",
    "Resources",
    "all_templates",
    "declared",
    "resource_template",
]
