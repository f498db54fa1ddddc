"""The leading peer's arguments of the ten first Confluence tools, both deployments: what reached the fake
Confluence and what came back (spaces_filter, the page's metadata and storage, children with folders, start and
bodies, one label as name, content formats, emoji and width properties, minor edits, moves, live docs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.confluence._properties_state import properties_of
from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.e2e._confluence import CARA, env_for, headers_for
from tests.fakes import FakeConfluence

Call = Any


@pytest.fixture(params=["server", "cloud"])
async def conf(request: pytest.FixtureRequest) -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence(request.param, [CARA])
    async with fake.serve():
        yield fake


@pytest.fixture
async def tool(conf: FakeConfluence) -> AsyncIterator[Call]:
    async with serve(make_settings(env_for(conf))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, headers_for(CARA, conf.deployment))


def sent(conf: FakeConfluence, method: str, part: str) -> int:
    return len([r for r in conf.requests if r.method == method and part in r.path])


# ---------------------------------------------------------------------- reading


async def test_search_spaces_filter_is_anded_and_checked(conf: FakeConfluence, tool: Call) -> None:
    r = await tool(
        "confluence_search", {"query": "type = page ORDER BY title", "spaces_filter": "ENG, ENG", "limit": 50}
    )
    assert not r["isError"], r["text"]
    cql = conf.last_request("GET", "/rest/api/search").query["cql"]
    assert cql == '(type = page) AND space in ("ENG") ORDER BY title'
    titles = [x["title"] for x in r["structuredContent"]["results"]]
    assert titles == ["Coding standards", "Engineering Home", "Incident postmortem: API outage"]
    plain = await tool("confluence_search", {"query": "postmortem order by", "spaces_filter": "DEMO,ENG"})
    assert not plain["isError"], plain["text"]
    field = "siteSearch" if conf.deployment == "cloud" else "text"
    assert plain["structuredContent"]["cql"] == f'({field} ~ "postmortem order by") AND space in ("DEMO","ENG")'
    before = len(conf.requests)
    bad = await tool("confluence_search", {"query": "x", "spaces_filter": 'ENG") OR (space = "X'})
    assert bad["isError"] and "not a space key" in bad["text"]
    assert len(conf.requests) == before, "a bad space key must not reach Confluence"


async def test_get_page_without_metadata_and_as_storage(conf: FakeConfluence, tool: Call) -> None:
    bare = await tool("confluence_get_page", {"page_id": "98318", "include_metadata": False})
    assert not bare["isError"], bare["text"]
    assert "Version:" not in bare["text"] and "def greet" in bare["text"]
    assert set(bare["structuredContent"]) == {"id", "body", "body_format"}
    raw = await tool("confluence_get_page", {"page_id": "98318", "convert_to_markdown": False})
    assert not raw["isError"], raw["text"]
    sc = raw["structuredContent"]
    assert sc["body_format"] == "storage" and sc["body"] == conf.pages["98318"]["body"]
    assert '<ac:structured-macro ac:name="code"' in raw["text"] and "Version: 2" in raw["text"]


async def test_children_take_parent_id_expand_start_and_bodies(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_page_children", {"parent_id": "98305"})
    assert not r["isError"], r["text"]
    rows = r["structuredContent"]["children"]
    pages = ["Getting started", "Architecture overview", "Team processes", "Meeting notes 2026-01-12"]
    if conf.deployment == "cloud":
        assert conf.last_request("GET", "/api/v2/pages/98305/direct-children").identity == "cara"
        assert [c["title"] for c in rows] == [pages[0], "Archive", *pages[1:]]
        assert rows[1] == {"id": "98401", "title": "Archive", "type": "folder"}
        assert "- Archive (folder 98401)" in r["text"]
        no_folders = await tool("confluence_get_page_children", {"parent_id": "98305", "include_folders": False})
        assert conf.last_request("GET", "/api/v2/pages/98305/children").query["limit"] == "25"
        assert [c["title"] for c in no_folders["structuredContent"]["children"]] == pages
    else:
        assert conf.last_request("GET", "/content/98305/child/page").query["expand"] == "version"
        assert [c["title"] for c in rows] == pages and rows[0]["version"] == 1
        assert "(page 98306, version 1)" in r["text"]
    shown = [c["title"] for c in rows]
    skipped = await tool("confluence_get_page_children", {"parent_id": "98305", "start": 1, "limit": 2})
    assert not skipped["isError"], skipped["text"]
    assert [c["title"] for c in skipped["structuredContent"]["children"]] == shown[1:3]
    if conf.deployment == "server":
        assert conf.last_request("GET", "/content/98305/child/page").query["start"] == "1"
        assert skipped["structuredContent"]["next_cursor"] == "3"
    else:
        assert skipped["structuredContent"]["next_start"] == 3 and "start=3" in skipped["text"]
        assert conf.last_request("GET", "/98305/direct-children").query["limit"] == "250"
    with_bodies = await tool(
        "confluence_get_page_children", {"parent_id": "98306", "include_content": True, "expand": "version,history"}
    )
    assert not with_bodies["isError"], with_bodies["text"]
    kids = with_bodies["structuredContent"]["children"]
    assert [k["title"] for k in kids] == ["Installation guide", "Configuration reference"]
    assert kids[0]["version"] == 2 and kids[0]["body"].strip() and "## Installation guide" in with_bodies["text"]
    if conf.deployment == "cloud":
        assert conf.last_request("GET", "/api/v2/pages/98307").query["body-format"] == "storage"
    else:
        expand = conf.last_request("GET", "/content/98306/child/page").query["expand"]
        assert expand == "version,history,body.storage"
    raw = await tool(
        "confluence_get_page_children", {"page_id": "98306", "include_content": True, "convert_to_markdown": False}
    )
    assert raw["structuredContent"]["children"][0]["body"] == conf.pages["98307"]["body"]
    before = len(conf.requests)
    both = await tool("confluence_get_page_children", {"parent_id": "98305", "start": 1, "cursor": "2"})
    assert both["isError"] and "not both" in both["text"]
    bad = await tool("confluence_get_page_children", {"parent_id": "98305", "expand": "version&x=1"})
    assert bad["isError"]
    if conf.deployment == "cloud":
        far = await tool("confluence_get_page_children", {"parent_id": "98305", "start": 5000})
        assert far["isError"] and "cursor" in far["text"] and "2500" in far["text"]
    assert len(conf.requests) == before, "refused arguments must not reach Confluence"
    missing = await tool("confluence_get_page_children", {"parent_id": "4242"})
    assert missing["isError"] and "404" in missing["text"]


async def test_labels_take_one_name_under_the_peers_tool_name(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_add_label", {"page_id": "98312", "name": "db"})
    assert not r["isError"], r["text"]
    assert conf.last_request("POST", "/rest/api/content/98312/label").json == [{"prefix": "global", "name": "db"}]
    assert r["structuredContent"]["all_labels"] == ["db"] and conf.pages["98312"]["labels"] == ["db"]
    listed = await tool("confluence_add_labels", {"page_id": "98312", "labels": ["model"]})
    assert listed["structuredContent"]["all_labels"] == ["db", "model"] and "db, model" in listed["text"]
    got = await tool("confluence_get_labels", {"page_id": "98312"})
    assert got["structuredContent"]["labels"] == ["db", "model"]
    before = len(conf.requests)
    both = await tool("confluence_add_label", {"page_id": "98312", "name": "x", "labels": ["y"]})
    assert both["isError"] and "not both" in both["text"]
    spaced = await tool("confluence_add_label", {"page_id": "98312", "name": "two words"})
    assert spaced["isError"]
    assert len(conf.requests) == before
    attachment = await tool("confluence_get_labels", {"page_id": "att4242"})
    assert attachment["isError"] and "404" in attachment["text"]
    assert conf.last_request("GET", "/rest/api/content/att4242/label").identity == "cara"


# ---------------------------------------------------------------------- creating


async def test_create_page_formats(conf: FakeConfluence, tool: Call) -> None:
    wiki = await tool(
        "confluence_create_page",
        {
            "space_key": "ENG",
            "title": "From wiki",
            "content": "h1. Plan\n\n* *one*\n* two",
            "content_format": "wiki",
            "include_content": True,
            "table_layout": "wide",
        },
    )
    assert not wiki["isError"], wiki["text"]
    assert conf.last_request("POST", "/rest/api/contentbody/convert/storage").json == {
        "value": "h1. Plan\n\n* *one*\n* two",
        "representation": "wiki",
    }
    stored = conf.pages[wiki["structuredContent"]["id"]]["body"]
    assert stored == "<h1>Plan</h1><ul><li><strong>one</strong></li><li>two</li></ul>"
    assert "# Plan" in wiki["structuredContent"]["content"] and "**one**" in wiki["text"]
    assert "apply to Markdown content only" in wiki["text"]
    xhtml = '<p>Kept &nbsp;as <ac:emoticon ac:name="smile" /> is</p>'
    storage = await tool(
        "confluence_create_page", {"space_key": "ENG", "title": "Raw", "content": xhtml, "content_format": "storage"}
    )
    assert not storage["isError"], storage["text"]
    assert conf.pages[storage["structuredContent"]["id"]]["body"] == xhtml
    assert "content" not in storage["structuredContent"], "include_content is off by default"
    empty = await tool("confluence_create_page", {"space_key": "ENG", "title": "Empty", "content": ""})
    assert not empty["isError"], empty["text"]
    assert conf.pages[empty["structuredContent"]["id"]]["body"] == ""
    before = len(conf.requests)
    broken = await tool(
        "confluence_create_page",
        {"space_key": "ENG", "title": "Broken", "content": "<p><strong>x</p>", "content_format": "xhtml"},
    )
    assert broken["isError"] and "not well-formed" in broken["text"] and "nothing was sent" in broken["text"]
    from_file = await tool("confluence_create_page", {"space_key": "ENG", "title": "F", "content_file": "/etc/passwd"})
    assert from_file["isError"] and "content_file names a file on the server" in from_file["text"]
    unknown = await tool("confluence_create_page", {"space_key": "ENG", "title": "U", "content_format": "html"})
    assert unknown["isError"]
    nothing = await tool("confluence_create_page", {"space_key": "ENG", "title": "N"})
    assert nothing["isError"] and "body" in nothing["text"]
    assert len(conf.requests) == before, "refused arguments must not reach Confluence"


async def test_create_page_markdown_options_and_appearance(conf: FakeConfluence, tool: Call) -> None:
    md = "# Getting Started!\n\nSee [below](#next-step).\n\n## Next step\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    md += "\n```html\n<table><h1>x</h1>\n```\n"
    r = await tool(
        "confluence_create_page",
        {
            "space_key": "DEMO",
            "title": "Shaped",
            "content": md,
            "parent_id": "98313",
            "enable_heading_anchors": True,
            "table_layout": "full-width",
            "emoji": "📝",
            "page_width": "full-width",
        },
    )
    assert not r["isError"], r["text"]
    page_id = r["structuredContent"]["id"]
    body = conf.pages[page_id]["body"]
    assert '<table data-table-width="1800" data-layout="full-width">' in body
    assert '<ac:parameter ac:name="">getting-started</ac:parameter></ac:structured-macro>Getting Started!</h1>' in body
    assert '<ac:link ac:anchor="next-step"><ac:link-body>below</ac:link-body></ac:link>' in body
    assert "<![CDATA[<table><h1>x</h1>" in body, "code bodies stay as written"
    props = properties_of(conf.state)
    assert props.value(page_id, "emoji-title-published") == props.value(page_id, "emoji-title-draft") == "1f4dd"
    assert props.value(page_id, "content-appearance-published") == "full-width"
    assert props.value(page_id, "content-appearance-draft") == "full-width"
    if conf.deployment == "cloud":
        made = conf.last_request("POST", f"/api/v2/pages/{page_id}/properties").json
        assert made == {"key": "content-appearance-draft", "value": "full-width"}
    else:
        made = conf.last_request("POST", f"/rest/api/content/{page_id}/property").json
        assert made == {"key": "content-appearance-draft", "value": "full-width"}


async def test_create_live_doc(conf: FakeConfluence, tool: Call) -> None:
    before = len(conf.requests)
    r = await tool("confluence_create_page", {"space_key": "ENG", "title": "Live", "content": "hi", "subtype": "live"})
    if conf.deployment == "server":
        assert r["isError"] and "Cloud only" in r["text"] and "nothing was created" in r["text"]
        assert len(conf.requests) == before
        return
    assert not r["isError"], r["text"]
    assert conf.last_request("POST", "/api/v2/pages").json["subtype"] == "live"
    assert r["structuredContent"]["subtype"] == "live" and conf.pages[r["structuredContent"]["id"]]["subtype"] == "live"


# ---------------------------------------------------------------------- updating


async def test_update_page_minor_edit_comment_and_move(conf: FakeConfluence, tool: Call) -> None:
    r = await tool(
        "confluence_update_page",
        {
            "page_id": "98312",
            "title": "Data model",
            "content": "New *model*",
            "is_minor_edit": True,
            "version_comment": "typo fixes",
            "parent_id": "98313",
            "include_content": True,
        },
    )
    assert not r["isError"], r["text"]
    if conf.deployment == "cloud":
        put = conf.last_request("PUT", "/api/v2/pages/98312").json
        assert put["parentId"] == "98313"
    else:
        put = conf.last_request("PUT", "/rest/api/content/98312").json
        assert put["ancestors"] == [{"id": "98313"}]
    assert put["version"] == {"number": 2, "minorEdit": True, "message": "typo fixes"}
    page = conf.pages["98312"]
    assert page["parent_id"] == "98313" and page["version"] == 2 and page["version_message"] == "typo fixes"
    assert page["minor_edit_version"] == 2 and "<em>model</em>" in page["body"]
    sc = r["structuredContent"]
    assert sc["parent_id"] == "98313" and sc["minor_edit"] is True and sc["content"].strip() == "New *model*"
    assert "now under page 98313" in r["text"]
    again = await tool("confluence_update_page", {"page_id": "98312", "body": "Plain"})
    assert not again["isError"], again["text"]
    assert conf.pages["98312"]["minor_edit_version"] is None and conf.pages["98312"]["title"] == "Data model"
    assert "ancestors" not in (conf.last_request("PUT", "/98312").json or {})
    before = len([u for u in conf.updates])
    stale = await tool("confluence_update_page", {"page_id": "98312", "content": "old", "version": 2})
    assert stale["isError"] and "version 3" in stale["text"] and "nothing was overwritten" in stale["text"]
    assert len(conf.updates) == before
    looped = await tool("confluence_update_page", {"page_id": "98312", "content": "x", "parent_id": "98312"})
    assert looped["isError"] and "itself" in looped["text"]


async def test_update_page_emoji_and_width_versions(conf: FakeConfluence, tool: Call) -> None:
    props = properties_of(conf.state)
    first = await tool(
        "confluence_update_page", {"page_id": "98316", "content": "a", "emoji": "🚀", "page_width": "max"}
    )
    assert not first["isError"], first["text"]
    assert props.value("98316", "emoji-title-published") == "1f680"
    assert props.value("98316", "content-appearance-published") == "max"
    second = await tool("confluence_update_page", {"page_id": "98316", "content": "b", "emoji": "🇺🇸"})
    assert not second["isError"], second["text"]
    assert props.value("98316", "emoji-title-draft") == "1f1fa-1f1f8"
    assert props.get("98316", "emoji-title-draft").version == 2  # type: ignore[union-attr]
    if conf.deployment == "cloud":
        prop_id = props.get("98316", "emoji-title-draft").id  # type: ignore[union-attr]
        assert conf.last_request("PUT", f"/api/v2/pages/98316/properties/{prop_id}").json["version"] == {"number": 2}
    else:
        put = conf.last_request("PUT", "/rest/api/content/98316/property/emoji-title-draft").json
        assert put == {"key": "emoji-title-draft", "value": "1f1fa-1f1f8", "version": {"number": 2}}
    cleared = await tool("confluence_update_page", {"page_id": "98316", "content": "c", "emoji": "", "page_width": ""})
    assert not cleared["isError"], cleared["text"]
    assert props.of("98316") == {}
    assert sent(conf, "DELETE", "/98316/propert") == 4


# ---------------------------------------------------------------------- read-only


async def test_read_only_withholds_the_writes_and_their_peer_names(conf: FakeConfluence) -> None:
    writes = {
        "confluence_add_label": {"page_id": "98312", "name": "x"},
        "confluence_create_page": {"space_key": "ENG", "title": "T", "content": "x"},
        "confluence_update_page": {"page_id": "98312", "title": "T", "content": "x", "is_minor_edit": True},
    }
    settings = make_settings(env_for(conf, PASSTHROUGH_READ_ONLY="true"))
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = headers_for(CARA, conf.deployment)
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "confluence_get_page_children" in names and names.isdisjoint({*writes, "confluence_add_labels"})
        for rid, (name, args) in enumerate(writes.items(), start=2):
            body = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}
            answer = (await http.post("/mcp", json=body, headers=headers)).json()
            assert "read-only" in answer["error"]["message"], name
    assert not conf.requests, "nothing reaches Confluence"


async def test_listed_schemas_name_ours_and_accept_the_peers(conf: FakeConfluence) -> None:
    async with serve(make_settings(env_for(conf))) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    tools = {t["name"]: t["inputSchema"] for t in listed["result"]["tools"]}
    assert "confluence_add_label" not in tools and "confluence_add_labels" in tools
    assert tools["confluence_get_page_children"]["required"] == ["page_id"]
    assert {"start", "expand", "include_content", "convert_to_markdown", "include_folders"} <= set(
        tools["confluence_get_page_children"]["properties"]
    )
    create = tools["confluence_create_page"]
    assert set(create["required"]) == {"space_key", "title", "body"}, "body (or the peer's content) is required"
    assert {"content_format", "enable_heading_anchors", "include_content", "emoji", "page_width"} <= set(
        create["properties"]
    )
    assert {"table_layout", "subtype"} <= set(create["properties"]) and "content_file" not in create["properties"]
    update = tools["confluence_update_page"]
    assert {"is_minor_edit", "version_comment", "parent_id", "version"} <= set(update["properties"])
    assert {"include_metadata", "convert_to_markdown"} <= set(tools["confluence_get_page"]["properties"])
    assert "spaces_filter" in tools["confluence_search"]["properties"]
