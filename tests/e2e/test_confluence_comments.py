"""The Confluence comment tools (footer and inline threads, replies, anchors) against the fake, both deployments."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.tools.confluence._discussion import storage_text
from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.e2e._confluence import CARA, DAN, env_for, headers_for
from tests.fakes import FakeConfluence, Fault

WRITES = ("confluence_add_inline_comment", "confluence_reply_to_comment")

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


def posts(conf: FakeConfluence) -> list[Any]:
    return [r for r in conf.requests if r.method == "POST"]


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["id"] for row in rows]


async def test_footer_comments_come_as_threads(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_comments", {"page_id": "98307"})
    assert not r["isError"], r["text"]
    if conf.cloud:
        sent = conf.last_request("GET", "/wiki/api/v2/pages/98307/footer-comments")
        assert sent.query["body-format"] == "storage" and sent.query["limit"] == "25"
        assert conf.last_request("GET", "/api/v2/footer-comments/98320/children").identity == "cara"
        assert conf.last_request("GET", "/api/v2/footer-comments/98360/children").query["body-format"] == "storage"
    else:
        sent = conf.last_request("GET", "/rest/api/content/98307/child/comment")
        assert sent.query["depth"] == "all" and sent.query["location"] == "footer"
        assert {"body.storage", "history", "ancestors"} <= set(sent.query["expand"].split(","))
    assert sent.identity == "cara"
    sc = r["structuredContent"]
    roots = sc["comments"]
    assert ids(roots) == ["98320", "98321"] and sc["count"] == 4 and sc["next_cursor"] is None
    first = roots[0]
    assert "`brew install postgresql@17`" in first["body"] and first["parent_id"] is None
    assert ids(first["replies"]) == ["98360"] and ids(first["replies"][0]["replies"]) == ["98361"]
    assert first["replies"][0]["parent_id"] == "98320" and "Homebrew steps" in first["replies"][0]["body"]
    assert "**virtual environment**" in roots[1]["body"]
    assert first["author"] == "Cara Writer" and first["replies"][0]["author"] == "Cara Writer"
    assert roots[1]["author"] == "Dan Reader" and first["created"].startswith("2026-01-07T")
    if conf.cloud:
        assert first["author_id"] == "acc-cara" and roots[1]["author_id"] == "acc-dan"
        names = conf.last_request("POST", "/wiki/api/v2/users-bulk").json
        assert sorted(names["accountIds"]) == ["acc-cara", "acc-dan"], "one lookup for every author"
    else:
        assert first["author_id"] == "cara"
    assert "98362" not in r["text"], "inline comments are not footer comments"
    assert "Comment 98320 · Cara Writer · " in r["text"] and "  Reply 98360 to 98320 · Cara Writer" in r["text"]
    assert "    Reply 98361 to 98360" in r["text"] and "> Works on macOS too" in r["text"]


async def test_footer_comments_page_on(conf: FakeConfluence, tool: Call) -> None:
    limit = 1 if conf.cloud else 2  # Server/Data Center pages over comments, replies included
    first = await tool("confluence_get_comments", {"page_id": 98307, "limit": limit})
    assert not first["isError"], first["text"]
    cursor = first["structuredContent"]["next_cursor"]
    assert cursor and f'cursor="{cursor}"' in first["text"]
    assert ids(first["structuredContent"]["comments"]) == ["98320"]
    second = await tool("confluence_get_comments", {"page_id": "98307", "limit": limit, "cursor": cursor})
    assert not second["isError"], second["text"]
    rows = second["structuredContent"]["comments"]
    if conf.cloud:
        assert conf.last_request("GET", "/pages/98307/footer-comments").query["cursor"] == cursor
        assert ids(rows) == ["98321"]
    else:
        assert conf.last_request("GET", "/child/comment").query["start"] == "2"
        assert ids(rows) == ["98361", "98321"] and rows[0]["parent_id"] == "98360"
        assert "Reply 98361 to 98360" in second["text"]
    assert second["structuredContent"]["next_cursor"] is None


async def test_unknown_page_and_bad_ids(conf: FakeConfluence, tool: Call) -> None:
    missing = await tool("confluence_get_comments", {"page_id": "1"})
    assert missing["isError"] and "404" in missing["text"]
    empty = await tool("confluence_get_inline_comments", {"page_id": "98318"})
    assert not empty["isError"] and "has no inline comments" in empty["text"]
    before = len(conf.requests)
    for name, args in (
        ("confluence_get_comments", {"page_id": "../98307"}),
        ("confluence_get_inline_comments", {"page_id": "98307", "limit": 0}),
        ("confluence_get_comments", {"page_id": "98307", "cursor": "x" * 3000}),
        ("confluence_reply_to_comment", {"comment_id": "98320/../1", "body": "hi"}),
        ("confluence_reply_to_comment", {"comment_id": "98320", "body": ""}),
        ("confluence_add_inline_comment", {"page_id": "98307", "body": "x", "text_selection": ""}),
        ("confluence_add_inline_comment", {"page_id": "98307", "body": "x", "text_selection": "a", "file_path": "/x"}),
        ("confluence_add_inline_comment", {"page_id": "98307", "body": "x", "text_selection": "a", "bogus": 1}),
    ):
        r = await tool(name, args)
        assert r["isError"], (name, args)
    assert len(conf.requests) == before, "refused arguments send nothing upstream"


async def test_inline_comments_with_anchor_and_resolution(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_inline_comments", {"page_id": "98307"})
    assert not r["isError"], r["text"]
    if conf.cloud:
        assert conf.last_request("GET", "/wiki/api/v2/pages/98307/inline-comments").query["body-format"] == "storage"
        assert conf.last_request("GET", "/api/v2/inline-comments/98362/children").identity == "cara"
    else:
        sent = conf.last_request("GET", "/rest/api/content/98307/child/comment")
        assert sent.query["location"] == "inline" and sent.query["depth"] == "all"
        assert "extensions.inlineProperties" in sent.query["expand"]
    sc = r["structuredContent"]
    (thread,) = sc["comments"]
    assert thread["id"] == "98362" and thread["text_selection"] == "fresh virtual environment"
    assert thread["resolution"] == "open" and "`.venv`" in thread["body"]
    assert ids(thread["replies"]) == ["98363"] and "3.11 or newer" in thread["replies"][0]["body"]
    assert "Inline comment 98362 [open] on “fresh virtual environment” · Dan Reader" in r["text"]
    assert "Reply 98363 to 98362" in r["text"] and "98320" not in r["text"]

    resolved = await tool("confluence_get_inline_comments", {"page_id": "98310"})
    (row,) = resolved["structuredContent"]["comments"]
    assert row["id"] == "98364" and row["resolution"] == "resolved" and row["text_selection"] == "target"
    assert "[resolved] on “target”" in resolved["text"]


async def test_add_inline_comment_counts_the_text_first(conf: FakeConfluence, tool: Call) -> None:
    args = {
        "page_id": "98310",
        "body": "Which **gateway** product?",
        "text_selection": "gateway",
        "text_selection_match_index": 1,
        "text_selection_match_count": 1,
    }
    r = await tool("confluence_add_inline_comment", args)
    assert not r["isError"], r["text"]
    sc = r["structuredContent"]
    assert sc["text_selection_match_count"] == 2 and sc["text_selection_match_index"] == 1
    assert "occurrence 2 of 2 of “gateway”" in r["text"] and "not 1" in r["text"]
    if conf.cloud:
        sent = conf.last_request("POST", "/wiki/api/v2/inline-comments").json
        assert sent["pageId"] == "98310" and sent["body"]["representation"] == "storage"
        assert "<strong>gateway</strong>" in sent["body"]["value"]
        assert sent["inlineCommentProperties"] == {
            "textSelection": "gateway",
            "textSelectionMatchCount": 2,
            "textSelectionMatchIndex": 1,
        }
    else:
        sent = conf.last_request("POST", "/rest/api/content").json
        assert sent["type"] == "comment" and sent["container"] == {"id": "98310", "type": "page"}
        assert "<strong>gateway</strong>" in sent["body"]["storage"]["value"]
        props = sent["extensions"]["inlineProperties"]
        assert sent["extensions"]["location"] == "inline" and props["originalSelection"] == "gateway"
        assert props["numMatches"] == 2 and props["matchIndex"] == 1
        assert props["serializedHighlights"] == '[["gateway"]]'
        assert abs(int(props["lastFetchTime"]) - time.time() * 1000) < 60_000
    assert conf.last_request("POST", "/").identity == "cara"
    listed = await tool("confluence_get_inline_comments", {"page_id": "98310"})
    new = [row for row in listed["structuredContent"]["comments"] if row["id"] == sc["comment_id"]]
    assert new and new[0]["text_selection"] == "gateway" and new[0]["resolution"] == "open"
    assert "**gateway**" in new[0]["body"]

    before = len(posts(conf))
    absent = await tool("confluence_add_inline_comment", {**args, "text_selection": "load balancer"})
    assert absent["isError"] and "does not occur on page 98310" in absent["text"]
    past = await tool("confluence_add_inline_comment", {**args, "text_selection_match_index": 2})
    assert past["isError"] and "occurs 2 times" in past["text"] and "use 0 to 1" in past["text"]
    across = await tool("confluence_add_inline_comment", {**args, "text_selection": "Components API gateway"})
    assert across["isError"] and "within one paragraph" in across["text"]
    assert len(posts(conf)) == before, "a refused anchor sends nothing"
    assert conf.last_request("GET", "98310").identity == "cara", "the page was read to count the text"


async def test_inline_comment_refused_by_data_center_is_said(conf: FakeConfluence, tool: Call) -> None:
    if conf.cloud:
        pytest.skip("Server/Data Center's v1 inline comment")
    refused = {
        "statusCode": 400,
        "data": {"authorized": False, "valid": True, "errors": [], "successful": False},
        "message": "Could not create content with type comment",
        "reason": "Bad Request",
    }
    conf.add_fault(Fault(400, refused, method="POST", path_contains="/rest/api/content"))
    args = {"page_id": "98307", "body": "Why?", "text_selection": "fresh virtual environment"}
    r = await tool("confluence_add_inline_comment", args)
    assert r["isError"] and "Could not create content with type comment" in r["text"]
    assert "did not take the inline comment through its REST API" in r["text"]


async def test_reply_to_footer_and_inline_comments(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_reply_to_comment", {"comment_id": "98321", "body": "Thanks, *looks good*."})
    assert not r["isError"], r["text"]
    sc = r["structuredContent"]
    assert sc["parent_id"] == "98321" and sc["location"] == "footer" and sc["page_id"] == "98307"
    if conf.cloud:
        sent = conf.last_request("POST", "/wiki/api/v2/footer-comments").json
        assert sent["parentCommentId"] == "98321" and "pageId" not in sent
        assert "<em>looks good</em>" in sent["body"]["value"]
    else:
        assert conf.last_request("GET", "/rest/api/content/98321").query["expand"] == "container,extensions"
        sent = conf.last_request("POST", "/rest/api/content").json
        assert sent["ancestors"] == [{"id": "98321"}] and sent["container"] == {"id": "98307", "type": "page"}
        assert "<em>looks good</em>" in sent["body"]["storage"]["value"]
    assert f"reply {sc['comment_id']}" in r["text"]
    thread = await tool("confluence_get_comments", {"page_id": "98307"})
    second = thread["structuredContent"]["comments"][1]
    assert second["id"] == "98321" and ids(second["replies"]) == [sc["comment_id"]]
    assert "*looks good*" in second["replies"][0]["body"]

    inline = await tool("confluence_reply_to_comment", {"comment_id": 98362, "body": "Agreed."})
    assert not inline["isError"], inline["text"]
    assert inline["structuredContent"]["location"] == "inline" and "inline comment 98362" in inline["text"]
    if conf.cloud:
        assert conf.last_request("POST", "/wiki/api/v2/inline-comments").json["parentCommentId"] == "98362"
        assert conf.last_request("GET", "/api/v2/footer-comments/98362").status == 404
    else:
        assert conf.last_request("POST", "/rest/api/content").json["ancestors"] == [{"id": "98362"}]
    threads = await tool("confluence_get_inline_comments", {"page_id": "98307"})
    replies = threads["structuredContent"]["comments"][0]["replies"]
    assert ids(replies) == ["98363", inline["structuredContent"]["comment_id"]]


async def test_reply_to_what_is_not_a_comment(conf: FakeConfluence, tool: Call) -> None:
    before = len(posts(conf))
    unknown = await tool("confluence_reply_to_comment", {"comment_id": "999999", "body": "hello"})
    page = await tool("confluence_reply_to_comment", {"comment_id": "98307", "body": "hello"})
    assert unknown["isError"] and page["isError"]
    if conf.cloud:
        assert "No comment 999999 is visible" in unknown["text"] and "No comment 98307" in page["text"]
    else:
        assert "404" in unknown["text"] and "999999" in unknown["text"]
        assert "98307 is a page, not a comment" in page["text"]
    assert len(posts(conf)) == before, "nothing is written for a missing parent"


async def test_read_only_withholds_the_writes(conf: FakeConfluence) -> None:
    settings = make_settings(env_for(conf, PASSTHROUGH_READ_ONLY="true"))
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert {"confluence_get_comments", "confluence_get_inline_comments"} <= names
        assert names.isdisjoint(WRITES)
        calls = {
            "confluence_add_inline_comment": {"page_id": "98307", "body": "x", "text_selection": "fresh"},
            "confluence_reply_to_comment": {"comment_id": "98320", "body": "x"},
        }
        for rid, (name, args) in enumerate(calls.items(), start=2):
            body = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}
            answer = (await http.post("/mcp", json=body, headers=headers_for(CARA, conf.deployment))).json()
            assert "read-only" in answer["error"]["message"], name
    assert not conf.requests, "nothing reaches Confluence"


async def test_write_tools_are_listed_with_their_effect(tool: Call, conf: FakeConfluence) -> None:
    async with serve(make_settings(env_for(conf))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    tools = {t["name"]: t for t in listed["result"]["tools"]}
    for name in WRITES:
        hints = tools[name]["annotations"]
        assert hints["readOnlyHint"] is False and hints["destructiveHint"] is False, name
    schema = tools["confluence_add_inline_comment"]["inputSchema"]
    assert set(schema["required"]) == {"page_id", "body", "text_selection"}
    assert {"text_selection_match_count", "text_selection_match_index"} <= set(schema["properties"])
    assert tools["confluence_get_comments"]["annotations"]["readOnlyHint"] is True


def test_storage_text_is_what_a_reader_sees() -> None:
    body = (
        "<p>Run it in a <strong>fresh</strong> virtual&nbsp;environment &amp; go.</p>"
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="title">Shell gateway</ac:parameter>'
        "<ac:plain-text-body><![CDATA[make <all> gateway]]></ac:plain-text-body></ac:structured-macro>"
        "<ul><li>API</li><li>gateway</li></ul>"
    )
    text = storage_text(body)
    assert "Run it in a fresh virtual environment & go." in text.split("\n"), "entities decoded, spaces as one"
    assert "make <all> gateway" in text and "Shell" not in text and text.count("gateway") == 2
    assert "API gateway" not in text, "blocks do not run together"


def test_storage_text_is_linear_on_hostile_input() -> None:
    for hostile in ("<ac:parameter>" * 40_000, "<" * 400_000, "<![CDATA[" * 40_000, "&" * 400_000, "<p " * 100_000):
        started = time.perf_counter()
        storage_text(hostile)
        assert time.perf_counter() - started < 1.0, hostile[:20]


async def test_cloud_authors_stay_ids_when_names_are_refused(conf: FakeConfluence, tool: Call) -> None:
    if not conf.cloud:
        pytest.skip("Server/Data Center names authors in the comment itself")
    conf.add_fault(Fault(403, method="POST", path_contains="/users-bulk"))
    r = await tool("confluence_get_comments", {"page_id": "98307"})
    assert not r["isError"], r["text"]
    first = r["structuredContent"]["comments"][0]
    assert first["author"] is None and first["author_id"] == "acc-cara"
    assert "Comment 98320 · account acc-cara · " in r["text"]
