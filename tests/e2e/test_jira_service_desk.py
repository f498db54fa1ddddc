"""Jira Service Management tools against the fake Jira, both deployments: what arrived upstream, what came back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BOB, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira, Fault

Call = Any


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[Call]:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, jira_headers(ALICE, jira.deployment))


async def test_service_desk_for_project(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_service_desk_for_project", {"project_key": "help"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/rest/servicedeskapi/servicedesk")
    assert sent.identity == "alice" and sent.query["start"] == "0" and sent.query["limit"] == "50"
    assert sent.headers["x-experimentalapi"] == "opt-in"
    desk = r["structuredContent"]["service_desk"]
    assert desk == {"id": "1", "project_id": "10002", "project_key": "HELP", "project_name": "IT Help Desk"}
    assert "Service desk 1" in r["text"] and "IT Help Desk" in r["text"]

    none = await tool("jira_get_service_desk_for_project", {"project_key": "DEMO"})
    assert not none["isError"] and none["structuredContent"]["service_desk"] is None
    assert "DEMO has no service desk" in none["text"]


async def test_service_desk_queues_pages_with_tokens(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_service_desk_queues", {"service_desk_id": "1"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/rest/servicedeskapi/servicedesk/1/queue")
    assert sent.headers["x-experimentalapi"] == "opt-in" and sent.query["includeCount"] == "true"
    queues = r["structuredContent"]["queues"]
    assert [q["name"] for q in queues] == ["All open", "Assigned to me", "Unassigned", "Resolved"]
    assert queues[0]["issue_count"] == 3 and queues[3]["issue_count"] == 1 and "project = HELP" in queues[0]["jql"]
    assert (
        "- All open (id 1) — 3 issues" in r["text"]
        and "- Assigned to me (id 2) — 1 issue\n" in r["text"]
        and r["structuredContent"]["next_page_token"] is None
    )

    first = await tool("jira_get_service_desk_queues", {"service_desk_id": "1", "limit": 3})
    token = first["structuredContent"]["next_page_token"]
    assert token == "3" and "page_token=3" in first["text"]
    rest = await tool("jira_get_service_desk_queues", {"service_desk_id": "1", "limit": 3, "page_token": token})
    assert jira.last_request("GET", "/servicedesk/1/queue").query["start"] == "3"
    assert [q["name"] for q in rest["structuredContent"]["queues"]] == ["Resolved"]
    assert rest["structuredContent"]["next_page_token"] is None
    peer = await tool("jira_get_service_desk_queues", {"service_desk_id": "1", "start_at": 2, "limit": 1})
    assert [q["name"] for q in peer["structuredContent"]["queues"]] == ["Unassigned"]

    missing = await tool("jira_get_service_desk_queues", {"service_desk_id": "99"})
    assert missing["isError"] and "404" in missing["text"] and "service desk you are trying to view" in missing["text"]


async def test_queue_issues(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_queue_issues", {"service_desk_id": "1", "queue_id": "1"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/rest/servicedeskapi/servicedesk/1/queue/1/issue")
    assert sent.identity == "alice" and sent.headers["x-experimentalapi"] == "opt-in"
    assert (sent.query["start"], sent.query["limit"]) == ("0", "50")
    s = r["structuredContent"]
    assert s["queue"]["name"] == "All open" and s["queue"]["issue_count"] == 3
    assert [i["key"] for i in s["issues"]] == ["HELP-4", "HELP-2", "HELP-1"]
    assert s["issues"][2]["status"] == "In Progress" and s["issues"][2]["assignee"] == "Alice Example"
    assert "Queue All open (id 1)" in r["text"] and "HELP-1 [In Progress] VPN drops every few minutes" in r["text"]

    many = await tool("jira_get_queue_issues", {"service_desk_id": "1", "queue_id": "1", "limit": 200})
    assert not many["isError"] and jira.last_request("GET", "/queue/1/issue").query["limit"] == "50"
    paged = await tool("jira_get_queue_issues", {"service_desk_id": "1", "queue_id": "1", "limit": 2})
    assert paged["structuredContent"]["next_page_token"] == "2"
    token = paged["structuredContent"]["next_page_token"]
    rest = await tool("jira_get_queue_issues", {"service_desk_id": "1", "queue_id": "1", "page_token": token})
    assert [i["key"] for i in rest["structuredContent"]["issues"]] == ["HELP-1"]

    mine = await tool("jira_get_queue_issues", {"service_desk_id": "1", "queue_id": "2"})
    assert [i["key"] for i in mine["structuredContent"]["issues"]] == ["HELP-1"]
    missing = await tool("jira_get_queue_issues", {"service_desk_id": "1", "queue_id": "77"})
    assert missing["isError"] and "404" in missing["text"] and "queue" in missing["text"]


async def test_experimental_methods_need_the_opt_in_header(jira: FakeJira) -> None:
    """The fake refuses JSM's experimental methods without the header, as JSM does."""
    headers = {"Authorization": f"Bearer {ALICE.token}"} if jira.deployment == "server" else {}
    auth = httpx.BasicAuth(ALICE.email, ALICE.token) if jira.deployment == "cloud" else None
    async with httpx.AsyncClient(base_url=jira.url, headers=headers, auth=auth) as http:
        refused = await http.get("/rest/servicedeskapi/servicedesk/1/queue")
        assert refused.status_code == 412 and "X-ExperimentalApi: opt-in" in refused.json()["errorMessage"]
        taken = await http.get("/rest/servicedeskapi/servicedesk/1/queue", headers={"X-ExperimentalApi": "opt-in"})
        assert taken.status_code == 200 and taken.json()["size"] == 4


