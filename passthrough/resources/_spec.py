"""Resource templates as data: one declaration per kind of item a provider can show as a resource.

    ISSUE = resource_template(
        "jira://issue/{issue_key}",
        title="Jira issue",
        description="…",
        read=get_issue,          ← the get tool: reading runs it, so the Markdown is the tool's own
        recent=recent_issues,    ← resources/list: the caller's own recent items, a page at a time
        complete=issue_keys,     ← completion/complete: values for the template's one argument
    )

A template is offered exactly when its get tool is (the provider is configured, the toolsets
offer the tool, the request's X-MCP-Toolsets does too), and it runs with the same credentials.
A provider module lists its templates with `declared(module)`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Generic, Protocol, TypeVar

from passthrough.providers import ProviderClient
from passthrough.tools import ToolSpec

C = TypeVar("C", bound=ProviderClient)
T = TypeVar("T")

MAX_VALUE = 200  # the longest argument value completed or read (a key, an id, a title prefix)
_TEMPLATE = re.compile(r"^([a-z][a-z0-9+.-]*://[a-z_/]+/)\{([a-z_]+)\}$")


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of `resources/list`: the template's argument value, and what a person sees of it."""

    value: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Recent:
    """One page of a caller's recent items, and the provider's token for the next (None on the last)."""

    items: list[Item]
    next: str | None


class Memo(Protocol):
    """`await memo(key, load)`: `load()` once per user and key for a short while (typing speed)."""

    async def __call__(self, key: str, load: Callable[[], Awaitable[T]]) -> T: ...


Lister = Callable[[C, str | None, int], Awaitable[Recent]]
Completer = Callable[[C, str, Memo], Awaitable[list[str]]]


@dataclass(frozen=True)
class ResourceTemplate(Generic[C]):
    uri_template: str
    title: str
    description: str
    read: ToolSpec
    recent: Lister[C] = field(repr=False)
    complete: Completer[C] = field(repr=False)
    prefix: str = ""  # the URI up to the argument, e.g. "jira://issue/"
    argument: str = ""  # the template's one variable, also the get tool's argument name
    mime_type: str = "text/markdown"

    @property
    def name(self) -> str:
        """A stable name for the template: `jira_issue` for `jira://issue/{…}`."""
        return self.prefix.replace("://", "_").strip("/").replace("/", "_")

    @property
    def client(self) -> type[ProviderClient]:
        return self.read.client

    def value_of(self, uri: str) -> str | None:
        """The argument value `uri` names under this template, or None when it is not one of its URIs."""
        if not uri.startswith(self.prefix):
            return None
        value = uri[len(self.prefix) :]
        if not value or len(value) > MAX_VALUE or any(c in value for c in "/?#{} "):
            return None
        return value

    def uri(self, value: str) -> str:
        return self.prefix + value

    def describe(self) -> dict[str, Any]:
        return {
            "uriTemplate": self.uri_template,
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "mimeType": self.mime_type,
        }


def about(*parts: object) -> str | None:
    """The parts that are there, comma-separated: a listed item's description."""
    return ", ".join(str(p) for p in parts if p) or None


def resource_template(
    uri_template: str, *, title: str, description: str, read: ToolSpec, recent: Lister[C], complete: Completer[C]
) -> ResourceTemplate[C]:
    """Declare a resource template read by the get tool `read`, whose argument the template's variable names."""
    match = _TEMPLATE.match(uri_template)
    if match is None:
        raise ValueError(f"{uri_template}: a template is scheme://path/{{argument}}, one argument at the end")
    prefix, argument = match.groups()
    if argument not in read.arguments.model_fields:
        raise ValueError(f"{uri_template}: {read.name} takes no argument {argument!r}")
    return ResourceTemplate(
        uri_template, title, " ".join(description.split()), read, recent, complete, prefix, argument
    )


def declared(*modules: ModuleType) -> tuple[ResourceTemplate[Any], ...]:
    """The templates the modules declare, in the order they stand in each module."""
    return tuple(v for module in modules for v in vars(module).values() if isinstance(v, ResourceTemplate))
