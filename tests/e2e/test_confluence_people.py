"""Confluence users, page views, templates and permissions against the fake Confluence, both deployments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.confluence._errors import v1_error_body
from passthrough.sandbox.fakes.confluence._people_state import people_of
from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.e2e._confluence import CARA, DAN, env_for, headers_for
from tests.fakes import ConfluenceUser, FakeConfluence, Fault

Call = Any


@pytest.fixture(params=["server", "cloud"])
async def conf(request: pytest.FixtureRequest) -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence(request.param, [CARA, DAN])
    async with fake.serve():
        yield fake


@pytest.fixture
async def cloud() -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence("cloud", [CARA, DAN])
    async with fake.serve():
        yield fake


@pytest.fixture
async def server() -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence("server", [CARA, DAN])
    async with fake.serve():
        yield fake


async def _caller(conf: FakeConfluence) -> AsyncIterator[Call]:
    async with serve(make_settings(env_for(conf))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        post = tool_caller(http, headers_for(CARA, conf.deployment))

        async def call(name: str, args: dict[str, Any], user: ConfluenceUser = CARA) -> dict[str, Any]:
            return await post(name, args, headers_for(user, conf.deployment))

        yield call


@pytest.fixture
async def tool(conf: FakeConfluence) -> AsyncIterator[Call]:
    async for call in _caller(conf):
        yield call


@pytest.fixture
async def cloud_tool(cloud: FakeConfluence) -> AsyncIterator[Call]:
    async for call in _caller(cloud):
        yield call


@pytest.fixture
async def server_tool(server: FakeConfluence) -> AsyncIterator[Call]:
    async for call in _caller(server):
        yield call


# ---------------------------------------------------------------------- users


async def test_search_user_by_name_sends_escaped_cql(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_search_user", {"query": "cara"})
    assert not r["isError"], r["text"]
    if conf.deployment == "cloud":
        sent = conf.last_request("GET", "/rest/api/search/user")
        assert sent.query["cql"] == 'user.fullname ~ "cara"' and sent.query["limit"] == "10"
        assert "Cara Writer <cara@example.com> — account id acc-cara" in r["text"]
        assert r["structuredContent"]["users"][0]["account_id"] == "acc-cara"
    else:
        sent = conf.last_request("GET", "/rest/api/search")
        assert sent.query["cql"] == 'type = user AND user.fullname ~ "cara"'
        assert "Cara Writer — username cara" in r["text"]
        assert r["structuredContent"]["users"][0]["username"] == "cara"
    assert sent.identity == "cara"
    assert [u["display_name"] for u in r["structuredContent"]["users"]] == ["Cara Writer"]

    sneaky = await tool("confluence_search_user", {"query": 'x" OR user.fullname ~ "dan'})
    assert not sneaky["isError"], sneaky["text"]
    cql = conf.last_request("GET", "/search").query["cql"]
    assert cql.endswith('user.fullname ~ "x\\" OR user.fullname ~ \\"dan"'), cql
    assert sneaky["structuredContent"]["users"] == [] and "No users" in sneaky["text"]


async def test_search_user_takes_cql(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_search_user", {"query": 'user.fullname ~ "Dan"', "limit": 5})
    assert not r["isError"], r["text"]
    cql = conf.last_request("GET", "/search").query["cql"]
    expected = 'user.fullname ~ "Dan"' if conf.deployment == "cloud" else 'type = user AND (user.fullname ~ "Dan")'
    assert cql == expected
    assert [u["display_name"] for u in r["structuredContent"]["users"]] == ["Dan Reader"]
    everyone = await tool("confluence_search_user", {"query": "type = user"})
    assert [u["display_name"] for u in everyone["structuredContent"]["users"]] == ["Cara Writer", "Dan Reader"]
    bad = await tool("confluence_search_user", {"query": "user.fullname = = x"})
    assert bad["isError"] and "400" in bad["text"]


async def test_search_user_in_a_group(conf: FakeConfluence, tool: Call) -> None:
    args = {"query": "writer", "group_name": "confluence-administrators"}
    r = await tool("confluence_search_user", args)
    assert not r["isError"], r["text"]
    if conf.deployment == "cloud":
        assert conf.last_request("GET", "/rest/api/search/user").query["cql"] == 'user.fullname ~ "writer"'
        assert "group_name applies on Server/Data Center only" in r["text"]
        assert not [q for q in conf.requests if "/group/" in q.path]
        return
    sent = conf.last_request("GET", "/rest/api/group/confluence-administrators/member")
    assert sent.query == {"start": "0", "limit": "200"} and sent.identity == "cara"
    assert [u["username"] for u in r["structuredContent"]["users"]] == ["cara"]
    assert "1 members of confluence-administrators matching 'writer'" in r["text"]
    dan = await tool("confluence_search_user", {"query": 'user.fullname ~ "Dan"', "group_name": "confluence-users"})
    assert dan["structuredContent"]["query"] == "Dan"
    assert [u["username"] for u in dan["structuredContent"]["users"]] == ["dan"]
    none = await tool("confluence_search_user", {"query": "dan", "group_name": "confluence-administrators"})
    assert none["structuredContent"]["users"] == [] and "No members of confluence-administrators" in none["text"]
    missing = await tool("confluence_search_user", {"query": "x", "group_name": "nobody/../x"})
    assert missing["isError"] and "404" in missing["text"] and "No group found with name" in missing["text"]
    assert conf.last_request("GET", "/member").path.endswith("/group/nobody%2F..%2Fx/member")
    cql = await tool("confluence_search_user", {"query": "type = user", "group_name": "confluence-users"})
    assert cql["isError"] and "not other CQL" in cql["text"]


async def test_search_user_refuses_bad_arguments_before_sending(conf: FakeConfluence, tool: Call) -> None:
    before = len(conf.requests)
    for args in ({"query": ""}, {"query": "x", "limit": 51}, {"query": "x", "limit": 0}, {"query": "x" * 1001}):
        r = await tool("confluence_search_user", args)
        assert r["isError"], args
    assert len(conf.requests) == before


# ---------------------------------------------------------------------- analytics


async def test_page_views_on_cloud(cloud: FakeConfluence, cloud_tool: Call) -> None:
    people_of(cloud.state).views["98310"] = (57, 9)
    r = await cloud_tool("confluence_get_page_views", {"page_id": "98310"})
    assert not r["isError"], r["text"]
    assert cloud.last_request("GET", "/wiki/rest/api/analytics/content/98310/views").identity == "cara"
    cloud.last_request("GET", "/wiki/rest/api/analytics/content/98310/viewers")
    cloud.last_request("GET", "/wiki/api/v2/pages/98310")
    assert r["structuredContent"] == {"page_id": "98310", "title": "Architecture overview", "views": 57, "viewers": 9}
    assert r["text"] == "Page 98310 'Architecture overview': 57 views by 9 distinct viewers.\n"

    before = len(cloud.requests)
    bare = await cloud_tool("confluence_get_page_views", {"page_id": 98310, "include_title": False})
    assert bare["structuredContent"]["title"] is None and bare["text"].startswith("Page 98310: 57 views")
    assert not [q for q in cloud.requests[before:] if "/api/v2/pages" in q.path]

    missing = await cloud_tool("confluence_get_page_views", {"page_id": "1"})
    assert missing["isError"] and "404" in missing["text"] and "No content found" in missing["text"]


async def test_page_views_refused_on_server(server: FakeConfluence, server_tool: Call) -> None:
    before = len(server.requests)
    r = await server_tool("confluence_get_page_views", {"page_id": "98310"})
    assert r["isError"] and "no page analytics REST API" in r["text"] and "Cloud only" in r["text"]
    bad = await server_tool("confluence_get_page_views", {"page_id": "12a"})
    assert bad["isError"]
    assert len(server.requests) == before


# ---------------------------------------------------------------------- templates


async def test_list_templates_global_and_by_space(cloud: FakeConfluence, cloud_tool: Call) -> None:
    r = await cloud_tool("confluence_list_page_templates", {})
    assert not r["isError"], r["text"]
    sent = cloud.last_request("GET", "/wiki/rest/api/template/page")
    assert "spaceKey" not in sent.query and sent.query["limit"] == "25" and sent.identity == "cara"
    rows = r["structuredContent"]["templates"]
    assert [(t["id"], t["name"], t["space_key"]) for t in rows] == [
        ("1081345", "Meeting notes", None),
        ("1081346", "Decision record", None),
    ]
    assert "- Decision record (template 1081346): One decision" in r["text"] and "(global)" in r["text"]

    demo = await cloud_tool("confluence_list_page_templates", {"space_key": "DEMO"})
    assert cloud.last_request("GET", "/template/page").query["spaceKey"] == "DEMO"
    assert [t["name"] for t in demo["structuredContent"]["templates"]] == ["How-to article"]
    assert demo["structuredContent"]["templates"][0]["labels"] == ["howto"]

    first = await cloud_tool("confluence_list_page_templates", {"limit": 1})
    token = first["structuredContent"]["next_cursor"]
    assert token == "1" and f'cursor="{token}"' in first["text"]
    second = await cloud_tool("confluence_list_page_templates", {"limit": 1, "cursor": token})
    assert cloud.last_request("GET", "/template/page").query["start"] == "1"
    assert [t["id"] for t in second["structuredContent"]["templates"]] == ["1081346"]
    assert second["structuredContent"]["next_cursor"] is None

    nowhere = await cloud_tool("confluence_list_page_templates", {"space_key": "NOPE"})
    assert nowhere["isError"] and "404" in nowhere["text"] and "NOPE" in nowhere["text"]


async def test_get_template_as_markdown(cloud: FakeConfluence, cloud_tool: Call) -> None:
    r = await cloud_tool("confluence_get_page_template", {"template_id": "1081346"})
    assert not r["isError"], r["text"]
    assert cloud.last_request("GET", "/wiki/rest/api/template/1081346").identity == "cara"
    sc = r["structuredContent"]
    assert sc["name"] == "Decision record" and sc["space_key"] is None
    assert "## Context" in sc["body"] and "| Option | Pros | Cons |" in sc["body"]
    assert r["text"].startswith("# Template: Decision record\nTemplate 1081346 | Global")
    missing = await cloud_tool("confluence_get_page_template", {"template_id": "999"})
    assert missing["isError"] and "404" in missing["text"] and "999" in missing["text"]
    before = len(cloud.requests)
    bad = await cloud_tool("confluence_get_page_template", {"template_id": "../content/98305"})
    assert bad["isError"] and len(cloud.requests) == before


async def test_create_page_from_template(cloud: FakeConfluence, cloud_tool: Call) -> None:
    args = {"space_key": "DEMO", "title": "How to rotate logs", "template_id": "1081347", "parent_id": "98315"}
    r = await cloud_tool("confluence_create_page_from_template", args)
    assert not r["isError"], r["text"]
    cloud.last_request("GET", "/wiki/rest/api/template/1081347")
    posted = cloud.last_request("POST", "/wiki/api/v2/pages").json
    template = people_of(cloud.state).templates["1081347"]
    assert posted["body"] == {"representation": "storage", "value": template.body}
    assert posted["spaceId"] == "65601" and posted["parentId"] == "98315" and posted["title"] == "How to rotate logs"
    page_id = r["structuredContent"]["id"]
    stored = cloud.pages[page_id]
    assert stored["body"] == template.body and stored["parent_id"] == "98315"
    assert r["structuredContent"]["template_name"] == "How-to article"
    assert f"Created page {page_id} 'How to rotate logs' in DEMO from template 'How-to article'." in r["text"]

    before = len(cloud.pages)
    missing = await cloud_tool("confluence_create_page_from_template", {**args, "template_id": "42", "title": "X"})
    assert missing["isError"] and "404" in missing["text"] and len(cloud.pages) == before
    taken = await cloud_tool("confluence_create_page_from_template", args)
    assert taken["isError"] and "already exists" in taken["text"]


async def test_templates_on_server_say_there_is_no_api(server: FakeConfluence, server_tool: Call) -> None:
    r = await server_tool("confluence_list_page_templates", {"space_key": "DEMO"})
    assert r["isError"] and "no content template REST API" in r["text"], r["text"]
    assert server.last_request("GET", "/rest/api/template/page").status == 404
    one = await server_tool("confluence_get_page_template", {"template_id": "1081345"})
    assert one["isError"] and "no content template REST API" in one["text"]
    args = {"space_key": "DEMO", "title": "From a template", "template_id": "1081345"}
    made = await server_tool("confluence_create_page_from_template", args)
    assert made["isError"] and "no content template REST API" in made["text"]
    assert not [q for q in server.requests if q.method == "POST"]


async def test_create_from_template_withheld_in_read_only_mode(conf: FakeConfluence) -> None:
    env = env_for(conf, PASSTHROUGH_READ_ONLY="true")
    headers = headers_for(CARA, conf.deployment)
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "confluence_create_page_from_template" not in names and "confluence_get_page_template" in names
        args = {"space_key": "DEMO", "title": "Nope", "template_id": "1081345"}
        params = {"name": "confluence_create_page_from_template", "arguments": args}
        body = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": params}
        r = (await http.post("/mcp", json=body, headers=headers)).json()
        assert "read-only" in r["error"]["message"]
    assert not conf.requests, "nothing reaches Confluence"


# ---------------------------------------------------------------------- permissions


async def test_check_permissions_resolves_users_and_groups(cloud: FakeConfluence, cloud_tool: Call) -> None:
    r = await cloud_tool(
        "confluence_check_content_permissions",
        {"content_id": "98305", "user_identifier": "cara@example.com", "operation": "delete"},
    )
    assert not r["isError"], r["text"]
    sent = cloud.last_request("POST", "/wiki/rest/api/content/98305/permission/check")
    assert sent.json == {"subject": {"type": "user", "identifier": "acc-cara"}, "operation": "delete"}
    assert sent.identity == "cara"
    assert r["structuredContent"]["has_permission"] is True
    assert r["text"] == "Cara Writer (acc-cara) can delete content 98305.\n"

    dan = await cloud_tool(
        "confluence_check_content_permissions",
        {"content_id": 98305, "user_identifier": "Dan Reader", "operation": "DELETE"},
    )
    assert cloud.last_request("POST", "/permission/check").json["subject"]["identifier"] == "acc-dan"
    assert dan["structuredContent"]["has_permission"] is False
    assert "Dan Reader (acc-dan) cannot delete content 98305." in dan["text"]
    assert "does not have delete permission" in dan["text"]

    by_id = await cloud_tool(
        "confluence_check_content_permissions",
        {"content_id": "98318", "user_identifier": "acc-dan", "operation": "read"},
    )
    assert cloud.last_request("GET", "/wiki/rest/api/user").query == {"accountId": "acc-dan"}
    assert by_id["structuredContent"]["has_permission"] is False

    me = await cloud_tool(
        "confluence_check_content_permissions",
        {"content_id": "98318", "user_identifier": "me", "operation": "update"},
        DAN,
    )
    assert me["structuredContent"]["identifier"] == "acc-dan" and me["structuredContent"]["has_permission"] is False

    group = await cloud_tool(
        "confluence_check_content_permissions",
        {"content_id": "98307", "user_identifier": "confluence-users", "operation": "update", "subject_type": "group"},
    )
    assert not group["isError"], group["text"]
    assert cloud.last_request("GET", "/group/by-name").query == {"name": "confluence-users"}
    group_id = people_of(cloud.state).groups["confluence-users"].id
    assert cloud.last_request("POST", "/content/98307/permission/check").json["subject"] == {
        "type": "group",
        "identifier": group_id,
    }
    assert group["structuredContent"]["has_permission"] is True
    assert f"group confluence-users ({group_id}) can update content 98307." in group["text"]


async def test_check_permissions_refusals(cloud: FakeConfluence, cloud_tool: Call) -> None:
    nobody = await cloud_tool(
        "confluence_check_content_permissions",
        {"content_id": "98305", "user_identifier": "Zed Nobody", "operation": "read"},
    )
    assert nobody["isError"] and "No Confluence user matches 'Zed Nobody'" in nobody["text"]
    no_group = await cloud_tool(
        "confluence_check_content_permissions",
        {"content_id": "98305", "user_identifier": "ghosts", "operation": "read", "subject_type": "group"},
    )
    assert no_group["isError"] and "No Confluence group named 'ghosts'" in no_group["text"]
    missing = await cloud_tool(
        "confluence_check_content_permissions",
        {"content_id": "1", "user_identifier": "acc-cara", "operation": "read"},
    )
    assert missing["isError"] and "404" in missing["text"]
    before = len(cloud.requests)
    for args in (
        {"content_id": "98305", "user_identifier": "acc-cara", "operation": "share"},
        {"content_id": "98305", "user_identifier": "acc-cara", "operation": "read", "subject_type": "role"},
        {"content_id": "abc", "user_identifier": "acc-cara", "operation": "read"},
        {"content_id": "98305", "user_identifier": "", "operation": "read"},
    ):
        r = await cloud_tool("confluence_check_content_permissions", args)
        assert r["isError"], args
    assert len(cloud.requests) == before


async def test_check_permissions_refused_on_server(server: FakeConfluence, server_tool: Call) -> None:
    before = len(server.requests)
    r = await server_tool(
        "confluence_check_content_permissions",
        {"content_id": "98305", "user_identifier": "cara", "operation": "read"},
    )
    assert r["isError"] and "no REST API to check" in r["text"] and "confluence_get_space_permissions" in r["text"]
    assert len(server.requests) == before


async def test_space_permissions_on_cloud_by_key_and_cursor(cloud: FakeConfluence, cloud_tool: Call) -> None:
    r = await cloud_tool("confluence_get_space_permissions", {"space_id": "DEMO", "limit": 5})
    assert not r["isError"], r["text"]
    lookup = [q for q in cloud.requests if q.path == "/wiki/api/v2/spaces"]
    assert len(lookup) == 1 and lookup[0].query["keys"] == "DEMO"
    sent = cloud.last_request("GET", "/wiki/api/v2/spaces/65601/permissions")
    assert sent.query == {"limit": "5"} and sent.identity == "cara"
    users_group = people_of(cloud.state).groups["confluence-users"].id
    rows = r["structuredContent"]["permissions"]
    assert len(rows) == 5 and rows[0] == {
        "id": rows[0]["id"],
        "principal_type": "group",
        "principal": users_group,
        "principal_name": "confluence-users",
        "operation": "read",
        "target": "space",
    }
    assert f"- group confluence-users ({users_group}): read space, create page, create blogpost" in r["text"]
    assert cloud.last_request("GET", "/wiki/rest/api/group/by-id").query == {"id": users_group}
    assert "space DEMO (65601)" in r["text"]
    seen = [p["id"] for p in rows]
    cursor = r["structuredContent"]["next_cursor"]
    texts = []
    while cursor:
        more = await cloud_tool("confluence_get_space_permissions", {"space_id": "65601", "limit": 5, "cursor": cursor})
        assert cloud.last_request("GET", "/spaces/65601/permissions").query["cursor"] == cursor
        seen += [p["id"] for p in more["structuredContent"]["permissions"]]
        texts.append(more["text"])
        cursor = more["structuredContent"]["next_cursor"]
    assert "- user Cara Writer (acc-cara): export space" in texts[-1]
    assert cloud.last_request("POST", "/wiki/api/v2/users-bulk").json == {"accountIds": ["acc-cara"]}
    demo = people_of(cloud.state).space_grants("DEMO")
    assert seen == [g.id for g in demo]
    assert any(g.principal_type == "user" for g in demo)

    missing = await cloud_tool("confluence_get_space_permissions", {"space_id": "NOPE"})
    assert missing["isError"] and "No Confluence space with key 'NOPE'" in missing["text"]


async def test_space_permissions_on_server(server: FakeConfluence, server_tool: Call) -> None:
    r = await server_tool("confluence_get_space_permissions", {"space_id": "ENG"})
    assert not r["isError"], r["text"]
    assert server.last_request("GET", "/rest/api/space/ENG/permissions").identity == "cara"
    assert "- group engineering: read space, create page, create comment, delete page" in r["text"]
    assert "- group confluence-administrators: read space, administer space" in r["text"]
    assert r["structuredContent"]["next_cursor"] is None

    first = await server_tool("confluence_get_space_permissions", {"space_id": "DEMO", "limit": 10})
    assert first["structuredContent"]["next_cursor"] == "10"
    rest = await server_tool("confluence_get_space_permissions", {"space_id": "DEMO", "limit": 10, "cursor": "10"})
    rows = first["structuredContent"]["permissions"] + rest["structuredContent"]["permissions"]
    assert len(rows) == len(people_of(server.state).space_grants("DEMO"))
    cara = {"principal_type": "user", "principal": "Cara Writer", "operation": "export", "target": "space"}
    assert {"id": None, "principal_name": "Cara Writer", **cara} in rows

    missing = await server_tool("confluence_get_space_permissions", {"space_id": "NOPE"})
    assert missing["isError"] and "404" in missing["text"] and "No space with key" in missing["text"]
    before = len(server.requests)
    numeric = await server_tool("confluence_get_space_permissions", {"space_id": "65601"})
    assert numeric["isError"] and "give the space key" in numeric["text"]
    assert len(server.requests) == before


async def test_space_permissions_on_an_older_server(server: FakeConfluence, server_tool: Call) -> None:
    body = v1_error_body(404, "null for uri: http://confluence.example.com/rest/api/space/DEMO/permissions")
    server.add_fault(Fault(404, body, path_contains="/space/DEMO/permissions"))
    r = await server_tool("confluence_get_space_permissions", {"space_id": "DEMO"})
    assert r["isError"] and "no REST API for space permissions" in r["text"], r["text"]
    assert server.last_request("GET", "/rest/api/space/DEMO/permissions").status == 404