async def test_request_types_and_fields(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_request_types", {"service_desk_id": "1"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/rest/servicedeskapi/servicedesk/1/requesttype")
    assert sent.query["start"] == "0" and sent.headers["x-experimentalapi"] == "opt-in"
    types = r["structuredContent"]["request_types"]
    assert [(t["id"], t["name"]) for t in types] == [
        ("10", "Get IT help"),
        ("11", "Report a system problem"),
        ("12", "Request new hardware"),
    ]
    assert types[1]["issue_type_id"] == "10004" and "- Get IT help (id 10) — Ask a question" in r["text"]
    found = await tool("jira_get_request_types", {"service_desk_id": "1", "search_query": "hardware"})
    assert jira.last_request("GET", "/requesttype").query["searchQuery"] == "hardware"
    assert [t["id"] for t in found["structuredContent"]["request_types"]] == ["12"]

    f = await tool("jira_get_request_type_fields", {"service_desk_id": "1", "request_type_id": "11"})
    assert not f["isError"], f["text"]
    assert jira.last_request("GET", "/servicedesk/1/requesttype/11/field").identity == "alice"
    fields = {row["field_id"]: row for row in f["structuredContent"]["fields"]}
    assert list(fields) == ["summary", "customfield_10061", "description", "customfield_10060"]
    assert fields["summary"]["required"] and fields["customfield_10061"]["rich_text"]
    assert [o["label"] for o in fields["customfield_10060"]["valid_values"]] == ["Low", "Medium", "High"]
    assert "- customfield_10060 — Urgency (optional, option): one of Low (id 10100)" in f["text"]
    assert "- description — Description (optional, Markdown)" in f["text"]
    assert f["structuredContent"]["can_raise_on_behalf_of"] is True

    missing = await tool("jira_get_request_type_fields", {"service_desk_id": "1", "request_type_id": "99"})
    assert missing["isError"] and "404" in missing["text"] and "request type" in missing["text"]


