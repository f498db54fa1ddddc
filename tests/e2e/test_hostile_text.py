"""Hostile text through the real server: refused with its limit named, or read with a note, never a stall.

Mallory sends comments and pages shaped to be slow to convert (long, deeply nested,
many small pieces) and reads an issue and a page an upstream filled with more text
than is read; meanwhile `/healthz` is timed and Bob makes ordinary calls.  Each hostile
text gets the answer its limit gives, nothing refused goes upstream, and the server
never stops answering for a noticeable time.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx
import pytest

from passthrough.markup import MAX_UPSTREAM_CHARS
from passthrough.markup._limits import FLATTENED_NOTE, TRUNCATED_NOTE
from tests.conftest import ALICE, BOB, make_settings, serve
from tests.e2e._clients import assert_no_stall, time_healthz, tool_caller
from tests.fakes import ConfluenceUser, FakeConfluence, FakeJira, JiraUser

MALLORY = JiraUser(
    name="mallory", display_name="Mallory", email="m@example.com", account_id="acc-m", token="mallory-token-7e7e"
)
CARA = ConfluenceUser(
    name="cara", display_name="Cara", email="c@example.com", account_id="acc-c", token="cara-token-" + "c" * 20
)
MALLORY_H = {"X-Jira-Token": MALLORY.token, "X-Confluence-Token": CARA.token}
BOB_H = {"X-Jira-Token": BOB.token}


@pytest.mark.usefixtures("frozen_heap")
async def test_hostile_text_is_bounded_and_nobody_else_waits() -> None:
    jira = FakeJira("server", [ALICE, BOB, MALLORY])
    conf = FakeConfluence("server", [CARA])
    conf.validate_storage = False  # the fake shares this loop; its own XML check is not under test
    async with jira.serve(), conf.serve():
        # what an upstream holds: more than is read, nested deeper than is kept
        prose = "a *line* of prose, with [a link|http://x]\n"
        jira.issues["DEMO-1"]["description"] = prose * (MAX_UPSTREAM_CHARS // 30)
        jira.issues["DEMO-2"]["description"] = "".join("*" * (1 + i % 80) + " item\n" for i in range(2_000))
        page_id = next(iter(conf.pages))
        conf.pages[page_id]["body"] = "<p>a paragraph of prose<br/>with a break</p>" * (MAX_UPSTREAM_CHARS // 30)
        env = {
            "JIRA_URL": jira.url,
            "JIRA_DEPLOYMENT": "server",
            "CONFLUENCE_URL": conf.base_url,
            "CONFLUENCE_DEPLOYMENT": "server",
            "PASSTHROUGH_FALLBACK": "off",
        }
        async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=60) as http:
            call = tool_caller(http, MALLORY_H)

            async def bobs_call() -> float:
                started = time.perf_counter()
                result = await call("jira_get_myself", {}, BOB_H)
                assert result["structuredContent"]["display_name"] == BOB.display_name
                return time.perf_counter() - started

            normal = statistics.median([await bobs_call() for _ in range(5)])
            comments_before = len(jira.comments.get("DEMO-3", []))

            async def hostile() -> dict[str, Any]:
                answers: dict[str, Any] = {}
                # a comment over the tool's limit; one shaped to take ~100x the parsing of prose
                answers["long"] = await call("jira_add_comment", {"issue_key": "DEMO-3", "body": "a" * 100_001})
                deep = "> " * 40 + "x\n" * 40_000
                answers["deep"] = await call("jira_add_comment", {"issue_key": "DEMO-3", "body": deep})
                # many small pieces, within every limit: converted (off the loop) and sent
                lines = "a\n" * 20_000
                answers["lines"] = await call("jira_add_comment", {"issue_key": "DEMO-4", "body": lines})
                # a page of unclosed brackets and a page of links: long, linear, within the limits
                brackets = "[" * 10_000 + "\n\n" + "[a](http://x) " * 8_000
                answers["page"] = await call(
                    "confluence_create_page", {"space_key": "DEMO", "title": "Brackets", "body": brackets}
                )
                answers["issue"] = await call("jira_get_issue", {"issue_key": "DEMO-1"})
                answers["nested"] = await call("jira_get_issue", {"issue_key": "DEMO-2"})
                answers["read_page"] = await call("confluence_get_page", {"page_id": page_id})
                return answers

            stop = asyncio.Event()
            health: list[float] = []
            bobs: list[float] = []

            async def bobs_turn() -> None:
                bobs.append(await bobs_call())

            prober = asyncio.create_task(time_healthz(url, stop.is_set, health, 0.01, bobs_turn))
            started = time.perf_counter()
            try:
                answers = await hostile()
            finally:
                stop.set()
                await prober
            took = time.perf_counter() - started

    long, deep, lines, page = answers["long"], answers["deep"], answers["lines"], answers["page"]
    assert long["isError"] and "100000" in long["text"].replace(",", ""), long["text"]
    assert deep["isError"] and "parsing steps" in deep["text"], deep["text"]
    # nothing refused went upstream; what was accepted arrived whole
    assert len(jira.comments.get("DEMO-3", [])) == comments_before
    assert not lines.get("isError"), lines["text"]
    stored = jira.comments["DEMO-4"][-1]["body"]
    assert stored.count("a") >= 20_000
    assert not page.get("isError"), page["text"]
    created = conf.page_by_title("DEMO", "Brackets")
    assert created["body"].count('href="http://x"') == 8_000
    # reading: cut with a note, flattened with a note, never refused
    assert TRUNCATED_NOTE in answers["issue"]["text"]
    assert len(answers["issue"]["text"]) < MAX_UPSTREAM_CHARS * 1.2
    assert FLATTENED_NOTE in answers["nested"]["text"]
    assert answers["read_page"]["text"].rstrip().endswith(TRUNCATED_NOTE)

    # the server kept answering everyone else: no stall of the length one conversion takes
    assert took > 1.0 and len(health) > 20, (took, len(health))
    assert_no_stall(health, f"hostile text over {took:.1f} s")
    assert bobs and max(bobs) < normal + 1.0, (normal, bobs)
