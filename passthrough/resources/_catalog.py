"""The resource templates a server offers, and what `resources/*` and `completion/complete` do with them.

Every answer is the caller's own: reads and listings run with the request's credentials exactly as the
get tools do, and completion values are cached per user (a keyed digest of the credential, and the site),
briefly, so a person typing costs at most one upstream request a keystroke and nobody sees another's.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import TTLCache
from pydantic import ValidationError

from passthrough.errors import InvalidArguments, MissingCredential, ToolError
from passthrough.resources._spec import MAX_VALUE, Memo, ResourceTemplate
from passthrough.tools import ToolContext, ToolRegistry
from passthrough.toolsets import offers

log = logging.getLogger("passthrough.resources")
T = TypeVar("T")

PAGE_SIZE = 25  # resources/list items a page
MAX_RECENT = 100  # recent items listed per provider, all pages together
MAX_VALUES = 100  # completion values an answer carries (the MCP limit)
COMPLETION_SECONDS = 30.0
_MAX_CURSOR = 4000


class ResourceNotFound(ToolError):
    """The URI names no resource this server offers this caller (no template, or not one it offers)."""


def all_templates() -> tuple[ResourceTemplate[Any], ...]:
    from passthrough.resources import _clickup, _confluence, _jira, _openproject
    from passthrough.resources._spec import declared

    return declared(_jira, _confluence, _openproject, _clickup)


@dataclass(frozen=True, slots=True)
class _Cursor:
    template: str
    token: str | None
    seen: int

    def encode(self) -> str:
        raw = json.dumps({"t": self.template, "c": self.token, "n": self.seen}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> _Cursor:
        try:
            if len(text) > _MAX_CURSOR:
                raise ValueError
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            template, token, seen = data["t"], data["c"], data["n"]
            if not isinstance(template, str) or not (token is None or isinstance(token, str)):
                raise ValueError
            if not isinstance(seen, int) or isinstance(seen, bool) or not 0 <= seen <= MAX_RECENT:
                raise ValueError
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise InvalidArguments("cursor is not one this server handed out; list again without it") from None
        return cls(template, token, seen)


class Resources:
    """The templates whose get tool the registry holds, in declaration order."""

    def __init__(self, registry: ToolRegistry, templates: Iterable[ResourceTemplate[Any]] | None = None) -> None:
        chosen = all_templates() if templates is None else tuple(templates)
        self._templates = [t for t in chosen if registry.get(t.read.name) is t.read]
        self._memo: TTLCache[tuple[str, ...], Any] = TTLCache(maxsize=4096, ttl=COMPLETION_SECONDS)

    def __len__(self) -> int:
        return len(self._templates)

    def offered(self, selectors: frozenset[str] | None) -> list[ResourceTemplate[Any]]:
        """The templates this request is offered: those whose get tool its X-MCP-Toolsets (if any) offers."""
        if selectors is None:
            return list(self._templates)
        return [t for t in self._templates if offers(selectors, t.read.name, t.read.toolset)]

    def listing(self, selectors: frozenset[str] | None) -> list[dict[str, Any]]:
        return [t.describe() for t in self.offered(selectors)]

    # ------------------------------------------------------------------ resources/read

    async def read(self, uri: str, ctx: ToolContext) -> dict[str, Any]:
        """`resources/read`: the get tool's Markdown, then its structured answer as JSON."""
        for template in self.offered(ctx.credentials.toolsets):
            value = template.value_of(uri)
            if value is None:
                continue
            tool = template.read
            try:
                arguments = tool.arguments.model_validate({template.argument: value})
            except ValidationError as exc:
                problem = f"{template.argument}: {exc.errors()[0].get('msg', 'invalid')}"
                raise InvalidArguments(f"{uri} names no {template.title.lower()} ({problem})") from None
            result = await tool.handler(ctx, arguments)
            contents = [{"uri": uri, "mimeType": template.mime_type, "text": result.text}]
            if result.structured is not None:
                structured = json.dumps(result.structured, ensure_ascii=False, separators=(",", ":"), default=str)
                contents.append({"uri": uri, "mimeType": "application/json", "text": structured})
            return {"contents": contents}
        raise ResourceNotFound(f"Resource not found: {uri[:MAX_VALUE]} is no URI of the templates this server offers")

    # ------------------------------------------------------------------ resources/list

    async def recent(self, ctx: ToolContext, cursor: str | None) -> dict[str, Any]:
        """`resources/list`: one page of the caller's own recent items, provider after provider."""
        offered = self.offered(ctx.credentials.toolsets)
        names = [t.name for t in offered]
        at = _Cursor.decode(cursor) if cursor else _Cursor(names[0], None, 0) if names else None
        if at is None:
            return {"resources": []}
        if at.template not in names:
            raise InvalidArguments("cursor is not one this server handed out; list again without it")
        for index in range(names.index(at.template), len(offered)):
            template = offered[index]
            token, seen = (at.token, at.seen) if template.name == at.template else (None, 0)
            if ctx.credentials.get(template.client.provider) is None:
                continue  # the caller has no credential for it: nothing of theirs to list
            client = await ctx.client(template.client)
            page = await template.recent(client, token, min(PAGE_SIZE, MAX_RECENT - seen))
            items = page.items[: MAX_RECENT - seen]
            seen += len(items)
            following: _Cursor | None = None
            if page.next and items and seen < MAX_RECENT:
                following = _Cursor(template.name, page.next, seen)
            elif index + 1 < len(offered):
                following = _Cursor(offered[index + 1].name, None, 0)
            if not items and following is not None and following.template != template.name:
                continue
            answer: dict[str, Any] = {
                "resources": [
                    {
                        "uri": template.uri(item.value),
                        "name": item.name,
                        "title": item.name,
                        **({"description": item.description} if item.description else {}),
                        "mimeType": template.mime_type,
                    }
                    for item in items
                ]
            }
            if following is not None:
                answer["nextCursor"] = following.encode()
            return answer
        return {"resources": []}

    # ------------------------------------------------------------------ completion/complete

    async def complete(self, ctx: ToolContext, ref: dict[str, Any], argument: dict[str, Any]) -> dict[str, Any]:
        """`completion/complete` for a template's argument; no values for anything else (prompts: there are none)."""
        none: dict[str, Any] = {"completion": {"values": [], "total": 0, "hasMore": False}}
        if ref.get("type") != "ref/resource":
            return none
        template = next((t for t in self.offered(ctx.credentials.toolsets) if t.uri_template == ref.get("uri")), None)
        value = argument.get("value")
        if template is None or argument.get("name") != template.argument or not isinstance(value, str):
            return none
        credential = ctx.credentials.get(template.client.provider)
        if credential is None or len(value) > MAX_VALUE:
            return none
        upstream = ctx.upstreams[template.client.provider]
        scope = (template.name, credential.site or "", upstream.scope(credential))
        try:
            client = await ctx.client(template.client)
            values = await template.complete(client, value, self._memo_for(scope))
        except MissingCredential:
            return none
        except ToolError as exc:
            # A completion is a hint while someone types: an upstream refusal leaves the list empty.
            log.debug("completion for %s found nothing: %s", template.name, type(exc).__name__)
            return none
        unique = list(dict.fromkeys(values))
        return {
            "completion": {
                "values": unique[:MAX_VALUES],
                "total": len(unique),
                "hasMore": len(unique) > MAX_VALUES,
            }
        }

    def _memo_for(self, scope: tuple[str, ...]) -> Memo:
        cache = self._memo

        async def memo(key: str, load: Callable[[], Awaitable[T]]) -> T:
            full = (*scope, key)
            if full in cache:
                found: T = cache[full]
                return found
            value = await load()
            cache[full] = value
            return value

        return memo