async def test_create_customer_request_converts_markdown_and_selects(jira: FakeJira, tool: Call) -> None:
    values = {
        "summary": "Laptop fan is loud",
        "description": "It started **today**:\n\n1. Boot\n2. Listen",
        "customfield_10061": "Run `stress`",
        "customfield_10060": "high",
    }
    r = await tool(
        "jira_create_customer_request",
        {"service_desk_id": "1", "request_type_id": "11", "request_field_values": json.dumps(values)},
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/rest/servicedeskapi/request")
    assert sent.identity == "alice" and sent.headers["x-experimentalapi"] == "opt-in"
    body = sent.json
    assert (body["serviceDeskId"], body["requestTypeId"]) == ("1", "11")
    got = body["requestFieldValues"]
    assert got["summary"] == "Laptop fan is loud" and got["customfield_10060"] == {"id": "10102"}
    if jira.deployment == "cloud":
        assert body["isAdfRequest"] is True
        assert got["description"]["type"] == "doc" and got["customfield_10061"]["type"] == "doc"
        assert [n["type"] for n in got["description"]["content"]] == ["paragraph", "orderedList"]
    else:
        assert "isAdfRequest" not in body
        assert "*today*" in got["description"] and "# Boot" in got["description"]
        assert got["customfield_10061"] == "Run {{stress}}"
    s = r["structuredContent"]
    assert s["key"] == "HELP-5" and s["status"] == "Waiting for support" and s["reporter"] == "Alice Example"
    assert s["portal_url"].endswith("/servicedesk/customer/portal/1/HELP-5") and s["url"].endswith("/browse/HELP-5")
    assert "Created request HELP-5 (Waiting for support)." in r["text"] and "Urgency: High" in r["text"]
    assert jira.issues["HELP-5"]["issuetype"] == "Bug"
    issue = await tool("jira_get_issue", {"issue_key": "HELP-5"})
    assert "**today**" in issue["text"] and "1. Boot" in issue["text"]


async def test_create_customer_request_on_behalf_with_participants(jira: FakeJira, tool: Call) -> None:
    bob = BOB.account_id if jira.deployment == "cloud" else BOB.name
    r = await tool(
        "jira_create_customer_request",
        {
            "service_desk_id": "1",
            "request_type_id": "10",
            "request_field_values": {"summary": "Need a shared calendar"},
            "raise_on_behalf_of": bob,
            "request_participants": f'["{ALICE.account_id if jira.deployment == "cloud" else ALICE.name}"]',
        },
    )
    assert not r["isError"], r["text"]
    body = jira.last_request("POST", "/request").json
    assert body["raiseOnBehalfOf"] == bob and len(body["requestParticipants"]) == 1
    assert r["structuredContent"]["reporter"] == "Bob Example" and r["structuredContent"]["warnings"] == []
    assert jira.issues[r["structuredContent"]["key"]]["reporter"] == "bob"

    strict = await tool(
        "jira_create_customer_request",
        {
            "service_desk_id": "1",
            "request_type_id": "10",
            "request_field_values": {"summary": "For nobody"},
            "raise_on_behalf_of": "nobody",
            "strict_on_behalf": True,
        },
    )
    assert strict["isError"] and "400" in strict["text"] and "'nobody' does not exist" in strict["text"]
    fallback = await tool(
        "jira_create_customer_request",
        {
            "service_desk_id": "1",
            "request_type_id": "10",
            "request_field_values": {"summary": "For nobody"},
            "raise_on_behalf_of": "nobody",
            "request_participants": "",
        },
    )
    assert not fallback["isError"], fallback["text"]
    assert "raiseOnBehalfOf" not in jira.last_request("POST", "/request").json
    assert fallback["structuredContent"]["reporter"] == "Alice Example"
    assert "Warning: Jira refused to raise it on behalf of nobody" in fallback["text"]


async def test_create_customer_request_validated_like_jsm(jira: FakeJira, tool: Call) -> None:
    before = len(jira.issues)
    r = await tool(
        "jira_create_customer_request",
        {
            "service_desk_id": "1",
            "request_type_id": "11",
            "request_field_values": {"description": "x", "customfield_10060": "Urgent", "labels": ["a"]},
        },
    )
    assert r["isError"] and "400" in r["text"]
    assert "jira_get_request_type_fields lists the fields" in r["text"]
    for said in ("Summary is required", "Steps to reproduce is required", "one of: Low, Medium, High", "'labels'"):
        assert said in r["text"], said
    assert len(jira.issues) == before
    sent = len(jira.requests)
    bad_json = await tool(
        "jira_create_customer_request",
        {"service_desk_id": "1", "request_type_id": "11", "request_field_values": "{summary:"},
    )
    assert bad_json["isError"] and "not valid JSON" in bad_json["text"]
    files = await tool(
        "jira_create_customer_request",
        {
            "service_desk_id": "1",
            "request_type_id": "10",
            "request_field_values": {"summary": "x"},
            "attachments": '[{"filename": "a.txt", "base64": "aGk="}]',
        },
    )
    assert files["isError"] and "without them" in files["text"]
    assert len(jira.requests) == sent, "arguments refused before anything reaches Jira"
    unknown = await tool(
        "jira_create_customer_request",
        {"service_desk_id": "1", "request_type_id": "42", "request_field_values": {"summary": "x"}},
    )
    assert unknown["isError"] and "404" in unknown["text"] and "request type" in unknown["text"]


async def test_read_only_withholds_create_customer_request(jira: FakeJira) -> None:
    env = jira_env(jira, PASSTHROUGH_READ_ONLY="true")
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert {"jira_get_queue_issues", "jira_get_request_types"} <= names
        assert "jira_create_customer_request" not in names
        args = {"service_desk_id": "1", "request_type_id": "10", "request_field_values": {"summary": "x"}}
        body = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "jira_create_customer_request", "arguments": args},
        }
        r = (await http.post("/mcp", json=body, headers=jira_headers(ALICE, jira.deployment))).json()
        assert "read-only" in r["error"]["message"]
    assert not jira.requests, "nothing reaches Jira"


