"""The official MCP Python SDK client, over every transport, against passthrough and a fake Jira."""

from __future__ import annotations

import pytest

from tests.conftest import ALICE, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import TRANSPORTS, connect, text_of
from tests.fakes import FakeJira

EXPECTED_VERSION = {
    "sse": "2025-11-25",
    "legacy": "2025-11-25",
    "auto": "2026-07-28",
    "2026-07-28": "2026-07-28",
}


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_jira_read_tools_over_every_transport(jira: FakeJira, transport: str) -> None:
    async with serve(make_settings(jira_env(jira))) as url:
        async with connect(url, transport, jira_headers(ALICE, jira.deployment)) as client:
            assert client.protocol_version == EXPECTED_VERSION[transport]
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert {"jira_get_myself", "jira_get_issue", "jira_search"} <= set(tools)
            annotations = tools["jira_get_issue"].annotations
            assert annotations is not None and annotations.read_only_hint is True

            me = await client.call_tool("jira_get_myself", {})
            assert not me.is_error, text_of(me)
            assert me.structured_content["display_name"] == ALICE.display_name
            assert ALICE.display_name in text_of(me)

            issue = await client.call_tool("jira_get_issue", {"issue_key": "DEMO-1"})
            assert not issue.is_error, text_of(issue)
            assert issue.structured_content["key"] == "DEMO-1"
            assert text_of(issue).startswith("# DEMO-1: ")

            keys: list[str] = []
            token = None
            for _ in range(10):
                args = {"jql": "project = DEMO ORDER BY key ASC", "max_results": 10}
                if token:
                    args["page_token"] = token
                page = await client.call_tool("jira_search", args)
                assert not page.is_error, text_of(page)
                keys += [i["key"] for i in page.structured_content["issues"]]
                token = page.structured_content["next_page_token"]
                if not token:
                    break
            assert len(keys) == 25 and len(set(keys)) == 25

            missing = await client.call_tool("jira_get_issue", {"issue_key": "DEMO-999"})
            assert missing.is_error and "404" in text_of(missing) and "does not exist" in text_of(missing)

            before = len(jira.requests)
            sneaky = await client.call_tool("jira_get_issue", {"issue_key": "../../rest/api/2/myself"})
            assert sneaky.is_error and "issue_key" in text_of(sneaky)
            assert len(jira.requests) == before, "an invalid key must not reach the upstream"

    assert jira.requests, "the fake saw no traffic"
    assert {r.identity for r in jira.requests} == {ALICE.name}
    assert all(r.auth_via in ("bearer", "basic") for r in jira.requests), "a cookie was sent upstream"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_missing_credential_names_headers(server_jira: FakeJira, transport: str) -> None:
    async with serve(make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"))) as url:
        async with connect(url, transport, {}) as client:
            result = await client.call_tool("jira_get_myself", {})
    assert result.is_error
    assert "X-Jira-Token" in text_of(result) and "Authorization: Bearer" in text_of(result)
    assert server_jira.requests == []
