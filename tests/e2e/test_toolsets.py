"""Toolsets: what the server offers (PASSTHROUGH_TOOLSETS) and what one client narrows it to (X-MCP-Toolsets)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from passthrough.errors import ConfigError
from passthrough.settings import load_settings
from passthrough.tools import all_tools
from passthrough.toolsets import DEFAULT_TOOLS
from tests.conftest import ALICE, jira_env, jira_headers, make_settings, serve
from tests.fakes import FakeJira


async def rpc(http: httpx.AsyncClient, method: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return (await http.post("/mcp", json=body, headers=headers)).json()


async def test_the_default_offer_is_the_contracts_tools(server_jira: FakeJira) -> None:
    settings = load_settings(jira_env(server_jira))
    assert settings.toolsets == {"default"}
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = await rpc(http, "tools/list", {}, jira_headers(ALICE, "server"))
    names = {t["name"] for t in listed["result"]["tools"]}
    assert names == {n for n in DEFAULT_TOOLS if n.startswith("jira_")}


async def test_a_client_narrows_the_offer_and_cannot_widen_it(server_jira: FakeJira) -> None:
    headers = {**jira_headers(ALICE, "server"), "X-MCP-Toolsets": "jira_transitions"}
    settings = make_settings(jira_env(server_jira, PASSTHROUGH_TOOLSETS="jira_transitions,jira_comments"))
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = await rpc(http, "tools/list", {}, headers)
        names = {t["name"] for t in listed["result"]["tools"]}
        assert names == {"jira_get_transitions", "jira_transition_issue"}

        refused = await rpc(
            http, "tools/call", {"name": "jira_get_comments", "arguments": {"issue_key": "DEMO-1"}}, headers
        )
        assert "X-MCP-Toolsets" in refused["error"]["message"]

        wider = {**jira_headers(ALICE, "server"), "X-MCP-Toolsets": "all"}
        everything = await rpc(http, "tools/list", {}, wider)
        offered = {t.name for t in all_tools() if t.toolset in ("jira_transitions", "jira_comments")}
        assert {"jira_get_comments", "jira_add_comment", "jira_get_transitions"} <= offered
        assert {t["name"] for t in everything["result"]["tools"]} == offered, "never more than the server offers"
        missing = await rpc(http, "tools/call", {"name": "jira_get_issue", "arguments": {"issue_key": "DEMO-1"}}, wider)
        assert "error" in missing

        bad = await http.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={**headers, "X-MCP-Toolsets": "jira_everything"},
        )
        assert bad.status_code == 400 and "jira_everything" in bad.text and "jira_agile" in bad.text
    assert not [r for r in server_jira.requests if "comment" in r.path], "a refused call sends nothing upstream"


def test_an_unknown_toolset_stops_start_up_listing_the_valid_ones() -> None:
    with pytest.raises(
        ConfigError, match=r"PASSTHROUGH_TOOLSETS: unknown toolset jira_nope; valid: default, all, .*jira_agile"
    ):
        load_settings({"PASSTHROUGH_TOOLSETS": "jira_issues, jira_nope"})
