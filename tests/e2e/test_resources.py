"""Resources: Jira issues, Confluence pages and OpenProject work packages as templates, read with the caller's
own credential (the get tools' Markdown and JSON), their recent items listed, over every transport and revision."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BOB, jira_env, make_settings, serve
from tests.e2e._clients import TRANSPORTS, connect, tool_caller
from tests.e2e._resources import FIRST, SECOND, SECURED, World, modern_meta, poster, world
from tests.e2e.test_inspector import INSPECTOR, inspector  # noqa: F401  (the fixture that installs it)
from tests.fakes import FakeJira

TEMPLATES = [
    "jira://issue/{issue_key}",
    "confluence://page/{page_id}",
    "openproject://work_package/{work_package_id}",
]
READS = [
    ("jira://issue/DEMO-1", "jira_get_issue", {"issue_key": "DEMO-1"}),
    ("confluence://page/98306", "confluence_get_page", {"page_id": "98306"}),
    ("openproject://work_package/1", "openproject_get_work_package", {"work_package_id": 1}),
]


@pytest.fixture(params=["server", "cloud"])
async def both(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with world(request.param) as found:
        yield found


@pytest.fixture
async def server_world() -> AsyncIterator[World]:
    async with world("server") as found:
        yield found


async def test_templates_are_those_of_the_configured_providers_and_toolsets(server_world: World) -> None:
    async with httpx.AsyncClient(base_url=server_world.url, timeout=30) as http:
        rpc = poster(http, FIRST.headers("server"))
        listed = (await rpc("resources/templates/list", {}))["result"]["resourceTemplates"]
        assert [t["uriTemplate"] for t in listed] == TEMPLATES
        assert {t["mimeType"] for t in listed} == {"text/markdown"}
        assert [t["name"] for t in listed] == ["jira_issue", "confluence_page", "openproject_work_package"]
        assert all(t["title"] and t["description"] for t in listed)
        narrowed = await rpc("resources/templates/list", {}, {"X-MCP-Toolsets": "confluence_pages"})
        assert [t["uriTemplate"] for t in narrowed["result"]["resourceTemplates"]] == TEMPLATES[1:2]
        outside = await rpc("resources/read", {"uri": "jira://issue/DEMO-1"}, {"X-MCP-Toolsets": "confluence_pages"})
        assert outside["error"]["code"] == -32002
    assert not server_world.jira.requests, "a template outside the client's toolsets reads nothing"
    only_jira = make_settings(jira_env(server_world.jira, PASSTHROUGH_TOOLSETS="jira_issues"))
    async with serve(only_jira) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        listed = (await poster(http, {})("resources/templates/list", {}))["result"]["resourceTemplates"]
        assert [t["uriTemplate"] for t in listed] == TEMPLATES[:1]
    no_issues = make_settings(jira_env(server_world.jira, PASSTHROUGH_TOOLSETS="jira_users"))
    async with serve(no_issues) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        rpc = poster(http, {})
        assert (await rpc("resources/templates/list", {}))["result"]["resourceTemplates"] == []
        init = await rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": INFO})
        assert "resources" not in init["result"]["capabilities"], "no template, so no resources capability"


INFO = {"name": "t", "version": "1"}


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
async def test_capabilities_per_revision(server_world: World, version: str) -> None:
    async with httpx.AsyncClient(base_url=server_world.url, timeout=30) as http:
        rpc = poster(http, {})
        init = await rpc("initialize", {"protocolVersion": version, "capabilities": {}, "clientInfo": INFO})
        caps = init["result"]["capabilities"]
        assert init["result"]["protocolVersion"] == version
        assert caps["resources"] == {"subscribe": False, "listChanged": False}
        assert caps["tools"] == {"listChanged": False}
        if version == "2024-11-05":
            assert "completions" not in caps, "2024-11-05 had no completions capability"
        else:
            assert caps["completions"] == {}
        subscribe = await rpc("resources/subscribe", {"uri": "jira://issue/DEMO-1"})
        assert subscribe["error"]["code"] == -32601, "subscribe: false, and the method is not served"
        headers = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "server/discover"}
        discover = await rpc("server/discover", {"_meta": modern_meta()}, headers)
        modern = discover["result"]["capabilities"]
        assert modern["resources"] == {"subscribe": False, "listChanged": False} and modern["completions"] == {}


@pytest.mark.parametrize(("uri", "tool", "args"), READS)
async def test_read_is_the_get_tools_markdown_and_json(both: World, uri: str, tool: str, args: dict[str, Any]) -> None:
    headers = FIRST.headers(both.deployment)
    async with httpx.AsyncClient(base_url=both.url, timeout=30) as http:
        called = await tool_caller(http, headers)(tool, args)
        assert not called["isError"], called["text"]
        both.clear()
        read = (await poster(http, headers)("resources/read", {"uri": uri}))["result"]
    markdown, structured = read["contents"]
    assert markdown == {"uri": uri, "mimeType": "text/markdown", "text": called["text"]}
    assert structured["uri"] == uri and structured["mimeType"] == "application/json"
    assert json.loads(structured["text"]) == called["structuredContent"]
    fake = {"jira": both.jira, "confluence": both.confluence, "openproject": both.openproject}[uri.split(":")[0]]
    identity = {"jira": ALICE.name, "confluence": "cara", "openproject": "anna"}[uri.split(":")[0]]
    assert fake.requests and {r.identity for r in fake.requests} == {identity}, "read with the caller's credential"


async def test_read_refusals(server_world: World) -> None:
    async with httpx.AsyncClient(base_url=server_world.url, timeout=30) as http:
        rpc = poster(http, FIRST.headers("server"))
        unknown = await rpc("resources/read", {"uri": "gopher://issue/DEMO-1"})
        assert unknown["error"]["code"] == -32002 and "no URI of the templates" in unknown["error"]["message"]
        for bad in ("jira://issue/not-a-key", "confluence://page/abc", "openproject://work_package/0"):
            refused = await rpc("resources/read", {"uri": bad})
            assert refused["error"]["code"] == -32602, refused
        for nested in ("jira://issue/DEMO-1/comments", "jira://issue/", "jira://issue/DEMO-1?x=1"):
            assert (await rpc("resources/read", {"uri": nested}))["error"]["code"] == -32002
        assert not server_world.jira.requests and not server_world.confluence.requests, "bad URIs send nothing"
        missing = await rpc("resources/read", {"uri": "jira://issue/DEMO-999"})
        assert missing["error"]["code"] == -32002
        assert "Issue does not exist" in missing["error"]["message"]
        assert missing["error"]["data"] == {"uri": "jira://issue/DEMO-999"}
        anonymous = await poster(http, {})("resources/read", {"uri": "jira://issue/DEMO-1"})
        assert anonymous["error"]["code"] == -32600 and "X-Jira-Token" in anonymous["error"]["message"]
        headers = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "resources/read"}
        params = {"uri": "jira://issue/DEMO-999", "_meta": modern_meta()}
        modern = await http.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 9, "method": "resources/read", "params": params},
            headers={**FIRST.headers("server"), **headers, "Mcp-Name": "jira://issue/DEMO-999"},
        )
        assert modern.status_code == 400 and modern.json()["error"]["code"] == -32602, "2026-07-28 retired -32002"


async def test_list_is_the_callers_own_recent_items_page_by_page(both: World) -> None:
    async def every(person: Any) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=both.url, timeout=30) as http:
            rpc = poster(http, person.headers(both.deployment))
            found: list[dict[str, Any]] = []
            cursor = None
            for _ in range(20):
                page = (await rpc("resources/list", {"cursor": cursor} if cursor else {}))["result"]
                assert len(page["resources"]) <= 25
                found += page["resources"]
                cursor = page.get("nextCursor")
                if cursor is None:
                    return found
                assert "jira" not in cursor and "=" not in cursor, "an opaque cursor"
            raise AssertionError("the listing never ended")

    mine = await every(FIRST)
    jql = {r.query.get("jql") for r in both.jira.requests if "/search" in r.path}
    assert jql == {"assignee = currentUser() ORDER BY updated DESC"}
    assert {r.identity for r in both.jira.requests} == {ALICE.name}
    cql = {r.query.get("cql") for r in both.confluence.requests if r.path.endswith("/search")}
    assert cql == {"type = page AND contributor = currentUser() ORDER BY lastmodified DESC"}
    op = [r for r in both.openproject.requests if r.path.endswith("/work_packages")]
    assert {r.query["filters"] for r in op} == {'[{"assignee":{"operator":"=","values":["me"]}}]'}
    uris = [r["uri"] for r in mine]
    assert len(uris) == len(set(uris)), "no item listed twice across pages"
    schemes = [u.split(":")[0] for u in uris]
    assert schemes == sorted(schemes, key=["jira", "confluence", "openproject"].index), "provider after provider"
    assigned = {i["key"] for i in both.jira.state.issues.values() if i.get("assignee") == ALICE.name}
    assert {u.removeprefix("jira://issue/") for u in uris if u.startswith("jira:")} == assigned
    assert all(r["name"] and r["mimeType"] == "text/markdown" for r in mine)
    theirs = await every(SECOND)
    assert {r["uri"] for r in theirs} != set(uris)
    assert not any(u.startswith("jira:") for u in (r["uri"] for r in theirs)), "Bob has no issue assigned"
    async with httpx.AsyncClient(base_url=both.url, timeout=30) as http:
        bad = await poster(http, FIRST.headers(both.deployment))("resources/list", {"cursor": "not-ours"})
    assert bad["error"]["code"] == -32602 and "cursor" in bad["error"]["message"]


async def test_list_without_credentials_is_empty_and_modern_is_private(server_world: World) -> None:
    async with httpx.AsyncClient(base_url=server_world.url, timeout=30) as http:
        assert (await poster(http, {})("resources/list", {}))["result"]["resources"] == []
        headers = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "resources/list"}
        modern = (await poster(http, FIRST.headers("server"))("resources/list", {"_meta": modern_meta()}, headers))[
            "result"
        ]
        assert modern["cacheScope"] == "private" and modern["resources"]
        headers["Mcp-Method"] = "resources/templates/list"
        listed = await poster(http, {})("resources/templates/list", {"_meta": modern_meta()}, headers)
        assert listed["result"]["cacheScope"] == "public"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_sdk_client_lists_and_reads_with_custom_headers(server_world: World, transport: str) -> None:
    async with connect(server_world.url, transport, FIRST.headers("server")) as client:
        templates = await client.list_resource_templates()
        assert [t.uri_template for t in templates.resource_templates] == TEMPLATES
        read = await client.read_resource("confluence://page/98306")
        first, second = read.contents
        assert first.mime_type == "text/markdown" and "Getting started" in getattr(first, "text", "")
        assert json.loads(getattr(second, "text", ""))["id"] == "98306"
        recent = await client.list_resources()
        assert recent.resources and str(recent.resources[0].uri).startswith("jira://issue/")
    assert {r.identity for r in server_world.confluence.requests} == {"cara"}


async def test_two_people_reading_one_uri_each_see_their_own(server_world: World) -> None:
    """Concurrent reads of one URI by two people: each upstream request carries its own reader, and the
    issue Bob may not see is Markdown for Alice and not found for Bob, however the reads interleave."""
    uri = f"jira://issue/{SECURED}"
    async with httpx.AsyncClient(base_url=server_world.url, timeout=30) as http:
        alice, bob = poster(http, FIRST.headers("server")), poster(http, SECOND.headers("server"))
        answers = await asyncio.gather(
            *(who("resources/read", {"uri": uri}) for _ in range(10) for who in (alice, bob))
        )
    for index, reply in enumerate(answers):
        if index % 2 == 0:
            assert reply["result"]["contents"][0]["text"].startswith(f"# {SECURED}:")
        else:
            assert reply["error"]["code"] == -32002 and "permission" in reply["error"]["message"]
    reads = [r for r in server_world.jira.requests if f"/issue/{SECURED}" in r.path]
    assert sorted(r.identity or "" for r in reads if r.status == 200) == [ALICE.name] * len(
        [r for r in reads if r.status == 200]
    )
    assert {r.identity for r in reads if r.status == 404} == {BOB.name}
    assert sum(1 for r in reads if r.identity == BOB.name) >= 10, "every one of Bob's reads went upstream as Bob"


@pytest.mark.parametrize("path", ["/mcp", "/sse"])
async def test_inspector_cli_templates_read_and_list(inspector: Any, server_jira: FakeJira, path: str) -> None:  # noqa: F811
    async with serve(make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"))) as url:

        async def run(*args: str) -> Any:
            proc = await asyncio.create_subprocess_exec(
                str(INSPECTOR),
                "--cli",
                url + path,
                "--header",
                f"Authorization: Bearer {ALICE.token}",
                *args,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), 90)
            assert proc.returncode == 0, err.decode()
            return json.loads(out)

        templates = await run("--method", "resources/templates/list")
        assert [t["uriTemplate"] for t in templates["resourceTemplates"]] == TEMPLATES[:1]
        read = await run("--method", "resources/read", "--uri", "jira://issue/DEMO-4")
        assert read["contents"][0]["text"].startswith("# DEMO-4:")
        listed = await run("--method", "resources/list")
        assert all(r["uri"].startswith("jira://issue/") for r in listed["resources"]) and listed["resources"]
    assert {r.identity for r in server_jira.requests} == {ALICE.name}
