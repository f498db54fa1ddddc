"""Projects, versions, components and fields against the fake Jira, both deployments: what arrived upstream
and what came back; per-user caches never cross users; read-only mode refuses the writes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.jira._data import ISSUE_TYPES
from passthrough.sandbox.fakes.jira._project_meta_state import FIELDS, Component, Field
from tests.conftest import ALICE, BOB, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira

Call = Any


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[Call]:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, jira_headers(ALICE, jira.deployment))


def api(jira: FakeJira) -> str:
    return "/rest/api/3" if jira.deployment == "cloud" else "/rest/api/2"


# ---------------------------------------------------------------------- versions


async def test_get_project_versions(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_project_versions", {"project_key": "DEMO"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/project/DEMO/versions")
    assert sent.path == f"{api(jira)}/project/DEMO/versions" and sent.identity == "alice"
    versions = r["structuredContent"]["versions"]
    assert [v["name"] for v in versions] == ["1.0", "1.1", "2.0"]
    first = versions[0]
    assert first["archived"] and first["released"] and first["release_date"] == "2025-12-01"
    assert "2.0 (id 10002; unreleased, 2026-01-12 → 2026-03-31)" in r["text"]
    assert "3 versions in DEMO" in r["text"]
    missing = await tool("jira_get_project_versions", {"project_key": "NOPE"})
    assert missing["isError"] and "404" in missing["text"] and "NOPE" in missing["text"]


async def test_create_version(jira: FakeJira, tool: Call) -> None:
    args = {
        "project_key": "DEMO",
        "name": "2.1",
        "start_date": "2026-04-01",
        "release_date": "2026-05-15",
        "description": "Reports",
    }
    r = await tool("jira_create_version", args)
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/version")
    assert sent.path == f"{api(jira)}/version"
    project = {"projectId": 10000} if jira.deployment == "cloud" else {"project": "DEMO"}
    assert sent.json == {
        **project,
        "name": "2.1",
        "description": "Reports",
        "startDate": "2026-04-01",
        "releaseDate": "2026-05-15",
        "archived": False,
    }
    if jira.deployment == "cloud":  # the project's id, read once for this user
        assert [q.identity for q in jira.requests_to("/project/DEMO") if q.path.endswith("/DEMO")] == ["alice"]
    version = r["structuredContent"]["version"]
    assert version["name"] == "2.1" and version["release_date"] == "2026-05-15" and version["project_id"] == "10000"
    assert "Created version in DEMO" in r["text"] and "2.1 (id " in r["text"]
    assert any(v["name"] == "2.1" for v in jira.state.project_meta.versions.values())
    nowhere = await tool("jira_create_version", {"project_key": "NOPE", "name": "1.0"})
    assert nowhere["isError"]
    if jira.deployment == "cloud":  # the id look-up finds no project
        assert "404" in nowhere["text"] and "NOPE" in nowhere["text"]
    else:
        assert "400" in nowhere["text"] and "project: Project must be specified" in nowhere["text"]
    again = await tool("jira_create_version", {"project_key": "DEMO", "name": "2.1"})
    assert again["isError"] and "400" in again["text"] and "already exists" in again["text"]
    bad = await tool("jira_create_version", {"project_key": "DEMO", "name": "x", "release_date": "15/05/2026"})
    assert bad["isError"] and "release_date" in bad["text"]
    backwards = {"project_key": "DEMO", "name": "x", "start_date": "2026-05-02", "release_date": "2026-05-01"}
    late = await tool("jira_create_version", backwards)
    assert late["isError"] and "400" in late["text"] and "start date of the version must be before" in late["text"]
    assert jira.last_request("POST", "/version").status == 400


async def test_batch_create_versions_reports_each_item(jira: FakeJira, tool: Call) -> None:
    versions = [
        {"name": "3.0", "startDate": "2026-06-01", "releaseDate": "2026-07-01"},
        {"name": "1.0"},  # taken
        {"name": "3.1", "release_date": "2026-08-01", "description": "Follow-up"},
    ]
    r = await tool("jira_batch_create_versions", {"project_key": "DEMO", "versions": json.dumps(versions)})
    assert not r["isError"], r["text"]
    posts = [q for q in jira.requests_to("/version") if q.method == "POST"]
    assert [q.json["name"] for q in posts] == ["3.0", "1.0", "3.1"]
    assert posts[0].json["startDate"] == "2026-06-01" and posts[2].json["releaseDate"] == "2026-08-01"
    project = {"projectId": 10000} if jira.deployment == "cloud" else {"project": "DEMO"}
    assert all(project.items() <= q.json.items() and q.identity == "alice" for q in posts)
    assert len([q for q in jira.requests_to("/project/DEMO") if q.path.endswith("/DEMO")]) == (
        1 if jira.deployment == "cloud" else 0
    )
    s = r["structuredContent"]
    assert (s["created"], s["failed"]) == (2, 1)
    assert [x["success"] for x in s["results"]] == [True, False, True]
    assert "already exists" in s["results"][1]["error"] and s["results"][2]["version"]["description"] == "Follow-up"
    assert "Created 2 of 3 versions in DEMO" in r["text"] and "- 1.0: not created" in r["text"]
    as_list = await tool("jira_batch_create_versions", {"project_key": "OPS", "versions": [{"name": "2026.2"}]})
    assert not as_list["isError"] and as_list["structuredContent"]["created"] == 1
    too_many = await tool(
        "jira_batch_create_versions", {"project_key": "OPS", "versions": [{"name": f"v{i}"} for i in range(51)]}
    )
    assert too_many["isError"] and "versions" in too_many["text"]
    assert not [q for q in jira.requests_to("/version") if q.method == "POST" and q.json["name"] == "v0"]


async def test_update_version(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_update_version", {"version_id": "10002", "released": True, "release_date": "2026-03-01"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("PUT", "/version/10002")
    assert sent.path == f"{api(jira)}/version/10002" and sent.json == {"releaseDate": "2026-03-01", "released": True}
    version = r["structuredContent"]["version"]
    assert version["released"] and version["release_date"] == "2026-03-01" and version["name"] == "2.0"
    assert r["structuredContent"]["changed"] == ["releaseDate", "released"] and "Updated version 10002" in r["text"]
    assert jira.state.project_meta.versions["10002"]["released"] is True
    missing = await tool("jira_update_version", {"version_id": "999", "name": "x"})
    assert missing["isError"] and "404" in missing["text"] and "999" in missing["text"]
    jira.clear_requests()
    nothing = await tool("jira_update_version", {"version_id": "10002"})
    assert nothing["isError"] and "Nothing to change" in nothing["text"] and not jira.requests


async def test_read_only_refuses_version_writes(jira: FakeJira) -> None:
    env = jira_env(jira, PASSTHROUGH_READ_ONLY="true")
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "jira_get_project_versions" in names
        writes = {
            "jira_update_version": {"version_id": "10002", "archived": True},
            "jira_create_version": {"project_key": "DEMO", "name": "9.9"},
            "jira_batch_create_versions": {"project_key": "DEMO", "versions": [{"name": "9.9"}]},
        }
        assert names.isdisjoint(writes)
        for n, (name, args) in enumerate(writes.items(), start=2):
            body = {"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {"name": name, "arguments": args}}
            reply = (await http.post("/mcp", json=body, headers=jira_headers(ALICE, jira.deployment))).json()
            assert "read-only" in reply["error"]["message"], name
    assert not [q for q in jira.requests if q.method != "GET"]
    assert jira.state.project_meta.versions["10002"]["archived"] is False


async def test_update_version_is_annotated_destructive(jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    tools = {t["name"]: t["annotations"] for t in listed["result"]["tools"]}
    assert tools["jira_update_version"]["destructiveHint"] and not tools["jira_update_version"]["readOnlyHint"]
    assert not tools["jira_create_version"]["destructiveHint"] and not tools["jira_create_version"]["idempotentHint"]
    assert tools["jira_get_create_fields"]["readOnlyHint"] and tools["jira_search_fields"]["readOnlyHint"]


# ---------------------------------------------------------------------- components, projects, issues


async def test_get_project_components(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_project_components", {"project_key": "DEMO"})
    assert not r["isError"], r["text"]
    assert jira.last_request("GET", "/project/DEMO/components").path == f"{api(jira)}/project/DEMO/components"
    rows = r["structuredContent"]["components"]
    assert [c["name"] for c in rows] == ["Backend", "Frontend", "API"]
    assert (
        rows[0]["lead"] == "Alice Example" and rows[1]["lead"] == "Bob Example" and "lead" not in str(rows[2]["lead"])
    )
    assert "- Backend (id 10000, lead Alice Example): Services behind the public API" in r["text"]


async def test_search_projects(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_search_projects", {"query": "oper"})
    assert not r["isError"], r["text"]
    if jira.deployment == "cloud":
        sent = jira.last_request("GET", "/project/search")
        assert sent.path == "/rest/api/3/project/search"
    else:
        sent = jira.last_request("GET", "/projects/picker")
        assert sent.path == "/rest/api/2/projects/picker"
    assert sent.query["query"] == "oper" and sent.query["maxResults"] == "20"
    assert r["structuredContent"]["projects"] == [{"key": "OPS", "name": "Operations", "id": "10001"}]
    assert "OPS — Operations" in r["text"]
    both = await tool("jira_search_projects", {"query": "", "max_results": 5, "current_project_ids": "10001"})
    keys = [p["key"] for p in both["structuredContent"]["projects"]]
    assert "DEMO" in keys and "OPS" not in keys
    if jira.deployment == "server":
        assert jira.last_request("GET", "/projects/picker").query["currentProjectIds"] == "10001"
    else:  # Cloud cannot exclude: one more is asked for, and the excluded one dropped here
        assert jira.last_request("GET", "/project/search").query["maxResults"] == "6"
    none = await tool("jira_search_projects", {"query": "zzz"})
    assert not none["isError"] and none["structuredContent"]["projects"] == [] and "No project" in none["text"]


async def test_get_project_issues_pages(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_project_issues", {"project_key": "OPS", "limit": 2})
    assert not r["isError"], r["text"]
    search = "/search/jql" if jira.deployment == "cloud" else "/search"
    sent = jira.last_request("GET", search)
    assert sent.query["jql"] == 'project = "OPS" ORDER BY created DESC' and sent.query["maxResults"] == "2"
    keys = [i["key"] for i in r["structuredContent"]["issues"]]
    assert keys == ["OPS-5", "OPS-4"] and "Document the on-call handover" in r["text"]
    token = r["structuredContent"]["next_page_token"]
    assert token and f'page_token="{token}"' in r["text"]
    following = await tool("jira_get_project_issues", {"project_key": "OPS", "limit": 2, "page_token": token})
    assert [i["key"] for i in following["structuredContent"]["issues"]] == ["OPS-3", "OPS-2"]
    skipped = await tool("jira_get_project_issues", {"project_key": "OPS", "limit": 10, "start_at": 3})
    assert [i["key"] for i in skipped["structuredContent"]["issues"]] == ["OPS-2", "OPS-1"]
    if jira.deployment == "server":
        assert jira.last_request("GET", "/search").query["startAt"] == "3"
        assert "2 of 5 issues in OPS" in skipped["text"]
    beyond = await tool("jira_get_project_issues", {"project_key": "OPS", "start_at": 9})
    assert not beyond["isError"] and beyond["structuredContent"]["issues"] == []
    assert "no more than 9 issues" in beyond["text"] or "No more issues in OPS" in beyond["text"]


async def test_peer_aliases_of_projects_and_issue_types(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_all_projects", {"include_archived": True})
    assert not r["isError"], r["text"]
    if jira.deployment == "cloud":
        assert jira.last_request("GET", "/project/search").query["status"] == "live,archived"
    else:
        assert jira.last_request("GET", "/project").query["includeArchived"] == "true"
    assert {"DEMO", "OPS"} <= {p["key"] for p in r["structuredContent"]["projects"]}
    plain = await tool("jira_get_all_projects", {})
    assert not plain["isError"] and "- OPS — Operations" in plain["text"]
    types = await tool("jira_get_project_issue_types", {"project_key": "DEMO"})
    assert not types["isError"] and "Bug" in types["text"]
    assert jira.last_request("GET", "/issue/createmeta/DEMO/issuetypes").identity == "alice"


# ---------------------------------------------------------------------- fields and create metadata


async def test_get_create_fields(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_create_fields", {"project_key": "DEMO", "issue_type_id": "10004"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/issue/createmeta/DEMO/issuetypes/10004")
    assert sent.path == f"{api(jira)}/issue/createmeta/DEMO/issuetypes/10004" and sent.query["startAt"] == "0"
    fields = {f["field_id"]: f for f in r["structuredContent"]["fields"]}
    assert fields["summary"]["required"] and not fields["customfield_10011"]["required"]
    assert [v["value"] for v in fields["customfield_10011"]["allowed_values"]] == [
        "Critical",
        "Major",
        "Minor",
        "Trivial",
    ]
    assert [v["value"] for v in fields["fixVersions"]["allowed_values"]] == ["1.1", "2.0"]  # 1.0 is archived
    required = sum(1 for f in fields.values() if f["required"])
    assert f"To create a Bug (issue type 10004) in DEMO: {len(fields)} fields, {required} required." in r["text"]
    assert "Required:" in r["text"] and "- Summary (`summary`, string)" in r["text"]
    assert "- Severity (`customfield_10011`, option): Critical, Major, Minor, Trivial" in r["text"]
    by_name = await tool("jira_get_create_fields", {"project_key": "DEMO", "issue_type_id": "Sub-task"})
    assert "To create a Sub-task (issue type 10003) in DEMO" in by_name["text"]
    assert any(f["field_id"] == "parent" and f["required"] for f in by_name["structuredContent"]["fields"])
    wrong = await tool("jira_get_create_fields", {"project_key": "DEMO", "issue_type_id": "Saga"})
    assert wrong["isError"] and "no issue type 'Saga'" in wrong["text"] and "Bug" in wrong["text"]


async def test_get_project_fields(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_project_fields", {"project_key": "OPS"})
    assert not r["isError"], r["text"]
    type_calls = [q for q in jira.requests_to("/issue/createmeta/OPS/issuetypes/") if q.method == "GET"]
    assert len(type_calls) == len(ISSUE_TYPES) and all(q.identity == "alice" for q in type_calls)
    fields = {f["field_id"]: f for f in r["structuredContent"]["fields"]}
    assert fields["parent"]["issue_types"] == ["Sub-task"] and fields["parent"]["required_in"] == ["Sub-task"]
    assert len(fields["summary"]["issue_types"]) == len(ISSUE_TYPES) and fields["customfield_10010"]["custom"]
    assert "- Team (`customfield_10010`, option, custom) — all issue types" in r["text"]
    assert "- Parent (`parent`, issuelink) — Sub-task; required in Sub-task" in r["text"]


async def test_search_fields(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_search_fields", {"keyword": "sever"})
    assert not r["isError"], r["text"]
    assert jira.last_request("GET", "/field").path == f"{api(jira)}/field"
    rows = r["structuredContent"]["fields"]
    assert rows[0]["id"] == "customfield_10011" and rows[0]["name"] == "Severity" and rows[0]["custom"]
    assert "Severity (`customfield_10011`, option, custom)" in r["text"]
    everything = await tool("jira_search_fields", {})
    assert len(everything["structuredContent"]["fields"]) == 10
    assert everything["structuredContent"]["matched"] == len(FIELDS)
    fuzzy = await tool("jira_search_fields", {"keyword": "stpts", "limit": 3})
    assert [f["name"] for f in fuzzy["structuredContent"]["fields"]] == ["Story Points"]
    assert len([q for q in jira.requests_to("/field") if q.path.endswith("/field")]) == 1  # cached for alice
    await tool("jira_search_fields", {"keyword": "team", "refresh": True})
    assert len([q for q in jira.requests_to("/field") if q.path.endswith("/field")]) == 2


async def test_get_field_options(jira: FakeJira, tool: Call) -> None:
    if jira.deployment == "cloud":
        r = await tool("jira_get_field_options", {"field_id": "customfield_10010"})
        assert not r["isError"], r["text"]
        assert jira.last_request("GET", "/field/customfield_10010/context").identity == "alice"
        opts = jira.last_request("GET", "/field/customfield_10010/context/110010/option")
        assert opts.path == "/rest/api/3/field/customfield_10010/context/110010/option"
        assert r["structuredContent"]["source"] == "context 110010"
        given = await tool("jira_get_field_options", {"field_id": "customfield_10011", "context_id": "110011"})
        assert [o["value"] for o in given["structuredContent"]["options"]][:2] == ["Critical", "Major"]
        assert jira.last_request("GET", "/context/110011/option").identity == "alice"
        number = await tool("jira_get_field_options", {"field_id": "customfield_10013"})
        assert number["isError"] and "400" in number["text"] and "doesn't support options" in number["text"]
        system = await tool("jira_get_field_options", {"field_id": "priority"})
        assert system["isError"] and "404" in system["text"] and "custom field was not found" in system["text"]
    else:
        refused = await tool("jira_get_field_options", {"field_id": "customfield_10010"})
        assert refused["isError"] and "give project_key and issue_type" in refused["text"]
        context = await tool("jira_get_field_options", {"field_id": "customfield_10010", "context_id": "110010"})
        assert context["isError"] and "Field contexts are Jira Cloud's" in context["text"]
        assert not jira.requests_to("/context")
        r = await tool(
            "jira_get_field_options", {"field_id": "customfield_10010", "project_key": "DEMO", "issue_type": "Bug"}
        )
        assert not r["isError"], r["text"]
        assert jira.last_request("GET", "/issue/createmeta/DEMO/issuetypes/10004").identity == "alice"
    assert [o["value"] for o in r["structuredContent"]["options"]] == ["Platform", "Mobile", "Web"]
    assert "- Platform (id 10100)" in r["text"]
    narrowed = await tool(
        "jira_get_field_options",
        {
            "field_id": "customfield_10012",
            "project_key": "DEMO",
            "issue_type": "10004",
            "contains": "o",
            "return_limit": 1,
            "values_only": True,
        },
    )
    assert narrowed["structuredContent"]["options"] == ["Production"]
    versions = await tool(
        "jira_get_field_options", {"field_id": "fixVersions", "project_key": "OPS", "issue_type": "Task"}
    )
    assert [o["value"] for o in versions["structuredContent"]["options"]] == ["2026.1"]
    free = await tool("jira_get_field_options", {"field_id": "summary", "project_key": "OPS", "issue_type": "Task"})
    assert free["isError"] and "no options" in free["text"]


async def test_field_options_page_through_every_option(jira: FakeJira, tool: Call) -> None:
    if jira.deployment != "cloud":
        pytest.skip("field contexts and their option pages are Jira Cloud's")
    many = tuple((str(20000 + n), f"Site {n:03d}") for n in range(150))
    meta = jira.state.project_meta
    meta.fields = (*meta.fields, Field("customfield_10098", "Site", "option", "select", options=many))
    r = await tool("jira_get_field_options", {"field_id": "customfield_10098"})
    assert not r["isError"], r["text"]
    pages = jira.requests_to("/field/customfield_10098/context/110098/option")
    assert [q.query["startAt"] for q in pages] == ["0", "100"] and all(q.query["maxResults"] == "100" for q in pages)
    values = [o["value"] for o in r["structuredContent"]["options"]]
    assert len(values) == 150 and values[0] == "Site 000" and values[-1] == "Site 149"
    assert "150 options of customfield_10098" in r["text"]


# ---------------------------------------------------------------------- per-user caches


async def test_cached_fields_never_cross_users(jira: FakeJira, tool: Call) -> None:
    first = await tool("jira_search_fields", {"keyword": "budget"})
    assert first["structuredContent"]["fields"] == []
    meta = jira.state.project_meta
    meta.fields = (*meta.fields, Field("customfield_10099", "Budget", "number", "float"))  # now Bob can see it
    bob = jira_headers(BOB, jira.deployment)
    seen_by_bob = await tool("jira_search_fields", {"keyword": "budget"}, headers=bob)
    assert [f["id"] for f in seen_by_bob["structuredContent"]["fields"]] == ["customfield_10099"]
    field_calls = [q for q in jira.requests_to("/field") if q.path.endswith("/field")]
    assert [q.identity for q in field_calls] == ["alice", "bob"]
    again = await tool("jira_search_fields", {"keyword": "budget"})
    assert again["structuredContent"]["fields"] == []  # Alice's own cached answer, not Bob's
    assert len([q for q in jira.requests_to("/field") if q.path.endswith("/field")]) == 2


async def test_cached_create_metadata_never_crosses_users(jira: FakeJira, tool: Call) -> None:
    args = {"project_key": "OPS", "issue_type_id": "10002"}
    path = "/issue/createmeta/OPS/issuetypes/10002"

    def components(r: dict[str, Any]) -> list[str]:
        field = next(f for f in r["structuredContent"]["fields"] if f["field_id"] == "components")
        return [v["value"] for v in field["allowed_values"]]

    assert components(await tool("jira_get_create_fields", args)) == ["Infrastructure"]
    jira.state.project_meta.components.append(Component("10009", "OPS", "Monitoring", "Alerts", None))
    bob = jira_headers(BOB, jira.deployment)
    assert components(await tool("jira_get_create_fields", args, headers=bob)) == ["Infrastructure", "Monitoring"]
    assert [q.identity for q in jira.requests_to(path)] == ["alice", "bob"]
    assert components(await tool("jira_get_create_fields", args)) == ["Infrastructure"]  # Alice's cache
    options = await tool(
        "jira_get_field_options", {"field_id": "components", "project_key": "OPS", "issue_type": "10002"}
    )
    assert [o["value"] for o in options["structuredContent"]["options"]] == ["Infrastructure"]
    assert len(jira.requests_to(path)) == 2
