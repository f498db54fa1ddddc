"""Tools as data: a frozen spec per tool, and the context a handler receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict

from passthrough.credentials import HEADERS_TO_SEND, Credential, RequestCredentials
from passthrough.errors import MissingCredential
from passthrough.providers import LABELS, Upstream
from passthrough.settings import Provider


class Arguments(BaseModel):
    """Base of every tool's argument model: unknown arguments are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class NoArguments(Arguments):
    pass


@dataclass(frozen=True, slots=True)
class ToolResult:
    text: str
    structured: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What a handler may use: this request's credentials and the shared upstream pools."""

    credentials: RequestCredentials
    upstreams: Mapping[Provider, Upstream]

    def upstream(self, provider: Provider) -> tuple[Upstream, Credential]:
        credential = self.credentials.get(provider)
        if credential is None:
            raise MissingCredential(LABELS[provider], HEADERS_TO_SEND[provider], self.credentials.refusal(provider))
        return self.upstreams[provider], credential


Handler = Callable[[ToolContext, Any], Awaitable[ToolResult]]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    provider: Provider
    arguments: type[Arguments]
    handler: Handler = field(repr=False)
    read_only: bool = True
    destructive: bool = False
    idempotent: bool = True

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


def write_tool(
    provider: Provider,
    name: str,
    title: str,
    description: str,
    arguments: type[Arguments],
    handler: Handler,
    *,
    destructive: bool = False,
    idempotent: bool = False,
) -> ToolSpec:
    """A tool that changes upstream state: withheld in read-only mode, annotated as such."""
    return ToolSpec(
        name=name,
        title=title,
        description=description,
        provider=provider,
        arguments=arguments,
        handler=handler,
        read_only=False,
        destructive=destructive,
        idempotent=idempotent,
    )
