"""`GET /` tells a person where to go; an unknown path points to the MCP endpoints; neither echoes user text."""

from __future__ import annotations

import httpx

from tests.conftest import jira_env, make_settings, serve
from tests.fakes import FakeJira


async def test_the_front_page_names_the_endpoints_and_providers(server_jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(server_jira))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            plain = await http.get("/")
            assert plain.status_code == 200 and plain.headers["content-type"].startswith("application/json")
            facts = plain.json()
            assert set(facts["endpoints"]) >= {"/mcp", "/sse", "/healthz"}
            assert facts["providers"] == {"jira": "server"} and facts["tools"] > 0
            assert "client-config" in facts["connect"]
            page = await http.get("/", headers={"Accept": "text/html,application/xhtml+xml"})
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            assert "<code>/mcp</code>" in page.text and "jira (server)" in page.text

            lost = await http.get("/v1/jira/<script>secret-path-text</script>?q=jql-text")
            assert lost.status_code == 404
            assert "/mcp" in lost.json()["hint"] and "/sse" in lost.json()["hint"]
            assert "secret-path-text" not in lost.text and "jql-text" not in lost.text
            # a handler's own 404 keeps its own message (an unknown legacy session)
            gone = await http.post(
                "/messages?session_id=" + "0" * 32, json={"jsonrpc": "2.0", "method": "ping", "id": 1}
            )
            assert gone.status_code == 404 and "hint" not in gone.text
