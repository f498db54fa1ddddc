"""The leading peer's arguments of jira_get_issue and jira_search, both deployments: sent upstream and shown."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import ALICE, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import ToolCall, tool_caller
from tests.fakes import FakeJira


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[ToolCall]:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, jira_headers(ALICE, jira.deployment))


async def test_get_issue_with_more_fields_display_names_and_inlined_sections(jira: FakeJira, tool: ToolCall) -> None:
    r = await tool(
        "jira_get_issue",
        {
            "issue_key": "DEMO-1",
            "fields": "creator, subtasks",
            "include": "transitions,changelog,watchers",
            "use_display_names": True,
            "update_history": False,
            "properties": "my.prop",
        },
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/issue/DEMO-1").query
    assert set(sent["fields"].split(",")) >= {"summary", "description", "creator", "subtasks"}
    assert set(sent["expand"].split(",")) == {"transitions", "changelog", "names"}
    assert sent["updateHistory"] == "false" and sent["properties"] == "my.prop"
    assert "Creator" in r["structuredContent"]["fields"], r["structuredContent"].get("fields")
    assert "## Other fields" in r["text"] and "- Creator: " in r["text"]
    assert "## Transitions" in r["text"] and r["structuredContent"]["transitions"]
    assert "## History" in r["text"] and "watchers (see jira_get_issue_watchers)" in r["text"]


async def test_get_issue_defaults_send_no_extras(jira: FakeJira, tool: ToolCall) -> None:
    r = await tool("jira_get_issue", {"issue_key": "DEMO-1"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/issue/DEMO-1").query
    assert "expand" not in sent and "updateHistory" not in sent and "fields" not in r["structuredContent"]


async def test_search_takes_the_peers_names(jira: FakeJira, tool: ToolCall) -> None:
    r = await tool(
        "jira_search",
        {"jql": "status = 'To Do' ORDER BY key", "limit": 2, "projects_filter": "demo, OPS", "fields": "creator"},
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/search").query
    assert sent["jql"] == "project in (DEMO, OPS) AND (status = 'To Do') ORDER BY key"
    assert sent["maxResults"] == "2" and "creator" in sent["fields"].split(",")
    issues = r["structuredContent"]["issues"]
    assert issues and all("creator" in i.get("fields", {}) for i in issues), issues
    assert "_raw" not in r["structuredContent"]


async def test_start_at_pages_on_server_and_is_refused_on_cloud(jira: FakeJira, tool: ToolCall) -> None:
    r = await tool("jira_search", {"jql": "project = DEMO", "start_at": 1, "limit": 1})
    if jira.deployment == "cloud":
        assert r["isError"] and "page_token" in r["text"]
        return
    assert not r["isError"], r["text"]
    assert jira.last_request("GET", "/search").query["startAt"] == "1"


async def test_create_issue_takes_components_and_additional_fields_as_the_peer_sends_them(
    jira: FakeJira, tool: ToolCall
) -> None:
    r = await tool(
        "jira_create_issue",
        {
            "project_key": "DEMO",
            "summary": "With parts",
            "issue_type": "Task",
            "components": "Backend, Frontend",
            "additional_fields": '{"labels": ["from-json"]}',
        },
    )
    sent = jira.last_request("POST", "/issue").json["fields"]
    assert sent["components"] == [{"name": "Backend"}, {"name": "Frontend"}]
    assert sent["labels"] == ["from-json"]
    assert not r["isError"] and r["structuredContent"]["key"].startswith("DEMO-"), r["text"]


async def test_update_issue_takes_fields_as_json_text_and_reads_fields_back(jira: FakeJira, tool: ToolCall) -> None:
    r = await tool(
        "jira_update_issue",
        {"issue_key": "DEMO-2", "fields": '{"summary": "Renamed by JSON"}', "return_fields": "summary,status"},
    )
    assert not r["isError"], r["text"]
    assert jira.last_request("PUT", "/issue/DEMO-2").json["fields"] == {"summary": "Renamed by JSON"}
    assert jira.last_request("GET", "/issue/DEMO-2").query["fields"] == "summary,status"
    assert r["structuredContent"]["fields"]["summary"] == "Renamed by JSON"
    assert "Now: summary: Renamed by JSON" in r["text"]

    bad = await tool("jira_update_issue", {"issue_key": "DEMO-2", "fields": "[1, 2]"})
    assert bad["isError"] and "fields must be a JSON object" in bad["text"]
