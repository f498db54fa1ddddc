"""Moving, copying and deleting pages and their restrictions, against the fake Confluence, both deployments:
what arrived upstream and what came back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.confluence._data import user_key
from passthrough.sandbox.fakes.confluence._errors import v1_error_body
from passthrough.sandbox.fakes.confluence._structure_state import structure_of
from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.e2e._confluence import CARA, DAN, env_for, headers_for
from tests.fakes import FakeConfluence, Fault

WRITES = {
    "confluence_delete_page": {"page_id": "98316"},
    "confluence_set_page_restrictions": {"page_id": "98307", "read_groups": ["engineering"]},
    "confluence_move_page": {"page_id": "98312", "target_parent_id": "98306"},
    "confluence_copy_page": {"source_page_id": "98307", "destination_space_key": "ENG", "new_title": "Copy"},
}

Call = Any


@pytest.fixture(params=["server", "cloud"])
async def conf(request: pytest.FixtureRequest) -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence(request.param, [CARA, DAN])
    async with fake.serve():
        yield fake


@pytest.fixture
async def tool(conf: FakeConfluence) -> AsyncIterator[Call]:
    async with serve(make_settings(env_for(conf))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, headers_for(CARA, conf.deployment))


def writes(conf: FakeConfluence) -> list[str]:
    return [f"{r.method} {r.path}" for r in conf.requests if r.method != "GET"]


# ---------------------------------------------------------------------- move


async def test_move_under_another_parent(conf: FakeConfluence, tool: Call) -> None:
    body = conf.pages["98312"]["body"]
    r = await tool("confluence_move_page", {"page_id": 98312, "target_parent_id": "98306"})
    assert not r["isError"], r["text"]
    assert conf.pages["98312"]["parent_id"] == "98306" and conf.pages["98312"]["body"] == body
    if conf.deployment == "cloud":
        sent = conf.last_request("PUT", "/move/")
        assert sent.path == "/wiki/rest/api/content/98312/move/append/98306" and sent.identity == "cara"
        assert conf.pages["98312"]["version"] == 1
    else:
        sent = conf.last_request("PUT", "/rest/api/content/98312")
        assert sent.json["ancestors"] == [{"id": "98306"}] and sent.json["version"]["number"] == 2
        assert sent.json["body"]["storage"]["value"] == body and sent.json["title"] == "Data model"
        assert conf.updates[-1].accepted and conf.pages["98312"]["version"] == 2
    assert "it was under page 98310 in DEMO, it is now under page 98306 in DEMO" in r["text"]
    sc = r["structuredContent"]
    assert sc["moved"] and sc["previous_parent_id"] == "98310" and sc["parent_id"] == "98306"
    assert sc["version"] == conf.pages["98312"]["version"] and sc["url"] and sc["url"] in r["text"]
    again = await tool("confluence_move_page", {"page_id": "98312", "target_parent_id": "98306"})
    assert not again["isError"] and "already under page 98306" in again["text"]
    assert again["structuredContent"]["moved"] is False and len(writes(conf)) == 1


async def test_move_refuses_a_page_changed_since_it_was_read(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_move_page", {"page_id": "98310", "target_parent_id": "98313", "version": 4})
    assert r["isError"] and "at version 5, not the version 4 you read" in r["text"]
    assert not writes(conf) and conf.pages["98310"]["parent_id"] == "98305"
    ok = await tool("confluence_move_page", {"page_id": "98310", "target_parent_id": "98313", "version": 5})
    assert not ok["isError"], ok["text"]
    assert conf.pages["98310"]["parent_id"] == "98313"


async def test_server_move_keeps_a_page_changed_meanwhile(conf: FakeConfluence, tool: Call) -> None:
    if conf.deployment == "cloud":
        pytest.skip("Cloud's move endpoint writes no content, so it takes no version")
    stale = v1_error_body(409, "Version must be incremented on update. Current version is: 2")
    conf.faults.append(Fault(409, stale, method="PUT", path_contains="/rest/api/content/98312"))
    r = await tool("confluence_move_page", {"page_id": "98312", "target_parent_id": "98306"})
    assert r["isError"] and "changed after it was read (it was version 1); it was not moved" in r["text"]
    assert conf.pages["98312"]["parent_id"] == "98310"


async def test_move_next_to_a_sibling(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_move_page", {"page_id": "98316", "target_parent_id": "98306", "position": "above"})
    if conf.deployment == "server":
        assert r["isError"] and "only under a new parent (position append)" in r["text"]
        assert not conf.requests, "nothing may be attempted on Server"
        return
    assert not r["isError"], r["text"]
    assert conf.last_request("PUT", "/move/").path.endswith("/content/98316/move/before/98306")
    assert [p["id"] for p in conf.state.children("98305")][:2] == ["98316", "98306"]
    assert "before page 98306" in r["text"] and r["structuredContent"]["position"] == "before"
    after = await tool("confluence_move_page", {"page_id": "98316", "target_parent_id": "98313", "position": "after"})
    assert not after["isError"], after["text"]
    assert conf.pages["98316"]["parent_id"] == "98305"  # 98313's parent
    order = [p["id"] for p in conf.state.children("98305")]
    assert order.index("98316") == order.index("98313") + 1


async def test_move_to_another_space(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_move_page", {"page_id": "98318", "target_space_key": "DEMO"})
    if conf.deployment == "server":
        assert r["isError"] and "only within its space (ENG)" in r["text"]
        assert not writes(conf) and conf.pages["98318"]["space_key"] == "ENG"
        return
    assert not r["isError"], r["text"]
    assert [q.query["keys"] for q in conf.requests if q.path.endswith("/api/v2/spaces")] == ["DEMO"]
    assert conf.last_request("PUT", "/move/").path.endswith("/content/98318/move/append/98305")
    assert conf.pages["98318"]["space_key"] == "DEMO" and conf.pages["98318"]["parent_id"] == "98305"
    sc = r["structuredContent"]
    assert sc["space_key"] == "DEMO" and sc["previous_space_key"] == "ENG"
    assert "it was under page 98317 in ENG, it is now under page 98305 in DEMO" in r["text"]


async def test_move_refusals_send_nothing(conf: FakeConfluence, tool: Call) -> None:
    nowhere = await tool("confluence_move_page", {"page_id": "98312"})
    assert nowhere["isError"] and "target_parent_id" in nowhere["text"]
    sideways = await tool("confluence_move_page", {"page_id": "98312", "target_parent_id": "1", "position": "up"})
    assert sideways["isError"] and "position" in sideways["text"]
    bad_id = await tool("confluence_move_page", {"page_id": "98312/../1", "target_parent_id": "98306"})
    assert bad_id["isError"] and "page_id" in bad_id["text"]
    no_sibling = await tool(
        "confluence_move_page", {"page_id": "98312", "target_space_key": "DEMO", "position": "after"}
    )
    assert no_sibling["isError"] and "give it" in no_sibling["text"]
    assert not conf.requests
    other_space = await tool(
        "confluence_move_page", {"page_id": "98312", "target_parent_id": "98317", "target_space_key": "DEMO"}
    )
    assert other_space["isError"] and "Page 98317 is in space ENG, not DEMO" in other_space["text"]
    itself = await tool("confluence_move_page", {"page_id": "98312", "target_parent_id": "98312"})
    assert itself["isError"] and "itself" in itself["text"]
    missing = await tool("confluence_move_page", {"page_id": "1", "target_parent_id": "98306"})
    assert missing["isError"] and "404" in missing["text"]
    assert not writes(conf)


# ---------------------------------------------------------------------- copy


async def test_copy_page_under_a_parent(conf: FakeConfluence, tool: Call) -> None:
    args = {
        "source_page_id": "98307",
        "destination_space_key": "ENG",
        "new_title": "Installation guide (ENG)",
        "destination_parent_id": 98317,
    }
    r = await tool("confluence_copy_page", args)
    assert not r["isError"], r["text"]
    sc = r["structuredContent"]
    new = conf.pages[sc["id"]]
    assert new["title"] == "Installation guide (ENG)" and new["space_key"] == "ENG" and new["parent_id"] == "98317"
    assert new["body"] == conf.pages["98307"]["body"]
    if conf.deployment == "cloud":
        sent = conf.last_request("POST", "/copy").json
        assert sent["destination"] == {"type": "parent_page", "value": "98317"}
        assert sent["pageTitle"] == "Installation guide (ENG)" and sent["copyAttachments"] is True
        assert structure_of(conf.state).copies[-1].copy_attachments and sc["attachments_copied"]
        assert "with its attachments" in r["text"]
    else:
        sent = conf.last_request("POST", "/rest/api/content").json
        assert sent["ancestors"] == [{"id": "98317"}] and sent["space"] == {"key": "ENG"}
        assert sent["body"]["storage"]["value"] == conf.pages["98307"]["body"]
        assert "Server/Data Center has no copy API" in r["text"] and sc["attachments_copied"] is False
    assert f"to new page {sc['id']} 'Installation guide (ENG)' in ENG" in r["text"]
    assert sc["url"] and f"URL: {sc['url']}" in r["text"] and sc["source_page_id"] == "98307"


async def test_copy_page_to_a_space(conf: FakeConfluence, tool: Call) -> None:
    args = {
        "source_page_id": "98318",
        "destination_space_key": "DEMO",
        "new_title": "Standards",
        "copy_attachments": False,
    }
    r = await tool("confluence_copy_page", args)
    assert not r["isError"], r["text"]
    new = conf.pages[r["structuredContent"]["id"]]
    assert new["space_key"] == "DEMO" and new["title"] == "Standards"
    if conf.deployment == "cloud":
        sent = conf.last_request("POST", "/copy").json
        assert sent["destination"] == {"type": "space", "value": "DEMO"} and sent["copyAttachments"] is False
        assert "without its attachments" in r["text"]
    same = await tool("confluence_copy_page", args)
    assert same["isError"] and "already exists" in same["text"]


async def test_copy_refusals(conf: FakeConfluence, tool: Call) -> None:
    wrong = {
        "source_page_id": "98307",
        "destination_space_key": "DEMO",
        "new_title": "X",
        "destination_parent_id": "98317",
    }
    r = await tool("confluence_copy_page", wrong)
    assert r["isError"] and "Page 98317 is in space ENG, not DEMO" in r["text"]
    untitled = await tool("confluence_copy_page", {"source_page_id": "98307", "destination_space_key": "DEMO"})
    assert untitled["isError"] and "new_title" in untitled["text"]
    missing = await tool(
        "confluence_copy_page", {"source_page_id": "1", "destination_space_key": "DEMO", "new_title": "X"}
    )
    assert missing["isError"] and "404" in missing["text"]
    assert not writes(conf) if conf.deployment == "server" else all("/copy" in w for w in writes(conf))
    assert len(conf.pages) == 15


# ---------------------------------------------------------------------- delete


async def test_delete_page_says_what_it_deleted(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_delete_page", {"page_id": "98314"})
    assert not r["isError"], r["text"]
    path = "/wiki/api/v2/pages/98314" if conf.deployment == "cloud" else "/rest/api/content/98314"
    assert conf.last_request("DELETE", path).identity == "cara" and writes(conf) == [f"DELETE {path}"]
    assert "Deleted page 98314 'Release checklist' (version 4) from DEMO" in r["text"]
    sc = r["structuredContent"]
    assert sc == {
        "id": "98314",
        "title": "Release checklist",
        "version": 4,
        "space_key": "DEMO",
        "parent_id": "98313",
        "deleted": True,
    }
    assert "98314" in conf.trash and "98314" not in conf.pages
    again = await tool("confluence_delete_page", {"page_id": "98314"})
    assert again["isError"] and "404" in again["text"] and len(writes(conf)) == 1


async def test_delete_refuses_a_changed_page(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_delete_page", {"page_id": "98310", "version": 1})
    assert r["isError"] and "at version 5, not the version 1" in r["text"]
    assert not writes(conf) and "98310" in conf.pages


# ---------------------------------------------------------------------- restrictions


async def test_get_page_restrictions(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_page_restrictions", {"page_id": "98319"})
    assert not r["isError"], r["text"]
    sent = conf.last_request("GET", "/restriction/byOperation")
    assert sent.path.endswith("/rest/api/content/98319/restriction/byOperation")
    assert sent.query["expand"] == "restrictions.user,restrictions.group"
    sc = r["structuredContent"]
    ident = "acc-cara" if conf.deployment == "cloud" else "cara"
    assert [u["id"] for u in sc["read"]["users"]] == [ident] and sc["read"]["groups"] == ["confluence-administrators"]
    assert [u["display_name"] for u in sc["update"]["users"]] == ["Cara Writer"] and sc["update"]["groups"] == []
    assert sc["restricted"] is True
    assert f"- View (read): Cara Writer ({ident}); group confluence-administrators" in r["text"]
    free = await tool("confluence_get_page_restrictions", {"page_id": "98307"})
    assert free["structuredContent"]["restricted"] is False
    assert "- View (read): not restricted" in free["text"] and "- Edit (update): not restricted" in free["text"]
    missing = await tool("confluence_get_page_restrictions", {"page_id": "1"})
    assert missing["isError"] and "404" in missing["text"]


async def test_set_page_restrictions_replaces_them(conf: FakeConfluence, tool: Call) -> None:
    cloud = conf.deployment == "cloud"
    args: dict[str, Any] = {
        "page_id": "98307",
        "read_users": ["acc-dan", "Cara Writer"] if cloud else ["dan", user_key(CARA)],
        "read_groups": ["engineering"],
        "edit_users": ["cara@example.com"] if cloud else ["cara"],
    }
    r = await tool("confluence_set_page_restrictions", args)
    assert not r["isError"], r["text"]
    sent = conf.last_request("PUT", "/rest/api/content/98307/restriction").json
    if cloud:
        dan, cara = {"type": "known", "accountId": "acc-dan"}, {"type": "known", "accountId": "acc-cara"}
        searched = [q.query["cql"] for q in conf.requests if q.path.endswith("/search/user")]
        assert searched == ['user.fullname ~ "Cara Writer"', 'user.fullname ~ "cara@example.com"']
    else:
        dan, cara = {"type": "known", "username": "dan"}, {"type": "known", "userKey": user_key(CARA)}
    edit_cara = cara if cloud else {"type": "known", "username": "cara"}
    assert sent == [
        {
            "operation": "read",
            "restrictions": {"user": [dan, cara], "group": [{"type": "group", "name": "engineering"}]},
        },
        {"operation": "update", "restrictions": {"user": [edit_cara]}},
    ]
    assert structure_of(conf.state).of("98307") == {
        "read": {"users": ["dan", "cara"], "groups": ["engineering"]},
        "update": {"users": ["cara"], "groups": []},
    }
    assert "Set restrictions on page 98307 'Installation guide' (version 2):" in r["text"]
    assert "- View (read): Dan Reader" in r["text"] and "group engineering" in r["text"]
    sc = r["structuredContent"]
    assert sc["version"] == 2 and [u["display_name"] for u in sc["update"]["users"]] == ["Cara Writer"]
    assert conf.pages["98307"]["version"] == 2, "restrictions leave the page's version as it was"
    cleared = await tool("confluence_set_page_restrictions", {"page_id": "98319"})
    assert not cleared["isError"], cleared["text"]
    assert conf.last_request("PUT", "/content/98319/restriction").json == []
    assert cleared["structuredContent"]["read"] == {"users": [], "groups": []}


async def test_set_page_restrictions_refusals_send_nothing(conf: FakeConfluence, tool: Call) -> None:
    changed = await tool("confluence_set_page_restrictions", {"page_id": "98307", "read_groups": ["x"], "version": 1})
    assert changed["isError"] and "at version 2, not the version 1 you read" in changed["text"]
    assert conf.requests[-1].method == "GET" and not writes(conf)
    many = await tool("confluence_set_page_restrictions", {"page_id": "98307", "read_groups": ["g"] * 101})
    assert many["isError"] and "read_groups" in many["text"]
    stranger = await tool(
        "confluence_set_page_restrictions", {"page_id": "98307", "read_users": ["nobody@example.com"]}
    )
    if conf.deployment == "cloud":
        assert (
            stranger["isError"]
            and "No Confluence user has the email or full name 'nobody@example.com'" in (stranger["text"])
        )
    else:
        assert stranger["isError"] and "username or user key, not by email" in stranger["text"]
    unknown_group = await tool("confluence_set_page_restrictions", {"page_id": "98307", "edit_groups": ["nope"]})
    assert unknown_group["isError"] and "No group found with name: nope" in unknown_group["text"]
    assert structure_of(conf.state).of("98307")["update"]["groups"] == []
    assert [w for w in writes(conf)] == [f"PUT {conf.context_path}/rest/api/content/98307/restriction"]


async def test_server_without_the_restriction_api_says_so(conf: FakeConfluence, tool: Call) -> None:
    if conf.deployment == "cloud":
        pytest.skip("Cloud always has PUT /rest/api/content/{id}/restriction")
    gone = v1_error_body(404, "null for uri: http://confluence/rest/api/content/98307/restriction")
    conf.faults.append(Fault(404, gone, method="PUT", path_contains="/restriction"))
    r = await tool("confluence_set_page_restrictions", {"page_id": "98307", "read_groups": ["engineering"]})
    assert r["isError"] and "has no REST API to set page restrictions" in r["text"]
    assert structure_of(conf.state).of("98307")["read"]["groups"] == []


# ---------------------------------------------------------------------- read-only, annotations


async def test_read_only_withholds_the_writes_and_sends_nothing(conf: FakeConfluence) -> None:
    env = env_for(conf, PASSTHROUGH_READ_ONLY="true")
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "confluence_get_page_restrictions" in names and names.isdisjoint(WRITES)
        for rid, (name, args) in enumerate(WRITES.items(), start=2):
            body = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}
            r = (await http.post("/mcp", json=body, headers=headers_for(CARA, conf.deployment))).json()
            assert "read-only" in r["error"]["message"], name
    assert not conf.requests, "nothing reaches Confluence"
    assert "98316" in conf.pages and structure_of(conf.state).of("98307")["read"]["groups"] == []


async def test_annotations(conf: FakeConfluence) -> None:
    async with serve(make_settings(env_for(conf))) as url, httpx.AsyncClient(base_url=url) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    tools = {t["name"]: t for t in listed["result"]["tools"]}
    hints = {name: tools[name]["annotations"] for name in (*WRITES, "confluence_get_page_restrictions")}
    for name in ("confluence_delete_page", "confluence_set_page_restrictions", "confluence_move_page"):
        assert hints[name]["destructiveHint"] is True and hints[name]["readOnlyHint"] is False, name
    assert hints["confluence_get_page_restrictions"]["readOnlyHint"] is True
    copy = hints["confluence_copy_page"]
    # a copy makes a new page and changes none: not destructive (the peer marks it so), never idempotent
    assert copy["readOnlyHint"] is False and copy["destructiveHint"] is False and copy["idempotentHint"] is False
    schema = tools["confluence_copy_page"]["inputSchema"]
    assert schema["required"] == ["source_page_id", "destination_space_key", "new_title"]
    assert tools["confluence_move_page"]["inputSchema"]["required"] == ["page_id"]
