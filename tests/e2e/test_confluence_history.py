"""Page history, version diffs, section updates and the space page tree against the fake Confluence, both
deployments: what reached the upstream and what came back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.markup import markdown_to_storage
from passthrough.providers.confluence import _history as history_calls
from passthrough.tools.confluence import _history as history_tools
from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.e2e._confluence import CARA, DAN, env_for, headers_for
from tests.fakes import FakeConfluence, Fault

Call = Any

TOC = (
    '<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="a1">'
    '<ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>'
)
CODE = (
    '<ac:structured-macro ac:name="code" ac:schema-version="1">'
    '<ac:parameter ac:name="language">bash</ac:parameter>'
    "<ac:plain-text-body><![CDATA[<h2>Deploy</h2> is not a heading & stays <raw>]]></ac:plain-text-body>"
    "</ac:structured-macro>"
)
BEFORE = (
    "<h1>Runbook</h1>"
    + TOC
    + "\n<h2>Prepare</h2><table><tbody><tr><th>Step</th></tr><tr><td><ul><li>one<ul><li>nested &amp; "
    "deep</li></ul></li></ul></td></tr></tbody></table>\n"
    '<h2 id="deploy">  Deploy </h2>'
)
OLD_SECTION = (
    "<p>Old steps.</p>"
    '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body><p>old note</p>'
    "</ac:rich-text-body></ac:structured-macro><h3>Rollback</h3><p>old rollback</p>"
)
AFTER = "<h2>Verify</h2>" + CODE + "<p>Done &ndash; caf\u00e9.</p>"
RUNBOOK = BEFORE + OLD_SECTION + AFTER


@pytest.fixture(params=["server", "cloud"])
async def conf(request: pytest.FixtureRequest) -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence(request.param, [CARA, DAN])
    async with fake.serve():
        yield fake


@pytest.fixture
async def tool(conf: FakeConfluence) -> AsyncIterator[Call]:
    async with serve(make_settings(env_for(conf))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, headers_for(CARA, conf.deployment))


def page_path(conf: FakeConfluence, page_id: str) -> str:
    return f"/api/v2/pages/{page_id}" if conf.cloud else f"/rest/api/content/{page_id}"


def sent_storage(conf: FakeConfluence, page_id: str) -> str:
    """The storage XHTML of the last page update sent upstream."""
    body = conf.last_request("PUT", page_path(conf, page_id)).json
    value = body["body"]["value"] if conf.cloud else body["body"]["storage"]["value"]
    assert isinstance(value, str)
    return value


# ---------------------------------------------------------------- a page at one version


async def test_page_history_at_an_earlier_version(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_page_history", {"page_id": "98310", "version": 3})
    assert not r["isError"], r["text"]
    sent = conf.last_request("GET", page_path(conf, "98310"))
    assert sent.identity == "cara"
    if conf.cloud:
        assert sent.query == {"version": "3", "body-format": "storage"}
    else:
        assert sent.query["status"] == "historical" and sent.query["version"] == "3"
        assert "body.storage" in sent.query["expand"].split(",")
    sc = r["structuredContent"]
    assert sc["version"] == 3 and sc["title"] == "Architecture overview" and sc["space_key"] == "DEMO"
    assert sc["message"] == "Added the data flow" and sc["body_format"] == "markdown"
    assert "## Data flow" in sc["body"] and "PostgreSQL 16" in sc["body"] and "PostgreSQL 17" not in sc["body"]
    assert "rate limiting" in sc["body"] and "architecture-diagram.png" not in sc["body"]
    assert sc["author"] == ("acc-cara" if conf.cloud else "Cara Writer")
    assert r["text"].startswith("# Architecture overview (version 3)\n")
    assert "Version comment: Added the data flow" in r["text"] and "## Data flow" in r["text"]

    raw = await tool("confluence_get_page_history", {"page_id": "98310", "version": "1", "convert_to_markdown": False})
    assert not raw["isError"], raw["text"]
    assert raw["structuredContent"]["body"] == "<h1>Architecture overview</h1><p>Draft: to be written.</p>"
    assert raw["structuredContent"]["body_format"] == "storage"
    assert raw["structuredContent"]["author"] == ("acc-dan" if conf.cloud else "Dan Reader"), "who made version 1"


async def test_page_history_keeps_versions_written_since(conf: FakeConfluence, tool: Call) -> None:
    before = conf.pages["98307"]["body"]
    w = await tool("confluence_update_page", {"page_id": "98307", "body": "Rewritten *entirely*."})
    assert not w["isError"], w["text"]
    old = await tool("confluence_get_page_history", {"page_id": "98307", "version": 2, "convert_to_markdown": False})
    assert not old["isError"], old["text"]
    assert old["structuredContent"]["body"] == before, "the fake must keep the version an update replaced"
    new = await tool("confluence_get_page_history", {"page_id": "98307", "version": 3})
    assert new["structuredContent"]["body"].strip() == "Rewritten *entirely*."
    first = await tool("confluence_get_page_history", {"page_id": "98307", "version": 1})
    assert "demo-server==2.3.0" in first["structuredContent"]["body"]


async def test_page_history_refusals(conf: FakeConfluence, tool: Call) -> None:
    past = await tool("confluence_get_page_history", {"page_id": "98310", "version": 9})
    assert past["isError"] and "no version 9" in past["text"] and "1 to 5" in past["text"]
    unknown = await tool("confluence_get_page_history", {"page_id": "4242", "version": 1})
    assert unknown["isError"] and "404" in unknown["text"]
    conf.clear_requests()
    for args in (
        {"page_id": "98310", "version": 0},
        {"page_id": "../98310", "version": 1},
        {"page_id": "98310"},
        {"page_id": "98310", "version": 1, "file_path": "/etc/passwd"},
    ):
        bad = await tool("confluence_get_page_history", args)
        assert bad["isError"], args
    assert not conf.requests, "refused arguments send nothing"


# ---------------------------------------------------------------- diffs


async def test_page_diff_of_two_versions(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_page_diff", {"page_id": "98310", "from_version": 4, "to_version": 5})
    assert not r["isError"], r["text"]
    asked = [q.query.get("version") for q in conf.requests_to(page_path(conf, "98310"))]
    assert "4" in asked and "5" in asked
    sc = r["structuredContent"]
    assert (sc["added_lines"], sc["removed_lines"], sc["truncated"]) == (1, 1, False)
    assert "-- PostgreSQL 16" in sc["diff"] and "+- PostgreSQL 17" in sc["diff"]
    assert sc["diff"].startswith("--- version 4\n+++ version 5\n@@ ")
    assert "Summary: +1 -1 lines." in r["text"] and "```diff" in r["text"]

    wide = await tool("confluence_get_page_diff", {"page_id": "98310", "from_version": 1, "to_version": 5})
    assert wide["structuredContent"]["added_lines"] > 5 and "+## Components" in wide["structuredContent"]["diff"]
    same = await tool("confluence_get_page_diff", {"page_id": "98310", "from_version": 2, "to_version": 2})
    assert "no differences" in same["text"] and same["structuredContent"]["diff"] == ""
    missing = await tool("confluence_get_page_diff", {"page_id": "98310", "from_version": 5, "to_version": 7})
    assert missing["isError"] and "no version 7" in missing["text"]


async def test_page_diff_of_a_title_change_and_a_huge_rewrite(conf: FakeConfluence, tool: Call) -> None:
    lines = "\n\n".join(f"Paragraph number {i} of the long page." for i in range(4000))
    w = await tool("confluence_update_page", {"page_id": "98318", "body": lines, "title": "Coding rules"})
    assert not w["isError"], w["text"]
    r = await tool("confluence_get_page_diff", {"page_id": "98318", "from_version": 2, "to_version": 3})
    assert not r["isError"], r["text"]
    sc = r["structuredContent"]
    assert sc["truncated"] and len(sc["diff"]) <= history_tools.MAX_DIFF_CHARS
    assert sc["added_lines"] > 4000 and sc["removed_lines"] > 3
    assert "cut at 40,000 characters" in r["text"] and "Title changed: 'Coding standards' → 'Coding rules'" in r["text"]


# ---------------------------------------------------------------- one section


async def test_update_section_keeps_everything_else_byte_for_byte(conf: FakeConfluence, tool: Call) -> None:
    conf.pages["98307"]["body"] = RUNBOOK
    md = "Run `make deploy` & watch.\n\n- first\n- second"
    r = await tool(
        "confluence_update_page_section",
        {
            "page_id": "98307",
            "heading_text": "Deploy",
            "new_content": md,
            "is_minor_edit": True,
            "version_comment": "New deploy steps",
        },
    )
    assert not r["isError"], r["text"]
    storage = sent_storage(conf, "98307")
    assert storage == BEFORE + markdown_to_storage(md) + AFTER
    assert storage.startswith(BEFORE) and storage.endswith(AFTER) and TOC in storage and CODE in storage
    assert "old note" not in storage and "Rollback" not in storage
    version = conf.last_request("PUT", page_path(conf, "98307")).json["version"]
    assert version["number"] == 3 and version["message"] == "New deploy steps" and version["minorEdit"] is True
    assert conf.pages["98307"]["body"] == storage and conf.pages["98307"]["version"] == 3
    sc = r["structuredContent"]
    assert sc["version"] == 3 and sc["previous_version"] == 2 and sc["heading"] == {"text": "Deploy", "level": 2}
    assert sc["replaced_chars"] == len(OLD_SECTION)
    assert 'h2 "Deploy"' in r["text"] and "Version 2 → 3" in r["text"]

    # a subsection by its own heading; a Markdown "### " prefix and a repeated heading are forgiven
    again = await tool(
        "confluence_update_page_section",
        {"page_id": "98307", "heading_text": "## Verify", "new_content": "## Verify\n\nAll green."},
    )
    assert not again["isError"], again["text"]
    assert sent_storage(conf, "98307") == BEFORE + markdown_to_storage(md) + "<h2>Verify</h2><p>All green.</p>"


async def test_update_section_in_storage_format(conf: FakeConfluence, tool: Call) -> None:
    conf.pages["98307"]["body"] = RUNBOOK
    fragment = (
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">OK</ac:parameter></ac:structured-macro>'
    )
    r = await tool(
        "confluence_update_page_section",
        {"page_id": "98307", "heading_text": "Rollback", "new_content": fragment, "content_format": "Storage"},
    )
    assert not r["isError"], r["text"]
    cut = RUNBOOK.index("<p>old rollback</p>")
    assert sent_storage(conf, "98307") == RUNBOOK[:cut] + fragment + RUNBOOK[cut + len("<p>old rollback</p>") :]
    conf.clear_requests()
    broken = await tool(
        "confluence_update_page_section",
        {"page_id": "98307", "heading_text": "Prepare", "new_content": "</td><p>x", "content_format": "storage"},
    )
    assert broken["isError"] and "not a self-contained" in broken["text"]
    odd = await tool(
        "confluence_update_page_section",
        {"page_id": "98307", "heading_text": "Prepare", "new_content": "x", "content_format": "wiki"},
    )
    assert odd["isError"] and "content_format" in odd["text"]
    assert not [q for q in conf.requests if q.method == "PUT"], "nothing is written"


async def test_update_section_refuses_missing_and_ambiguous_headings(conf: FakeConfluence, tool: Call) -> None:
    conf.pages["98307"]["body"] = RUNBOOK + "<h2>Notes</h2><p>a</p><h2>Notes</h2><p>b</p>"
    missing = await tool(
        "confluence_update_page_section", {"page_id": "98307", "heading_text": "deploy", "new_content": "x"}
    )
    assert missing["isError"] and "No heading of page 98307 reads 'deploy'" in missing["text"]
    for listed in ('h1 "Runbook"', 'h2 "Prepare"', 'h2 "Deploy"', 'h3 "Rollback"', 'h2 "Verify"'):
        assert listed in missing["text"]
    twice = await tool(
        "confluence_update_page_section", {"page_id": "98307", "heading_text": "Notes", "new_content": "x"}
    )
    assert twice["isError"] and "2 headings of page 98307 read 'Notes'" in twice["text"]
    conf.pages["98309"]["body"] = "<p>No headings here.</p>"
    flat = await tool("confluence_update_page_section", {"page_id": "98309", "heading_text": "A", "new_content": "x"})
    assert flat["isError"] and "has no headings" in flat["text"]
    assert not [q for q in conf.requests if q.method == "PUT"], "nothing is written"
    unknown = await tool("confluence_update_page_section", {"page_id": "4242", "heading_text": "A", "new_content": "x"})
    assert unknown["isError"] and "404" in unknown["text"]


async def test_update_section_version_conflicts(conf: FakeConfluence, tool: Call) -> None:
    conf.pages["98307"]["body"] = RUNBOOK
    stale = await tool(
        "confluence_update_page_section",
        {"page_id": "98307", "heading_text": "Deploy", "new_content": "x", "version": 1},
    )
    assert stale["isError"] and "version 2, not the version 1 you read" in stale["text"]
    assert not [q for q in conf.requests if q.method == "PUT"], "a stale version must not be sent"
    conf.add_fault(Fault(409, path_contains=page_path(conf, "98307"), method="PUT"))
    raced = await tool(
        "confluence_update_page_section", {"page_id": "98307", "heading_text": "Deploy", "new_content": "x"}
    )
    assert raced["isError"] and "changed after it was read" in raced["text"] and "nothing was" in raced["text"]
    assert conf.pages["98307"]["body"] == RUNBOOK and conf.pages["98307"]["version"] == 2


async def test_read_only_withholds_the_section_update(conf: FakeConfluence) -> None:
    env = env_for(conf, PASSTHROUGH_READ_ONLY="true")
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert {"confluence_get_page_history", "confluence_get_page_diff", "confluence_get_space_page_tree"} <= names
        assert "confluence_update_page_section" not in names
        args = {"page_id": "98307", "heading_text": "Install the package", "new_content": "x"}
        body = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "confluence_update_page_section", "arguments": args},
        }
        r = (await http.post("/mcp", json=body, headers=headers_for(CARA, conf.deployment))).json()
        assert "read-only" in r["error"]["message"]
    assert not conf.requests, "nothing reaches Confluence"


# ---------------------------------------------------------------- the space's page tree


async def test_space_page_tree(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_space_page_tree", {"space_key": "DEMO"})
    assert not r["isError"], r["text"]
    if conf.cloud:
        sent = conf.last_request("GET", "/api/v2/spaces/65601/pages")
        assert sent.query["depth"] == "all" and sent.query["limit"] == "100"
    else:
        sent = conf.last_request("GET", "/rest/api/content")
        assert sent.query["spaceKey"] == "DEMO" and sent.query["type"] == "page"
        assert sent.query["expand"] == "ancestors" and sent.query["start"] == "0"
    sc = r["structuredContent"]
    assert sc["total_pages"] == 12 and not sc["has_more"]
    rows = {p["id"]: p for p in sc["pages"]}
    assert rows["98305"]["depth"] == 0 and rows["98305"]["parent_id"] is None
    assert rows["98309"]["depth"] == 3 and rows["98309"]["parent_id"] == "98308"
    assert [p["id"] for p in sc["pages"]][:5] == ["98305", "98306", "98307", "98308", "98309"]
    text = r["text"]
    assert text.startswith("Space DEMO: 12 pages\n- Demo space Home (page 98305)\n  - Getting started (page 98306)\n")
    assert (
        "\n    - Installation guide (page 98307)\n" in text and "\n      - Environment variables (page 98309)" in text
    )


async def test_space_page_tree_pages_and_limits(
    conf: FakeConfluence, tool: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_calls, "V1_PAGE_SIZE", 5)
    monkeypatch.setattr(history_calls, "V2_PAGE_SIZE", 5)
    full = await tool("confluence_get_space_page_tree", {"space_key": "DEMO", "limit": 1000})
    assert not full["isError"], full["text"]
    assert full["structuredContent"]["total_pages"] == 12 and not full["structuredContent"]["has_more"]
    reads = conf.requests_to("/api/v2/spaces/65601/pages" if conf.cloud else "/rest/api/content")
    assert len(reads) == 3, "12 pages read 5 at a time"
    if not conf.cloud:
        assert [q.query["start"] for q in reads] == ["0", "5", "10"]

    cut = await tool("confluence_get_space_page_tree", {"space_key": "DEMO", "limit": 3})
    sc = cut["structuredContent"]
    assert sc["total_pages"] == 3 and sc["has_more"] and sc["limit"] == 3
    assert "more pages than the limit of 3" in cut["text"] and "larger limit (up to 1000)" in cut["text"]
    orphans = [p for p in sc["pages"] if p["depth"] == 0 and p["parent_id"]]
    assert all(f"under page {p['parent_id']}, not read" in cut["text"] for p in orphans)


async def test_space_page_tree_refusals(conf: FakeConfluence, tool: Call) -> None:
    unknown = await tool("confluence_get_space_page_tree", {"space_key": "NOPE"})
    assert unknown["isError"]
    assert ("No Confluence space with key 'NOPE'" if conf.cloud else "404") in unknown["text"]
    conf.clear_requests()
    for args in ({"space_key": "DEMO", "limit": 0}, {"space_key": "DEMO", "limit": 1001}, {"space_key": "a b"}):
        bad = await tool("confluence_get_space_page_tree", args)
        assert bad["isError"], args
    assert not conf.requests, "refused arguments send nothing"
