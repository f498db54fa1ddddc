"""The shape a tool is declared in: `@tool` on a (client, arguments) handler, and the client base."""

from __future__ import annotations

import json
import types
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from passthrough.credentials import Credential
from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers import Answer, ProviderClient
from passthrough.providers._client import next_offset, offset_token
from passthrough.providers.jira import JiraClient
from passthrough.providers.openproject import OpenProjectClient
from passthrough.tools import Arguments, NoArguments, ToolResult, ToolSpec, all_tools, declared, tool
from passthrough.tools._render import pick, signed_in
from passthrough.toolsets import DEFAULT_TOOLS, TOOLSETS


class Echo(Arguments):
    word: str


@tool("jira_echo", title="Jira: echo", toolset="jira_issues")
async def echo(jira: JiraClient, args: Echo) -> ToolResult:
    """Say the word back.

    On two lines."""
    return ToolResult(args.word)


@tool("jira_forget", title="Jira: forget", toolset="jira_issues", effect="delete")
async def forget(jira: JiraClient, _: NoArguments) -> ToolResult:
    """Forget everything."""
    return ToolResult("gone")


def test_a_declaration_is_read_off_the_handler() -> None:
    assert isinstance(echo, ToolSpec)
    assert (echo.name, echo.title, echo.toolset, echo.provider) == ("jira_echo", "Jira: echo", "jira_issues", "jira")
    assert echo.client is JiraClient and echo.arguments is Echo
    assert echo.description == "Say the word back. On two lines."
    assert echo.input_schema["required"] == ["word"] and "title" not in echo.input_schema
    assert echo.annotations == {
        "title": "Jira: echo",
        "readOnlyHint": True,
        "destructiveHint": False,
        "idempotentHint": True,
        "openWorldHint": True,
    }
    assert (forget.read_only, forget.destructive, forget.idempotent) == (False, True, True)


def test_a_handler_without_a_description_or_with_the_wrong_parameters_is_refused() -> None:
    async def silent(jira: JiraClient, args: Echo) -> ToolResult:
        return ToolResult("")

    with pytest.raises(TypeError, match="docstring"):
        tool("jira_silent", title="t", toolset="jira_issues")(silent)

    async def swapped(args: Echo, jira: JiraClient) -> ToolResult:
        """Arguments first."""
        return ToolResult("")

    with pytest.raises(TypeError, match="ProviderClient"):
        tool("jira_swapped", title="t", toolset="jira_issues")(swapped)  # type: ignore[type-var]  # the point


def test_declared_collects_a_modules_tools_in_order() -> None:
    module = types.ModuleType("m")
    module.__dict__.update({"b": forget, "helper": len, "a": echo})
    assert declared(module) == (forget, echo)


def test_every_tool_is_declared_once_under_its_providers_prefix() -> None:
    tools = all_tools()
    assert len({t.name for t in tools}) == len(tools)
    for t in tools:
        assert t.name.startswith(t.provider + "_") and t.toolset.startswith(t.provider + "_"), t.name
        assert t.description and "\n" not in t.description, t.name
        assert t.toolset in TOOLSETS, f"{t.name}: {t.toolset} is not a toolset name"
    assert DEFAULT_TOOLS <= {t.name for t in tools} and len(DEFAULT_TOOLS) <= 60


class _Upstream:
    """Answers every call with one JSON body; records what was asked."""

    def __init__(self, body: Any, deployment: str = "server") -> None:
        self.body = body
        self.calls: list[tuple[str, str]] = []
        self.config = types.SimpleNamespace(deployment=deployment)
        self.base_url = "http://127.0.0.1:9"

    async def call(self, method: str, path: str, **_: Any) -> Answer:
        self.calls.append((method, path))
        headers = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json"}))
        return Answer(200, headers, json.dumps(self.body).encode(), "jira", "Jira")


def _client(kind: type[ProviderClient], body: Any, deployment: str = "server") -> tuple[Any, _Upstream]:
    upstream = _Upstream(body, deployment)
    return kind(upstream, Credential("bearer", "header", "secret-token")), upstream  # type: ignore[arg-type]


