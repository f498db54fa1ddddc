"""Jira attachments, dates and SLAs, development information, project analysis against the fake Jira, both
deployments: what arrived upstream and what came back."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.jira._extras_state import NOTES_TEXT, SCREENSHOT_PNG
from tests.conftest import ALICE, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira

Call = Any


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[Call]:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, jira_headers(ALICE, jira.deployment))


def _ids(jira: FakeJira) -> dict[str, str]:
    return {a.filename: a.id for a in jira.state.extras.of_issue("DEMO-1")}


def _content_request(jira: FakeJira, attachment_id: str, filename: str) -> Any:
    if jira.deployment == "cloud":
        sent = jira.last_request("GET", f"/rest/api/3/attachment/content/{attachment_id}")
        assert sent.query.get("redirect") == "false"
    else:
        sent = jira.last_request("GET", f"/secure/attachment/{attachment_id}/{filename}")
    return sent


# ---------------------------------------------------------------------------------------------- attachments


async def test_download_attachments_returns_image_and_resource_content(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_download_attachments", {"issue_key": "DEMO-1"})
    assert not r["isError"], r["text"]
    ids = _ids(jira)
    assert jira.last_request("GET", "/issue/DEMO-1").query["fields"] == "attachment"
    for name, attachment_id in ids.items():
        assert _content_request(jira, attachment_id, name).identity == "alice"
    kinds = [c["type"] for c in r["content"]]
    assert kinds == ["text", "image", "resource"]
    image, resource = r["content"][1], r["content"][2]
    assert image["mimeType"] == "image/png" and base64.b64decode(image["data"]) == SCREENSHOT_PNG
    assert resource["resource"]["mimeType"] == "text/plain"
    assert resource["resource"]["text"] == NOTES_TEXT.decode()
    assert resource["resource"]["uri"].startswith(jira.url)
    assert "login-loop.png" in r["text"] and "reproduction-notes.txt" in r["text"]
    s = r["structuredContent"]
    assert s["total"] == 2 and s["downloaded"] == 2
    assert {a["filename"]: a["size"] for a in s["attachments"]} == {
        "login-loop.png": len(SCREENSHOT_PNG),
        "reproduction-notes.txt": len(NOTES_TEXT),
    }
    assert jira.state.extras.served_bytes == len(SCREENSHOT_PNG) + len(NOTES_TEXT)


async def test_download_attachments_can_pick_by_id(jira: FakeJira, tool: Call) -> None:
    notes = _ids(jira)["reproduction-notes.txt"]
    r = await tool("jira_download_attachments", {"issue_key": "DEMO-1", "attachment_ids": [notes]})
    assert not r["isError"], r["text"]
    assert [c["type"] for c in r["content"]] == ["text", "resource"]
    assert jira.state.extras.served_bytes == len(NOTES_TEXT)
    bad = await tool("jira_download_attachments", {"issue_key": "DEMO-1", "attachment_ids": ["999"]})
    assert bad["isError"] and "999" in bad["text"]


async def test_an_attachment_over_the_limit_is_named_and_never_fetched(jira: FakeJira) -> None:
    limit = len(SCREENSHOT_PNG) + 10
    assert len(NOTES_TEXT) > limit
    env = jira_env(jira, PASSTHROUGH_MAX_ATTACHMENT_BYTES=str(limit))
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        r = await tool_caller(http, jira_headers(ALICE, jira.deployment))(
            "jira_download_attachments", {"issue_key": "DEMO-1"}
        )
    assert not r["isError"], r["text"]
    assert jira.state.extras.served_bytes == len(SCREENSHOT_PNG)  # the notes' bytes were never asked for
    notes = _ids(jira)["reproduction-notes.txt"]
    assert not [q for q in jira.requests if f"/{notes}" in q.path]  # neither /attachment/content/ nor /secure/
    assert [c["type"] for c in r["content"]] == ["text", "image"]
    assert "reproduction-notes.txt" in r["text"] and f"{len(NOTES_TEXT)} bytes" in r["text"]
    assert "PASSTHROUGH_MAX_ATTACHMENT_BYTES" in r["text"]
    row = next(a for a in r["structuredContent"]["attachments"] if a["filename"] == "reproduction-notes.txt")
    assert row["size"] == len(NOTES_TEXT) and "skipped" in row


@pytest.mark.parametrize("argument", ["target_dir", "download_path", "download_dir", "output_dir"])
async def test_download_attachments_refuses_a_server_directory(jira: FakeJira, tool: Call, argument: str) -> None:
    before = len(jira.requests)
    r = await tool("jira_download_attachments", {"issue_key": "DEMO-1", argument: "/tmp"})
    assert r["isError"] and argument in r["text"] and "server" in r["text"]
    assert len(jira.requests) == before


async def test_get_issue_images_returns_only_images(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_issue_images", {"issue_key": "DEMO-1"})
    assert not r["isError"], r["text"]
    png = _ids(jira)["login-loop.png"]
    assert _content_request(jira, png, "login-loop.png").identity == "alice"
    assert [c["type"] for c in r["content"]] == ["text", "image"]
    assert base64.b64decode(r["content"][1]["data"]) == SCREENSHOT_PNG
    assert jira.state.extras.served_bytes == len(SCREENSHOT_PNG)
    assert [i["filename"] for i in r["structuredContent"]["images"]] == ["login-loop.png"]
    none = await tool("jira_get_issue_images", {"issue_key": "DEMO-2"})
    assert not none["isError"] and "no images" in none["text"] and len(none["content"]) == 1


async def test_attachments_of_a_missing_issue_say_so(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_download_attachments", {"issue_key": "DEMO-999"})
    assert r["isError"] and "404" in r["text"]


# ---------------------------------------------------------------------------------------------- dates and SLAs


async def test_get_issue_dates_reads_the_changelog(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_issue_dates", {"issue_key": "DEMO-3"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/issue/DEMO-3")
    assert sent.query["expand"] == "changelog" and "duedate" in sent.query["fields"]
    s = r["structuredContent"]
    assert s["status"] == "Done" and s["due_date"] == "2026-01-16" and s["resolution_date"]
    assert [(c["from"], c["to"]) for c in s["status_changes"]] == [("To Do", "In Progress"), ("In Progress", "Done")]
    assert s["status_changes"][0]["hours_in_previous"] == 1.0
    assert [x["status"] for x in s["status_summary"]] == ["To Do", "In Progress", "Done"]
    assert "To Do → In Progress" in r["text"] and "Time in each status" in r["text"]
    lean = await tool(
        "jira_get_issue_dates",
        {"issue_key": "DEMO-3", "include_status_changes": False, "include_status_summary": False},
    )
    assert "status_changes" not in lean["structuredContent"] and "status_summary" not in lean["structuredContent"]


async def test_get_issue_dates_follows_a_transition(jira: FakeJira, tool: Call) -> None:
    moved = await tool("jira_transition_issue", {"issue_key": "DEMO-4", "transition": "In Progress"})
    assert not moved["isError"], moved["text"]
    r = await tool("jira_get_issue_dates", {"issue_key": "DEMO-4"})
    changes = r["structuredContent"]["status_changes"]
    assert changes[-1]["to"] == "In Progress" and changes[-1]["by"] == "Alice Example"


async def test_get_issue_sla_computes_the_metrics(jira: FakeJira, tool: Call) -> None:
    metrics = "cycle_time,lead_time,resolution_time,due_date_compliance,time_in_status,first_response_time"
    r = await tool("jira_get_issue_sla", {"issue_key": "DEMO-3", "metrics": metrics, "include_raw_dates": True})
    assert not r["isError"], r["text"]
    assert jira.last_request("GET", "/issue/DEMO-3").query["expand"] == "changelog"
    m = r["structuredContent"]["metrics"]
    # DEMO-3: created 2026-01-16 00:20:30, started an hour later, resolved 2 h 3 min after creation
    assert m["lead_time"]["hours"] == m["resolution_time"]["hours"] == 2.05
    assert m["cycle_time"]["hours"] == 1.05
    assert m["due_date_compliance"]["met"] is True
    assert [x["status"] for x in m["time_in_status"]] == ["To Do", "In Progress", "Done"]
    assert m["first_response_time"] is None and "no response" in r["structuredContent"]["notes"]["first_response_time"]
    assert r["structuredContent"]["raw_dates"]["duedate"] == "2026-01-16"
    assert "cycle_time: 1h 3m" in r["text"] and "due_date_compliance: met" in r["text"]
    working = await tool(
        "jira_get_issue_sla", {"issue_key": "DEMO-3", "metrics": "lead_time", "working_hours_only": True}
    )
    assert working["structuredContent"]["metrics"]["lead_time"]["hours"] == 0.0  # all before 09:00 on a Friday


async def test_get_issue_sla_refuses_an_unknown_metric(jira: FakeJira, tool: Call) -> None:
    before = len(jira.requests)
    r = await tool("jira_get_issue_sla", {"issue_key": "DEMO-3", "metrics": "cycle_time,happiness"})
    assert r["isError"] and "happiness" in r["text"] and "lead_time" in r["text"]
    assert len(jira.requests) == before


async def test_get_issue_sla_default_metrics_and_first_response(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_issue_sla", {"issue_key": "DEMO-1", "metrics": "first_response_time,lead_time"})
    assert not r["isError"], r["text"]
    m = r["structuredContent"]["metrics"]
    assert m["first_response_time"]["hours"] > 0  # Alice's comment answers Bob's report
    assert "still open" in r["structuredContent"]["notes"]["lead_time"]
    plain = await tool("jira_get_issue_sla", {"issue_key": "DEMO-1"})
    assert set(plain["structuredContent"]["metrics"]) == {"cycle_time", "time_in_status"}


# ---------------------------------------------------------------------------------------------- development


async def test_get_issue_development_info(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_issue_development_info", {"issue_key": "DEMO-1"})
    assert not r["isError"], r["text"]
    issue_id = jira.state.issues["DEMO-1"]["id"]
    summary = jira.last_request("GET", "/rest/dev-status/1.0/issue/summary")
    assert summary.query["issueId"] == issue_id and summary.identity == "alice"
    detail = jira.last_request("GET", "/rest/dev-status/1.0/issue/detail")
    assert detail.query["applicationType"] == "GitHub" and detail.query["issueId"] == issue_id
    asked = {q.query["dataType"] for q in jira.requests_to("/rest/dev-status/1.0/issue/detail")}
    assert asked == {"pullrequest", "branch", "repository"}
    s = r["structuredContent"]
    assert s["pull_requests"][0]["id"] == "#42" and s["pull_requests"][0]["status"] == "OPEN"
    assert s["branches"][0]["name"] == "fix/DEMO-1-sso-loop"
    assert s["commits"][0]["id"] == "9f2c1e7" and s["repositories"][0]["name"] == "acme/login-service"
    assert "1 pull requests, 1 branches, 1 commits" in r["text"] and "#42" in r["text"]


async def test_get_issue_development_info_filters_by_data_type(jira: FakeJira, tool: Call) -> None:
    r = await tool(
        "jira_get_issue_development_info",
        {"issue_key": "DEMO-1", "application_type": "GitHub", "data_type": "pullrequest"},
    )
    assert not r["isError"], r["text"]
    assert {q.query["dataType"] for q in jira.requests_to("/issue/detail")} == {"pullrequest"}
    assert r["structuredContent"]["pull_requests"] and not r["structuredContent"]["commits"]


async def test_get_issues_development_info(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_issues_development_info", {"issue_keys": "DEMO-1, DEMO-2"})
    assert not r["isError"], r["text"]
    asked = {q.query["issueId"] for q in jira.requests_to("/rest/dev-status/1.0/issue/summary")}
    assert asked == {jira.state.issues["DEMO-1"]["id"], jira.state.issues["DEMO-2"]["id"]}
    issues = r["structuredContent"]["issues"]
    assert [i["issue_key"] for i in issues] == ["DEMO-1", "DEMO-2"]
    assert issues[0]["pull_requests"] and not issues[1]["pull_requests"]
    assert "DEMO-2: no linked development information." in r["text"]
    bad = await tool("jira_get_issues_development_info", {"issue_keys": "DEMO-1,not a key"})
    assert bad["isError"] and "not a key" in bad["text"]


# ---------------------------------------------------------------------------------------------- project analysis


async def test_get_project_epic_hierarchy(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_project_epic_hierarchy", {"project_key": "DEMO"})
    assert not r["isError"], r["text"]
    searches = [q.query["jql"] for q in jira.requests_to("/search")]
    assert any("issuetype = Epic" in jql and 'project = "DEMO"' in jql for jql in searches)
    child_jql = "parent in (DEMO-10)" if jira.deployment == "cloud" else '"Epic Link" = DEMO-10'
    assert any(jql.startswith(child_jql) for jql in searches), searches
    epics = r["structuredContent"]["epics"]
    epic = next(e for e in epics if e["key"] == "DEMO-10")
    assert {"DEMO-11", "DEMO-12", "DEMO-13"} <= {c["key"] for c in epic["children"]}
    assert "DEMO-10" in r["text"] and "  - DEMO-11" in r["text"]
    none = await tool("jira_get_project_epic_hierarchy", {"project_key": "OPS", "max_epics": 5})
    assert not none["isError"] and none["structuredContent"]["epics"] == []


async def test_get_cross_project_dependencies(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_cross_project_dependencies", {"project_key": "DEMO", "max_issues": 50})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/search")
    assert 'project = "DEMO"' in sent.query["jql"] and "issuelinks" in sent.query["fields"]
    deps = {(d["issue"], d["relation"], d["other_issue"]) for d in r["structuredContent"]["dependencies"]}
    assert ("DEMO-12", "is blocked by", "OPS-5") in deps and ("DEMO-14", "relates to", "OPS-2") in deps
    assert r["structuredContent"]["projects"] == ["OPS"]
    assert "DEMO-12 is blocked by OPS-5" in r["text"]


# ---------------------------------------------------------------------------------------------- uploads


async def test_update_issue_attaches_files_sent_inline(jira: FakeJira, tool: Call) -> None:
    data = b"col1,col2\n1,2\n"
    upload = {"filename": "numbers.csv", "content_base64": base64.b64encode(data).decode(), "mime_type": "text/csv"}
    r = await tool(
        "jira_update_issue", {"issue_key": "DEMO-2", "fields": {"summary": "With data"}, "attachments": [upload]}
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/issue/DEMO-2/attachments")
    assert sent.identity == "alice" and sent.headers["x-atlassian-token"] == "no-check"
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    stored = jira.state.extras.of_issue("DEMO-2")
    assert [(a.filename, a.mime_type, a.content) for a in stored] == [("numbers.csv", "text/csv", data)]
    assert r["structuredContent"]["attached"] == ["numbers.csv"] and "Attached: numbers.csv" in r["text"]
    back = await tool("jira_download_attachments", {"issue_key": "DEMO-2"})
    assert back["content"][1]["resource"]["text"] == data.decode()


async def test_update_issue_refuses_attachment_paths_before_sending(jira: FakeJira, tool: Call) -> None:
    before = len(jira.requests)
    r = await tool(
        "jira_update_issue", {"issue_key": "DEMO-2", "fields": {"summary": "x"}, "attachments": "/etc/passwd"}
    )
    assert r["isError"] and "content_base64" in r["text"] and "server" in r["text"]
    bad = {"filename": "a.bin", "content_base64": "not base64!"}
    r = await tool("jira_update_issue", {"issue_key": "DEMO-2", "fields": {"summary": "x"}, "attachments": [bad]})
    assert r["isError"] and "base64" in r["text"]
    assert len(jira.requests) == before
