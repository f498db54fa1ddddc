"""The tool registry, assembled from settings when the app is built."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from passthrough.settings import Settings
from passthrough.tools._spec import ToolSpec
from passthrough.toolsets import offers


class ToolRegistry:
    def __init__(self, tools: Iterable[ToolSpec], withheld: Iterable[str] = ()) -> None:
        self._tools = {tool.name: tool for tool in tools}
        self._aliases = {alias: tool for tool in self._tools.values() for alias in tool.aliases}
        self._withheld = frozenset(withheld)

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def get(self, name: str) -> ToolSpec | None:
        """The tool listed as `name`, or answering to it as an alias."""
        return self._tools.get(name) or self._aliases.get(name)

    def withheld(self, name: str) -> bool:
        """True for a write tool that read-only mode removed (so errors can say why)."""
        return name in self._withheld


def all_tools() -> tuple[ToolSpec, ...]:
    from passthrough.tools.clickup import CLICKUP_TOOLS
    from passthrough.tools.confluence import CONFLUENCE_TOOLS
    from passthrough.tools.jira import JIRA_TOOLS
    from passthrough.tools.openproject import OPENPROJECT_TOOLS

    return (*JIRA_TOOLS, *CONFLUENCE_TOOLS, *OPENPROJECT_TOOLS, *CLICKUP_TOOLS)


def build_registry(settings: Settings, tools: Iterable[ToolSpec] | None = None) -> ToolRegistry:
    configured = {p.name for p in settings.providers}
    chosen: list[ToolSpec] = []
    withheld: list[str] = []
    for tool in all_tools() if tools is None else tools:
        if tool.provider not in configured or not offers(settings.toolsets, tool.name, tool.toolset):
            continue
        if settings.read_only and not tool.read_only:
            withheld += [tool.name, *tool.aliases]
            continue
        chosen.append(tool)
    return ToolRegistry(chosen, withheld)
