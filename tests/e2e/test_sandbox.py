"""`passthrough serve --sandbox`: a newcomer connects with no account and every provider's tools work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from passthrough.sandbox import DEMO, SAM
from passthrough.tools import all_tools
from tests.conftest import environment_without_providers, start_server_process
from tests.e2e._clients import connect, text_of


@asynccontextmanager
async def sandbox(env: Mapping[str, str] | None = None) -> AsyncIterator[tuple[str, str]]:
    """`passthrough serve --sandbox` on a free port: its URL and what it printed until its guide."""
    proc, url, lines = await start_server_process(
        "serve",
        "--sandbox",
        "--port",
        "0",
        env={**environment_without_providers(), **(env or {})},
        ready=r"Connect any MCP client to (http://127\.0\.0\.1:\d+)/mcp",
    )
    try:
        yield url, "".join(lines)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.communicate(), 20)


async def test_sandbox_serves_every_tool_with_no_account() -> None:
    async with sandbox() as (url, _):
        async with connect(url, "auto", {}) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert names == {t.name for t in all_tools()}
            for tool in ("jira_get_myself", "confluence_get_myself", "openproject_get_myself"):
                me = await client.call_tool(tool, {})
                assert not me.is_error and DEMO.jira.display_name in text_of(me), text_of(me)
            found = await client.call_tool("jira_search", {"jql": "project = DEMO", "max_results": 5})
            assert not found.is_error and found.structured_content["issues"]
            page = await client.call_tool("confluence_get_page", {"page_id": "98305"})
            assert not page.is_error and "Welcome" in text_of(page)
            wps = await client.call_tool("openproject_search_work_packages", {"page_size": 3})
            assert not wps.is_error and wps.structured_content["total"] > 0
        sam = {
            "X-Jira-Token": SAM.jira.token,
            "X-Confluence-Token": SAM.confluence.token,
            "X-Confluence-Email": SAM.confluence.email,
            "X-OpenProject-Key": SAM.openproject.api_key,
        }
        async with connect(url, "sse", sam) as client:
            for tool in ("jira_get_myself", "confluence_get_myself", "openproject_get_myself"):
                me = await client.call_tool(tool, {})
                assert not me.is_error and SAM.jira.display_name in text_of(me), text_of(me)


async def test_sandbox_honours_the_operators_fallback_policy_and_says_so() -> None:
    """`PASSTHROUGH_FALLBACK=off` stays off in the sandbox: no header, no Dana; the guide and the log say why."""
    async with sandbox({"PASSTHROUGH_FALLBACK": "off"}) as (url, seen):
        assert "PASSTHROUGH_FALLBACK=off" in seen and "you act as Dana" not in seen, seen
        assert "Fallback policy: off (set by PASSTHROUGH_FALLBACK)" in seen, seen
        async with connect(url, "auto", {}) as client:
            me = await client.call_tool("jira_get_myself", {})
            assert me.is_error and DEMO.jira.display_name not in text_of(me), text_of(me)
            assert "X-Jira-Token" in text_of(me), text_of(me)
        async with connect(url, "auto", {"X-Jira-Token": SAM.jira.token}) as client:
            me = await client.call_tool("jira_get_myself", {})
            assert not me.is_error and SAM.jira.display_name in text_of(me), text_of(me)


async def test_sandbox_cloud_confluence_wants_the_email_as_real_cloud_does() -> None:
    async with sandbox() as (url, _):
        async with connect(url, "auto", {"X-Confluence-Token": SAM.confluence.token}) as client:
            alone = await client.call_tool("confluence_get_myself", {})
            assert alone.is_error and "401" in text_of(alone) and "email" in text_of(alone), text_of(alone)
        with_email = {"X-Confluence-Token": SAM.confluence.token, "X-Confluence-Email": SAM.confluence.email}
        async with connect(url, "auto", with_email) as client:
            me = await client.call_tool("confluence_get_myself", {})
            assert not me.is_error and SAM.confluence.display_name in text_of(me), text_of(me)