async def test_the_client_prefixes_its_api_and_refuses_a_wrong_shape_of_answer() -> None:
    jira, upstream = _client(JiraClient, {"accountId": "a-1"}, "cloud")
    assert (await jira.myself())["accountId"] == "a-1"
    assert upstream.calls == [("GET", "/rest/api/3/myself")]
    jira, _ = _client(JiraClient, ["not", "an", "object"])
    with pytest.raises(UpstreamError, match=r"GET /myself with JSON that is not an object") as caught:
        await jira.myself()
    assert "secret-token" not in str(caught.value)
    jira, _ = _client(JiraClient, {"not": "a list"})
    with pytest.raises(UpstreamError, match="not a list"):
        await jira.projects()


async def test_openproject_refuses_the_anonymous_user_before_any_tool_runs() -> None:
    op, upstream = _client(OpenProjectClient, {"_type": "AnonymousUser", "id": 2, "login": ""})
    op._up.cached = lambda _cred, _name, load: load()
    with pytest.raises(UpstreamError, match="anonymous user"):
        await op.ready()
    assert upstream.calls == [("GET", "/api/v3/users/me")]


def test_offset_tokens_are_only_the_ones_handed_out() -> None:
    assert offset_token(None, "cursor") == 0 and offset_token("40", "cursor") == 40
    for bad in ("²", "-1", "1" * 10, "4O"):
        with pytest.raises(InvalidArguments, match="cursor is not one this server handed out"):
            offset_token(bad, "cursor")
    assert next_offset(20, 10, True) == "30"
    assert next_offset(20, 10, False) is None and next_offset(20, 0, True) is None


def test_pick_and_signed_in() -> None:
    assert pick({"displayName": "Ann", "x": 1}, name="displayName", email="emailAddress") == {
        "name": "Ann",
        "email": None,
    }
    assert pick(["not", "a", "dict"], name="displayName") == {"name": None}
    result = signed_in("Jira", "http://j", "Ann", {"email": "a@x", "account_id": "acc", "username": None}, email=True)
    assert result.text == "Signed in to Jira (http://j) as Ann <a@x>, account id acc."
    assert result.structured == {"email": "a@x", "account_id": "acc"}
    quiet = signed_in("Confluence", "http://c", "Ann", {"email": "a@x", "username": "ann"}, email=False)
    assert quiet.text == "Signed in to Confluence (http://c) as Ann, username ann."


def test_an_alias_is_callable_never_listed_and_withheld_with_its_tool() -> None:
    from passthrough.settings import load_settings
    from passthrough.tools import build_registry

    @tool("jira_wipe", title="Jira: wipe", toolset="jira_issues", effect="delete", aliases=("jira_erase",))
    async def wipe(jira: JiraClient, _: NoArguments) -> ToolResult:
        """Wipe."""
        return ToolResult("wiped")

    everything = {"JIRA_URL": "https://j.example", "PASSTHROUGH_TOOLSETS": "all"}
    registry = build_registry(load_settings(everything), [echo, wipe])
    assert registry.get("jira_erase") is wipe and registry.get("jira_wipe") is wipe
    assert [t.name for t in registry] == ["jira_echo", "jira_wipe"]
    read_only = build_registry(load_settings({**everything, "PASSTHROUGH_READ_ONLY": "1"}), [wipe])
    assert read_only.get("jira_erase") is None and read_only.withheld("jira_erase") and read_only.withheld("jira_wipe")


def test_arguments_naming_a_server_file_are_refused_with_what_to_send() -> None:
    from pydantic import ValidationError

    for name in ("file_path", "file_paths", "content_file"):
        with pytest.raises(ValidationError, match=f"{name} names a file on the server.*content_base64"):
            Echo.model_validate({"word": "x", name: "/etc/passwd"})
    assert Echo.model_validate({"word": "x"}).word == "x"
