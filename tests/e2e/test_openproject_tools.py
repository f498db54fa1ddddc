"""Every OpenProject tool against the fake OpenProject: filters, paging, names to links, conflicts, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e._openproject import (
    ANNA,
    AS_OTTO,
    OTTO,
    Call,
    MeddlingOpenProject,
    openproject_fixture,
    passthrough,
    tool_fixture,
)
from tests.fakes import FakeOpenProject

op = openproject_fixture(ANNA, OTTO)
tool = tool_fixture()


def filters_sent(op: FakeOpenProject) -> list[dict[str, Any]]:
    found = [r for r in op.requests if r.method == "GET" and r.path.endswith("/work_packages")]
    filters: list[dict[str, Any]] = json.loads(found[-1].query["filters"])
    return filters


async def test_myself_and_reference_lists(op: FakeOpenProject, tool: Call) -> None:
    me = await tool("openproject_get_myself", {})
    assert not me["isError"], me["text"]
    assert me["structuredContent"]["login"] == "anna" and "Anna Admin" in me["text"]
    sent = op.last_request("GET", "/api/v3/users/me")
    assert sent.headers["authorization"].startswith("Basic ") and sent.identity == "anna"
    projects = await tool("openproject_list_projects", {})
    assert {p["identifier"] for p in projects["structuredContent"]["projects"]} >= {"demo-project", "scrum-project"}
    statuses = await tool("openproject_list_statuses", {})
    assert any(s["is_closed"] for s in statuses["structuredContent"]["statuses"])
    types = await tool("openproject_list_types", {"project": "demo-project"})
    assert "Task" in {t["name"] for t in types["structuredContent"]["types"]}


async def test_search_builds_filters_and_pages(op: FakeOpenProject, tool: Call) -> None:
    first = await tool("openproject_search_work_packages", {"project": "demo-project", "page_size": 5})
    assert not first["isError"], first["text"]
    sc = first["structuredContent"]
    assert {"status": {"operator": "o", "values": []}} in filters_sent(op)
    assert {"project": {"operator": "=", "values": ["1"]}} in filters_sent(op)
    assert len(sc["work_packages"]) == 5 and sc["total"] > 5 and sc["next_offset"] == 2
    seen = [wp["id"] for wp in sc["work_packages"]]
    offset = sc["next_offset"]
    while offset:
        page = await tool(
            "openproject_search_work_packages", {"project": "demo-project", "page_size": 5, "offset": offset}
        )
        seen += [wp["id"] for wp in page["structuredContent"]["work_packages"]]
        offset = page["structuredContent"]["next_offset"]
    assert len(seen) == len(set(seen)) == sc["total"]
    assert [r.query["offset"] for r in op.requests if r.path.endswith("/work_packages")][:2] == ["1", "2"]

    closed = await tool("openproject_search_work_packages", {"status": "closed"})
    assert {"status": {"operator": "c", "values": []}} in filters_sent(op)
    assert all(wp["status"] in ("Closed", "Rejected") for wp in closed["structuredContent"]["work_packages"])
    named = await tool("openproject_search_work_packages", {"status": "in progress, closed", "query": "login"})
    assert not named["isError"], named["text"]
    sent = filters_sent(op)
    assert {"status": {"operator": "=", "values": ["7", "12"]}} in sent
    assert {"search": {"operator": "**", "values": ["login"]}} in sent
    everything = await tool("openproject_search_work_packages", {"status": "all", "page_size": 100})
    assert not any("status" in f for f in filters_sent(op))
    assert everything["structuredContent"]["total"] == len(op.work_packages)
    bad = await tool("openproject_search_work_packages", {"status": "Teleported"})
    assert bad["isError"] and "Known:" in bad["text"]


async def test_reference_lookups_are_cached_per_user(op: FakeOpenProject, tool: Call) -> None:
    for _ in range(3):
        await tool("openproject_search_work_packages", {"status": "closed, in progress", "project": "scrum-project"})
    assert len([r for r in op.requests if r.path == "/api/v3/statuses"]) == 1
    assert len([r for r in op.requests if r.path == "/api/v3/users/me"]) == 1
    assert len([r for r in op.requests if r.path == "/api/v3/projects/scrum-project"]) == 1
    await tool(
        "openproject_search_work_packages",
        {"status": "closed, in progress"},
        headers=AS_OTTO,
    )
    statuses = [r for r in op.requests if r.path == "/api/v3/statuses"]
    assert [r.identity for r in statuses] == ["anna", "otto"], "one user's cache must not serve another"
    assert op.sessions, "the fake handed out session cookies"
    assert not [r for r in op.requests if r.auth_via == "cookie" or r.cookie_identity], "a cookie went upstream"


async def test_get_work_package_with_activity(op: FakeOpenProject, tool: Call) -> None:
    wp_id = next(i for i, a in op.activities.items() if len(a) >= 2)
    r = await tool("openproject_get_work_package", {"work_package_id": wp_id})
    assert not r["isError"], r["text"]
    sc = r["structuredContent"]
    assert sc["id"] == wp_id and sc["lock_version"] is not None and sc["activity"]
    assert r["text"].startswith(f"# #{wp_id}: ") and "## Recent activity" in r["text"]
    missing = await tool("openproject_get_work_package", {"work_package_id": 999999})
    assert missing["isError"] and "404" in missing["text"] and "cannot be found" in missing["text"]


async def test_create_resolves_names_to_links(op: FakeOpenProject, tool: Call) -> None:
    r = await tool(
        "openproject_create_work_package",
        {
            "project": "demo-project",
            "subject": "Ship it",
            "type": "bug",
            "status": "In progress",
            "assignee": "me",
            "description": "Do **this**",
        },
    )
    assert not r["isError"], r["text"]
    sent = op.last_request("POST", "/work_packages").json
    assert sent["_links"]["type"] == {"href": "/api/v3/types/7"}
    assert sent["_links"]["status"] == {"href": "/api/v3/statuses/7"}
    assert sent["_links"]["assignee"] == {"href": f"/api/v3/users/{ANNA.id}"}
    assert sent["description"]["raw"] == "Do **this**"
    assert op.work_packages[r["structuredContent"]["id"]]["subject"] == "Ship it"
    blank = await tool("openproject_create_work_package", {"project": "demo-project", "subject": " "})
    assert blank["isError"]
    unknown_type = await tool(
        "openproject_create_work_package", {"project": "demo-project", "subject": "x", "type": "Saga"}
    )
    assert unknown_type["isError"] and "No type named 'Saga'" in unknown_type["text"]


async def test_upstream_validation_errors_are_named(op: FakeOpenProject, tool: Call) -> None:
    wp_id = next(i for i, wp in op.work_packages.items() if wp.get("type") in ("Milestone", 2))
    r = await tool("openproject_update_work_package", {"work_package_id": wp_id, "status": "In progress"})
    assert r["isError"] and "422" in r["text"]


async def test_update_sends_lock_version_and_handles_conflicts() -> None:
    op = MeddlingOpenProject([ANNA, OTTO])
    async with op.serve(), passthrough(op) as tool:
        wp_id = 3
        r = await tool("openproject_update_work_package", {"work_package_id": wp_id, "subject": "Renamed"})
        assert not r["isError"], r["text"]
        assert op.updates[-1]["status"] == 200 and op.updates[-1]["lockVersion"] == op.updates[-1]["current"]

        # someone else changes another field between our read and our write: one re-read, one retry
        op.before_patch = lambda: op.touch(wp_id, by="otto", description="edited by otto")
        r = await tool("openproject_update_work_package", {"work_package_id": wp_id, "subject": "Renamed again"})
        assert not r["isError"], r["text"]
        assert r["structuredContent"]["retried"] is True
        assert [u["status"] for u in op.updates[-2:]] == [409, 200]
        assert op.work_packages[wp_id]["subject"] == "Renamed again"

        # someone else changes the same field: reported, nothing overwritten
        op.before_patch = lambda: op.touch(wp_id, by="otto", subject="Otto's title")
        r = await tool("openproject_update_work_package", {"work_package_id": wp_id, "subject": "Mine"})
        assert r["isError"] and "changed by someone else" in r["text"] and "subject" in r["text"]
        assert op.work_packages[wp_id]["subject"] == "Otto's title"
        assert op.updates[-1]["status"] == 409


async def test_comment(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_add_comment", {"work_package_id": 1, "comment": "Looks *fine*"})
    assert not r["isError"], r["text"]
    assert op.activities[1][-1]["comment"] in ("Looks *fine*", {"raw": "Looks *fine*"}) or "Looks *fine*" in str(
        op.activities[1][-1]
    )


async def test_authorization_header_never_goes_to_openproject(op: FakeOpenProject) -> None:
    async with passthrough(op, {}, env={"PASSTHROUGH_FALLBACK": "off"}) as call:
        r = await call("openproject_get_myself", {}, {"Authorization": f"Bearer {ANNA.api_key}"})
    assert r["isError"] and "X-OpenProject-Key" in r["text"]
    assert op.requests == []


@pytest.mark.parametrize("fallback_to_anonymous", [False, True])
async def test_a_bad_key_never_looks_like_success(fallback_to_anonymous: bool) -> None:
    fake = FakeOpenProject([ANNA], allow_anonymous=True, bad_key_falls_back_to_anonymous=fallback_to_anonymous)
    async with fake.serve(), passthrough(fake, {"X-OpenProject-Key": "wrong-key-" + "c" * 30}) as call:
        me = await call("openproject_get_myself", {})
        listed = await call("openproject_search_work_packages", {})
    assert me["isError"] and listed["isError"]
    expected = "anonymous" if fallback_to_anonymous else "401"
    assert expected in me["text"] and expected in listed["text"]
    assert not [r for r in fake.requests if r.path.endswith("/work_packages")], "no data fetched for a bad key"