async def test_seeded_help_project_leaves_the_others_alone(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_search", {"jql": "project = HELP ORDER BY key ASC"})
    assert [i["key"] for i in r["structuredContent"]["issues"]] == ["HELP-1", "HELP-2", "HELP-3", "HELP-4"]
    assert sum(k.startswith("DEMO-") for k in jira.issues) == 25 and sum(k.startswith("OPS-") for k in jira.issues) == 5


async def test_without_service_management_the_tool_says_so(jira: FakeJira, tool: Call) -> None:
    jira.add_fault(Fault(status=404, body={"errorMessages": ["null for uri"]}, path_contains="/servicedeskapi/"))
    r = await tool("jira_get_service_desk_for_project", {"project_key": "HELP"})
    assert r["isError"] and "Jira Service Management is not installed on this Jira" in r["text"]


async def test_each_user_sees_their_own_queue(jira: FakeJira, tool: Call) -> None:
    args = {"service_desk_id": "1", "queue_id": "2"}
    alice = await tool("jira_get_queue_issues", args)
    bob = await tool("jira_get_queue_issues", args, headers=jira_headers(BOB, jira.deployment))
    assert jira.last_request("GET", "/queue/2/issue").identity == "bob"
    assert [i["key"] for i in alice["structuredContent"]["issues"]] == ["HELP-1"]
    assert bob["structuredContent"]["issues"] == [] and "No issues in this queue." in bob["text"]


async def test_cloud_takes_the_project_key_as_service_desk_id(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_request_types", {"service_desk_id": "HELP"})
    assert jira.last_request("GET", "/servicedesk/HELP/requesttype").identity == "alice"
    if jira.deployment == "cloud":
        assert not r["isError"] and len(r["structuredContent"]["request_types"]) == 3
    else:
        assert r["isError"] and "404" in r["text"] and "service desk you are trying to view" in r["text"]
