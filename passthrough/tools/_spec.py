"""Tools as data: a tool is one decorated handler, and its spec is read off the handler.

    @tool("jira_get_issue", title="Jira: get issue", toolset="jira_issues")
    async def get_issue(jira: JiraClient, args: GetIssue) -> ToolResult:
        \"\"\"Get one Jira issue by key …\"\"\"          ← the description the model reads

The client parameter's class names the provider (and is built per call with the
caller's credential); the arguments parameter's pydantic model is the input
schema; the docstring is the description. A provider package lists its tools
with `declared(module, …)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any, ClassVar, Literal, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, model_validator

from passthrough.credentials import HEADERS_TO_SEND, RequestCredentials
from passthrough.errors import MissingCredential
from passthrough.providers import LABELS, ProviderClient, Upstream
from passthrough.settings import Provider

# Arguments that name a file or folder on the server (CONTRACT.md section 9): a shared server never reads or
# writes its own disk for a client, so these are refused with what to send instead.
SERVER_FILE_ARGUMENTS = frozenset(
    {
        "file_path",
        "file_paths",
        "content_file",
        "download_path",
        "target_dir",
        "download_dir",
        "download_directory",
        "output_dir",
        "output_path",
        "save_path",
    }
)


class Arguments(BaseModel):
    """Base of every tool's argument model: unknown arguments are refused, not silently dropped."""

    # defer_build: a model's validator is built when first used (the app builds them all just after
    # start-up, see Dispatcher.warm), not when its module is imported
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)
    # more argument names that would name a server path for this tool only (a generic name such as "path")
    server_places: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_server_files(cls, data: Any) -> Any:
        named = sorted((SERVER_FILE_ARGUMENTS | cls.server_places) & set(data)) if isinstance(data, dict) else []
        if named:
            raise ValueError(
                f"{named[0]} names a file on the server, and this shared server never reads or writes its own "
                "files for a client: send the content inline as content_base64 (downloads come back as content)"
            )
        return data


class NoArguments(Arguments):
    pass


@dataclass(frozen=True, slots=True)
class ToolResult:
    text: str
    structured: dict[str, Any] | None = None
    # MCP content items after the text (image content, embedded resources), e.g. downloaded attachments
    content: tuple[dict[str, Any], ...] = ()


C = TypeVar("C", bound=ProviderClient)
A = TypeVar("A", bound=Arguments)

Progress = Callable[[float, float | None, str | None], None]
"""Reports `(done, total, message)` of the running call to its client (`notifications/progress`)."""

_PROGRESS: ContextVar[Progress | None] = ContextVar("passthrough_progress", default=None)


def progress(done: float, total: float | None = None, message: str | None = None) -> None:
    """Tell the client how far the running tool call is: `done` of `total` (pages, items, files).

    A no-op unless the client asked for progress (a `progressToken` in the call's `_meta`); never
    blocks and never fails, so a handler calls it freely between its upstream requests."""
    report = _PROGRESS.get()
    if report is not None:
        report(done, total, message)


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What a call may use: this request's credentials and the shared upstream pools."""

    credentials: RequestCredentials
    upstreams: Mapping[Provider, Upstream]
    reporter: Progress | None = None  # set when the client sent a progressToken

    def progress(self, done: float, total: float | None = None, message: str | None = None) -> None:
        """`progress(...)` for this call; a no-op without a progressToken."""
        if self.reporter is not None:
            self.reporter(done, total, message)

    async def client(self, kind: type[C]) -> C:
        """A `kind` client for this caller, checked ready; or the error that says which header to send."""
        credential = self.credentials.get(kind.provider)
        if credential is None:
            provider = kind.provider
            raise MissingCredential(LABELS[provider], HEADERS_TO_SEND[provider], self.credentials.refusal(provider))
        upstream = self.upstreams[kind.provider]
        if credential.site is not None and credential.deployment is not None:
            upstream = upstream.site(credential.site, credential.deployment)
        client = kind(upstream, credential)
        await client.ready()
        return client


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    toolset: str
    client: type[ProviderClient]
    arguments: type[Arguments]
    function: Callable[[Any, Any], Awaitable[ToolResult]] = field(repr=False)
    read_only: bool = True
    destructive: bool = False
    idempotent: bool = True
    aliases: tuple[str, ...] = ()  # other names it answers to (a peer's), never listed

    @property
    def provider(self) -> Provider:
        return self.client.provider

    async def handler(self, ctx: ToolContext, arguments: Arguments) -> ToolResult:
        """Run the tool for one caller: their client, then the handler (which reports with `progress`)."""
        token = _PROGRESS.set(ctx.reporter)
        try:
            return await self.function(await ctx.client(self.client), arguments)
        finally:
            _PROGRESS.reset(token)

    @cached_property
    def input_schema(self) -> dict[str, Any]:
        schema = self.arguments.model_json_schema()
        schema.pop("title", None)
        schema.setdefault("properties", {})
        return schema

    @cached_property
    def annotations(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "readOnlyHint": self.read_only,
            "destructiveHint": self.destructive,
            "idempotentHint": self.idempotent,
            "openWorldHint": True,
        }


Effect = Literal["read", "create", "set", "update", "revise", "delete"]

_HINTS: dict[Effect, tuple[bool, bool, bool]] = {
    # effect: (read-only, destructive, idempotent), in the MCP annotation's sense
    "read": (True, False, True),
    "create": (False, False, False),  # adds something new each call (an issue, a comment, a transition taken)
    "set": (False, False, True),  # adds or sets values; a repeat changes nothing more (labels)
    "update": (False, True, True),  # overwrites values; a repeat changes nothing more
    "revise": (False, True, False),  # overwrites and leaves a new version each call (a page)
    "delete": (False, True, True),
}


def tool(
    name: str, *, title: str, toolset: str, effect: Effect = "read", aliases: tuple[str, ...] = ()
) -> Callable[[Callable[[C, A], Awaitable[ToolResult]]], ToolSpec]:
    """Declare the decorated `async def handler(client, args)` as the tool `name`.

    `effect` says what a call does upstream; any effect but "read" makes a tool that
    read-only mode withholds, and sets the annotations clients show (`_HINTS`). `aliases` are other
    names the tool answers to (the leading peer's, CONTRACT.md section 9); only `name` is listed."""
    read_only, destructive, idempotent = _HINTS[effect]

    def declare(function: Callable[[C, A], Awaitable[ToolResult]]) -> ToolSpec:
        hints = get_type_hints(function)
        client, arguments = (hints[p] for p in inspect.signature(function).parameters)
        if not (issubclass(client, ProviderClient) and issubclass(arguments, Arguments)):
            raise TypeError(f"{name}: a handler takes (a ProviderClient, an Arguments model)")
        description = inspect.getdoc(function)
        if not description:
            raise TypeError(f"{name}: the handler's docstring is the tool's description, and it has none")
        return ToolSpec(
            name=name,
            title=title,
            description=" ".join(description.split()),
            toolset=toolset,
            client=client,
            arguments=arguments,
            function=function,
            read_only=read_only,
            destructive=destructive,
            idempotent=idempotent,
            aliases=aliases,
        )

    return declare


def declared(*modules: ModuleType) -> tuple[ToolSpec, ...]:
    """The tools the modules declare, in the order they stand in each module."""
    return tuple(value for module in modules for value in vars(module).values() if isinstance(value, ToolSpec))
