"""OpenProject users, groups, placeholder users, assignable people, watchers, memberships and roles against
the fake OpenProject: the requests each tool sends (paths, filters JSON, bodies), what it answers, the
administrator-only refusals, refusals before anything is sent, read-only mode, and per-user name lookups
that never cross users."""

from __future__ import annotations

import json
from typing import Any

from passthrough.providers.openproject import OpenProjectClient
from passthrough.sandbox.fakes.openproject._people_state import people_of
from tests.e2e._openproject import (
    ANNA,
    API,
    AS_OTTO,
    CARLA,
    OTTO,
    Call,
    assert_read_only_refuses,
    count,
    filters,
    openproject_fixture,
    sent,
    tool_fixture,
    tools_listed,
)
from tests.fakes import FakeOpenProject, Fault

op = openproject_fixture(ANNA, OTTO, CARLA)
tool = tool_fixture()


def group_id(op: FakeOpenProject, name: str) -> int:
    return next(g for g, group in people_of(op.state).groups.items() if group["name"] == name)


def placeholder_id(op: FakeOpenProject, name: str) -> int:
    return next(p for p, found in people_of(op.state).placeholders.items() if found["name"] == name)


# ---------------------------------------------------------------------- users


async def test_list_users_filters_and_pages(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_users", {"name": "o", "status": "Active", "pageSize": 2, "offset": 1})
    assert not r["isError"], r["text"]
    request = sent(op, "GET", "/users")
    assert filters(request) == [
        {"status": {"operator": "=", "values": ["active"]}},
        {"name": {"operator": "~", "values": ["o"]}},
    ]
    assert request.query["pageSize"] == "2" and request.query["offset"] == "1"
    # "o" occurs in Otto Other, Carla Cruz and every example.com address: all three, two a page
    s = r["structuredContent"]
    assert s["total"] == 3 and len(s["users"]) == 2 and s["next_offset"] == 2
    assert s["users"][0] == {
        "id": 5,
        "name": "Anna Admin",
        "type": "user",
        "login": "anna",
        "email": "anna@example.com",
        "status": "active",
        "admin": True,
    }
    assert "- Anna Admin (login anna, id 5) — anna@example.com [admin]" in r["text"]
    assert "offset=2" in r["text"]

    r = await tool("openproject_list_users", {"login": "carla", "sortBy": "name:desc"})
    request = sent(op, "GET", "/users")
    assert filters(request) == [{"login": {"operator": "=", "values": ["carla"]}}]
    assert json.loads(request.query["sortBy"]) == [["name", "desc"]]
    assert [u["name"] for u in r["structuredContent"]["users"]] == ["Carla Cruz"]


async def test_list_users_by_group_name(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_users", {"group": "Developers"})
    assert not r["isError"], r["text"]
    assert filters(sent(op, "GET", "/users")) == [
        {"group": {"operator": "=", "values": [str(group_id(op, "Developers"))]}}
    ]
    assert {u["login"] for u in r["structuredContent"]["users"]} == {"anna", "otto"}


async def test_list_users_is_for_administrators(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_users", {}, headers=AS_OTTO)
    assert r["isError"]
    assert "only administrators" in r["text"] and "openproject_list_project_members" in r["text"]
    assert sent(op, "GET", "/users").identity == "otto"


async def test_bad_user_arguments_send_nothing(op: FakeOpenProject, tool: Call) -> None:
    for name, args in (
        ("openproject_list_users", {"status": "sleeping"}),
        ("openproject_list_users", {"page_size": 500}),
        ("openproject_list_users", {"sort_by": "name:sideways"}),
        ("openproject_list_users", {"sort_by": "na;me"}),
        ("openproject_get_user", {"user": ""}),
        ("openproject_list_placeholder_users", {"filters": "{not json"}),
        ("openproject_list_available_assignees", {}),
        ("openproject_list_available_assignees", {"project": "demo-project", "work_package_id": 1}),
        ("openproject_add_work_package_watcher", {"work_package_id": 0, "user": "me"}),
        ("openproject_create_membership", {"project": "demo-project", "principal": "otto", "roles": []}),
        ("openproject_get_membership", {"id": -1}),
    ):
        r = await tool(name, args)
        assert r["isError"], (name, args)
    assert not [q for q in op.requests if q.path != API + "/users/me"], "only the key check reaches OpenProject"


async def test_get_user_by_me_id_login_and_name(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_get_user", {"user": "me"})
    assert not r["isError"], r["text"]
    assert r["structuredContent"]["login"] == "anna"

    r = await tool("openproject_get_user", {"id": 6})
    assert sent(op, "GET", "/users/6").identity == "anna"
    assert r["structuredContent"]["name"] == "Otto Other" and r["text"].startswith("# Otto Other\n")

    r = await tool("openproject_get_user", {"user": "carla"})
    assert not r["isError"], r["text"]
    assert filters(sent(op, "GET", "/principals")) == [
        {"type": {"operator": "=", "values": ["User"]}},
        {"any_name_attribute": {"operator": "~", "values": ["carla"]}},
    ]
    assert sent(op, "GET", "/users/7")
    assert r["structuredContent"]["email"] == "carla@example.com" and "# Carla Cruz" in r["text"]

    r = await tool("openproject_get_user", {"user": "Otto Other"})
    assert r["structuredContent"]["id"] == 6


async def test_unknown_and_ambiguous_users(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_get_user", {"user": 999})
    assert r["isError"] and "No OpenProject user 999 is visible to you" in r["text"]
    r = await tool("openproject_get_user", {"user": "nobody-like-this"})
    assert r["isError"] and "No OpenProject user matching 'nobody-like-this'" in r["text"]
    r = await tool("openproject_get_user", {"user": "example.com"})
    assert r["isError"] and "matches more than one user" in r["text"]
    assert "Anna Admin (id 5)" in r["text"] and "Otto Other (id 6)" in r["text"]


# ---------------------------------------------------------------------- groups and placeholder users


async def test_groups_differ_per_user(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_groups", {"sortBy": "id:asc"})
    assert not r["isError"], r["text"]
    assert json.loads(sent(op, "GET", "/groups").query["sortBy"]) == [["id", "asc"]]
    groups = {g["name"]: g for g in r["structuredContent"]["groups"]}
    assert set(groups) == {"Developers", "Product owners"}
    assert [m["name"] for m in groups["Developers"]["members"]] == ["Anna Admin", "Otto Other"]
    assert "- Developers (id" in r["text"] and "2 members: Anna Admin, Otto Other" in r["text"]

    r = await tool("openproject_list_groups", {}, headers=AS_OTTO)
    assert [g["name"] for g in r["structuredContent"]["groups"]] == ["Developers"]


async def test_get_group_by_id_and_name(op: FakeOpenProject, tool: Call) -> None:
    developers = group_id(op, "Developers")
    r = await tool("openproject_get_group", {"id": developers})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", f"/groups/{developers}")
    assert "## Members (2)" in r["text"] and "- Otto Other (id 6)" in r["text"]

    r = await tool("openproject_get_group", {"group": "product owners"})
    assert r["structuredContent"]["members"] == [{"id": 5, "name": "Anna Admin"}]
    assert filters(sent(op, "GET", "/principals"))[0] == {"type": {"operator": "=", "values": ["Group"]}}

    owners = group_id(op, "Product owners")
    r = await tool("openproject_get_group", {"id": owners}, headers=AS_OTTO)
    assert r["isError"] and f"No OpenProject group {owners} is visible to you" in r["text"]


async def test_placeholder_users(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_placeholder_users", {"name": "UX"})
    assert not r["isError"], r["text"]
    assert filters(sent(op, "GET", "/placeholder_users")) == [{"name": {"operator": "~", "values": ["UX"]}}]
    assert r["structuredContent"]["placeholder_users"] == [
        {"id": placeholder_id(op, "UX Designer"), "name": "UX Designer", "type": "placeholder user", "status": "active"}
    ]

    raw = '[{"name":{"operator":"~","values":["backend"]}}]'
    r = await tool("openproject_list_placeholder_users", {"filters": raw})
    assert sent(op, "GET", "/placeholder_users").query["filters"] == raw
    assert "- Future backend developer (id" in r["text"]

    r = await tool("openproject_list_placeholder_users", {}, headers=AS_OTTO)
    assert r["isError"] and "only administrators (or users allowed to manage placeholder users)" in r["text"]


async def test_available_assignees(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_available_assignees", {"projectId": "demo-project"})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/projects/1/available_assignees")
    names = [a["name"] for a in r["structuredContent"]["assignees"]]
    assert names == ["Anna Admin", "Otto Other", "Developers"]  # the UX Designer placeholder is a Reader
    assert "3 people can be assigned in project demo-project" in r["text"] and "group" in r["text"]

    r = await tool("openproject_list_available_assignees", {"workPackageId": 21})
    assert sent(op, "GET", "/work_packages/21/available_assignees")
    assert "Carla Cruz" in r["text"] and "Future backend developer" in r["text"] and "Otto" not in r["text"]


# ---------------------------------------------------------------------- watchers


async def test_list_and_add_watchers(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_work_package_watchers", {"workPackageId": 5})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/work_packages/5/watchers")
    assert [w["name"] for w in r["structuredContent"]["watchers"]] == ["Anna Admin", "Otto Other"]

    r = await tool("openproject_add_work_package_watcher", {"work_package_id": 1, "user": "otto"})
    assert not r["isError"], r["text"]
    assert sent(op, "POST", "/work_packages/1/watchers").json == {"user": {"href": "/api/v3/users/6"}}
    assert r["text"] == "Otto Other now watches work package #1.\n" and r["structuredContent"]["added"] is True
    assert people_of(op.state).watchers[1] == [5, 6]

    r = await tool("openproject_add_work_package_watcher", {"workPackageId": 1, "userId": 6})
    assert r["text"] == "Otto Other was already watching work package #1.\n"
    assert r["structuredContent"]["added"] is False

    r = await tool("openproject_add_work_package_watcher", {"work_package_id": 2, "user": "me"}, headers=AS_OTTO)
    assert sent(op, "POST", "/work_packages/2/watchers").json == {"user": {"href": "/api/v3/users/6"}}
    assert "Otto Other now watches work package #2" in r["text"]


async def test_add_watcher_refusals(op: FakeOpenProject, tool: Call) -> None:
    # Carla is no member of demo-project: she may not see #1, so she may not watch it
    r = await tool("openproject_add_work_package_watcher", {"work_package_id": 1, "user": "carla"})
    assert r["isError"] and "User is not allowed to view this resource" in r["text"]
    r = await tool("openproject_add_work_package_watcher", {"work_package_id": 9999, "user": "me"})
    assert r["isError"] and "cannot be found" in r["text"]
    assert people_of(op.state).watchers[1] == [5]


async def test_remove_watcher(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_remove_work_package_watcher", {"work_package_id": 5, "user": "Otto Other"})
    assert not r["isError"], r["text"]
    assert sent(op, "DELETE", "/work_packages/5/watchers/6").identity == "anna"
    assert r["text"] == "Otto Other no longer watches work package #5.\n" and r["structuredContent"]["removed"]
    assert people_of(op.state).watchers[5] == [5]

    r = await tool("openproject_remove_work_package_watcher", {"work_package_id": 5, "user": 6})
    assert "was not watching work package #5; nothing changed" in r["text"]
    assert count(op, "DELETE", "/work_packages/5/watchers/6") == 1, "nothing sent for someone not watching"

    # a Member may not remove someone else
    r = await tool("openproject_remove_work_package_watcher", {"work_package_id": 5, "user": "anna"}, headers=AS_OTTO)
    assert r["isError"] and "You are not allowed to remove watchers from this work package" in r["text"]
    assert people_of(op.state).watchers[5] == [5]


# ---------------------------------------------------------------------- memberships and roles


async def test_list_memberships_filters(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_memberships", {"projectId": 1, "pageSize": 3})
    assert not r["isError"], r["text"]
    request = sent(op, "GET", "/memberships")
    assert filters(request) == [{"project": {"operator": "=", "values": ["1"]}}]
    assert request.query["pageSize"] == "3" and json.loads(request.query["sortBy"]) == [["id", "asc"]]
    s = r["structuredContent"]
    assert s["total"] == 4 and s["next_offset"] == 2
    assert s["memberships"][0]["principal"] == "Anna Admin" and s["memberships"][0]["roles"] == ["Project admin"]
    assert "- membership #2: Otto Other in Demo project — Member" in r["text"]

    r = await tool("openproject_list_memberships", {"principal": "Developers", "role": "member"})
    developers = group_id(op, "Developers")
    assert filters(sent(op, "GET", "/memberships")) == [
        {"principal": {"operator": "=", "values": [str(developers)]}},
        {"role": {"operator": "=", "values": ["4"]}},
    ]
    assert [m["principal_type"] for m in r["structuredContent"]["memberships"]] == ["group"]
    assert "Developers (group) in Demo project — Member" in r["text"]


async def test_memberships_are_what_each_user_may_see(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_memberships", {}, headers=AS_OTTO)
    assert {m["project"] for m in r["structuredContent"]["memberships"]} == {"Demo project"}
    r = await tool("openproject_get_membership", {"id": 5}, headers=AS_OTTO)
    assert r["isError"] and "No membership #5 is visible to you" in r["text"]


async def test_get_membership_and_project_members(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_get_membership", {"membership_id": 2})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/memberships/2")
    assert r["text"] == "Membership #2: Otto Other in Demo project with roles Member.\n"
    assert r["structuredContent"]["principal_id"] == 6 and r["structuredContent"]["role_ids"] == [4]

    r = await tool("openproject_list_project_members", {"projectId": "scrum-project"})
    assert filters(sent(op, "GET", "/memberships")) == [{"project": {"operator": "=", "values": ["2"]}}]
    members = {m["name"]: m for m in r["structuredContent"]["members"]}
    assert set(members) == {"Anna Admin", "Carla Cruz", "Product owners", "Future backend developer"}
    assert members["Future backend developer"]["type"] == "placeholder user"
    assert "- Carla Cruz — Member" in r["text"] and "- Product owners (group) — Member" in r["text"]


async def test_create_membership(op: FakeOpenProject, tool: Call) -> None:
    args = {"project": "demo-project", "principal": "carla", "roles": ["Member", "reader"]}
    r = await tool("openproject_create_membership", {**args, "notification_message": "Welcome **aboard**"})
    assert not r["isError"], r["text"]
    assert sent(op, "POST", "/memberships").json == {
        "_links": {
            "project": {"href": "/api/v3/projects/1"},
            "principal": {"href": "/api/v3/users/7"},
            "roles": [{"href": "/api/v3/roles/4"}, {"href": "/api/v3/roles/5"}],
        },
        "_meta": {"notificationMessage": {"format": "markdown", "raw": "Welcome **aboard**"}},
    }
    m = r["structuredContent"]
    assert r["text"] == f"Added Carla Cruz to Demo project as Member, Reader (membership #{m['id']}).\n"
    assert people_of(op.state).memberships[m["id"]]["roles"] == [4, 5]

    r = await tool("openproject_create_membership", args)
    assert r["isError"] and "Principal has already been taken" in r["text"]


async def test_create_membership_for_a_group_by_peer_names(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_create_membership", {"projectId": 2, "principal": "Developers", "roleIds": [5]})
    assert not r["isError"], r["text"]
    body = sent(op, "POST", "/memberships").json
    assert body["_links"]["principal"] == {"href": f"/api/v3/groups/{group_id(op, 'Developers')}"}
    assert body["_links"]["roles"] == [{"href": "/api/v3/roles/5"}] and "_meta" not in body
    assert "Added Developers (group) to Scrum project as Reader" in r["text"]


async def test_create_membership_refusals(op: FakeOpenProject, tool: Call) -> None:
    r = await tool(
        "openproject_create_membership", {"project": "demo-project", "principal": "carla", "roles": ["Boss"]}
    )
    assert r["isError"] and "No role named 'Boss'" in r["text"] and "Project admin" in r["text"]
    assert not [q for q in op.requests if q.method == "POST"]
    r = await tool(
        "openproject_create_membership", {"project": "demo-project", "principal": "carla", "roles": ["Non member"]}
    )
    assert r["isError"] and "Roles has an unassignable role" in r["text"]
    # a Member does not manage members
    r = await tool(
        "openproject_create_membership",
        {"project": "demo-project", "principal": "UX Designer", "roles": ["Member"]},
        headers=AS_OTTO,
    )
    assert r["isError"] and "403" in r["text"] and "not authorized" in r["text"]
    r = await tool("openproject_create_membership", {"project": "no-such", "principal": "carla", "roles": ["Member"]})
    assert r["isError"] and "No OpenProject project 'no-such'" in r["text"]


async def test_update_membership_replaces_roles(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_update_membership", {"id": 2, "roleIds": "Reader, Member", "send_notifications": False})
    assert not r["isError"], r["text"]
    assert sent(op, "PATCH", "/memberships/2").json == {
        "_links": {"roles": [{"href": "/api/v3/roles/5"}, {"href": "/api/v3/roles/4"}]},
        "_meta": {"sendNotifications": False},
    }  # API v3 memberships carry no lockVersion, so none is sent
    assert r["text"] == "Otto Other in Demo project now has roles Reader, Member (was: Member).\n"
    assert people_of(op.state).memberships[2]["roles"] == [5, 4]

    r = await tool("openproject_update_membership", {"id": 2, "roles": ["Member"]}, headers=AS_OTTO)
    assert r["isError"] and "not authorized" in r["text"]
    r = await tool("openproject_update_membership", {"id": 404, "roles": ["Member"]})
    assert r["isError"] and "No membership #404 is visible to you" in r["text"]


async def test_update_membership_sends_a_lock_version_it_is_shown(op: FakeOpenProject, tool: Call) -> None:
    links: dict[str, Any] = {
        "project": {"href": "/api/v3/projects/1", "title": "Demo project"},
        "principal": {"href": "/api/v3/users/6", "title": "Otto Other"},
        "roles": [{"href": "/api/v3/roles/4", "title": "Member"}],
    }
    shown: dict[str, Any] = {"_type": "Membership", "id": 2, "lockVersion": 7, "_links": links}
    op.add_fault(Fault(200, body=shown, method="GET", path_contains="/memberships/2"))
    r = await tool("openproject_update_membership", {"id": 2, "roles": ["Reader"]})
    assert not r["isError"], r["text"]
    assert sent(op, "PATCH", "/memberships/2").json["lockVersion"] == 7

    # a conflict whose roles were changed meanwhile is refused; nothing is overwritten
    moved = {**shown, "lockVersion": 8, "_links": {**links, "roles": [{"href": "/api/v3/roles/3"}]}}
    op.add_fault(Fault(200, body=shown, method="GET", path_contains="/memberships/2"))
    op.add_fault(Fault(409, method="PATCH", path_contains="/memberships/2"))
    op.add_fault(Fault(200, body=moved, method="GET", path_contains="/memberships/2"))
    r = await tool("openproject_update_membership", {"id": 2, "roles": ["Member"]})
    assert r["isError"] and "changed by someone else meanwhile; nothing was overwritten" in r["text"]
    assert count(op, "PATCH", "/memberships/2") == 2
    assert people_of(op.state).memberships[2]["roles"] == [5]

    # a conflict over something else: read again once, and sent again with the new lockVersion
    op.add_fault(Fault(200, body=shown, method="GET", path_contains="/memberships/2"))
    op.add_fault(Fault(409, method="PATCH", path_contains="/memberships/2"))
    op.add_fault(Fault(200, body={**shown, "lockVersion": 9}, method="GET", path_contains="/memberships/2"))
    r = await tool("openproject_update_membership", {"id": 2, "roles": ["Member"]})
    assert not r["isError"], r["text"]
    assert sent(op, "PATCH", "/memberships/2").json["lockVersion"] == 9 and r["structuredContent"]["retried"]
    assert people_of(op.state).memberships[2]["roles"] == [4]


async def test_delete_membership_says_what_it_deleted(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_delete_membership", {"id": 2})
    assert not r["isError"], r["text"]
    assert sent(op, "DELETE", "/memberships/2").headers.get("content-type", "").startswith("application/json")
    assert r["text"] == "Deleted membership #2: Otto Other is no longer a member of Demo project (had Member).\n"
    assert 2 not in people_of(op.state).memberships
    r = await tool("openproject_delete_membership", {"id": 2})
    assert r["isError"] and "No membership #2 is visible to you" in r["text"]
    assert count(op, "DELETE", "/memberships/2") == 1


async def test_roles(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_roles", {})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/roles")
    assert [x["name"] for x in r["structuredContent"]["roles"]][:5] == [
        "Non member",
        "Anonymous",
        "Project admin",
        "Member",
        "Reader",
    ]
    assert "- Member (id 4)" in r["text"]

    r = await tool("openproject_get_role", {"id": 3})
    assert sent(op, "GET", "/roles/3") and r["text"].startswith("# Project admin (role 3)")
    r = await tool("openproject_get_role", {"role": "reader"})
    assert r["structuredContent"] == {"id": 5, "name": "Reader"}
    assert count(op, "GET", "/roles") == 1, "the role list is cached for the user"
    r = await tool("openproject_get_role", {"id": 99})
    assert r["isError"] and "No OpenProject role 99" in r["text"]


# ---------------------------------------------------------------------- read-only, toolsets, isolation

WRITES = {
    "openproject_add_work_package_watcher": {"work_package_id": 1, "user": "otto"},
    "openproject_remove_work_package_watcher": {"work_package_id": 5, "user": "otto"},
    "openproject_create_membership": {"project": "demo-project", "principal": "carla", "roles": ["Member"]},
    "openproject_update_membership": {"id": 2, "roles": ["Reader"]},
    "openproject_delete_membership": {"id": 2},
}


async def test_read_only_refuses_the_writes_and_sends_nothing(op: FakeOpenProject) -> None:
    await assert_read_only_refuses(
        op, ("openproject_list_work_package_watchers", "openproject_list_memberships"), WRITES
    )
    assert 2 in people_of(op.state).memberships and people_of(op.state).watchers[5] == [5, 6]


async def test_toolsets_and_annotations(op: FakeOpenProject) -> None:
    tools = await tools_listed(op, PASSTHROUGH_TOOLSETS="openproject_watchers,openproject_memberships")
    assert set(tools) == {
        "openproject_list_work_package_watchers",
        "openproject_add_work_package_watcher",
        "openproject_remove_work_package_watcher",
        "openproject_list_memberships",
        "openproject_get_membership",
        "openproject_create_membership",
        "openproject_update_membership",
        "openproject_delete_membership",
        "openproject_list_project_members",
        "openproject_list_roles",
        "openproject_get_role",
    }
    for name in ("openproject_remove_work_package_watcher", "openproject_delete_membership"):
        assert tools[name]["annotations"]["destructiveHint"] is True, name
    assert tools["openproject_add_work_package_watcher"]["annotations"]["destructiveHint"] is False
    assert tools["openproject_add_work_package_watcher"]["annotations"]["idempotentHint"] is True
    schema = tools["openproject_add_work_package_watcher"]["inputSchema"]
    assert set(schema["required"]) == {"work_package_id", "user"}


async def test_user_lookups_never_cross_users(op: FakeOpenProject, tool: Call) -> None:
    """Who a name resolves to is cached per user: Anna (an administrator) finds Carla; Otto, who shares no
    project with her, must not be served Anna's cached answer, before or after it."""
    r = await tool("openproject_get_user", {"user": "carla"}, headers=AS_OTTO)
    assert r["isError"] and "No OpenProject user matching 'carla' is visible to you" in r["text"]
    r = await tool("openproject_get_user", {"user": "carla"})
    assert not r["isError"] and r["structuredContent"]["id"] == 7
    r = await tool("openproject_get_user", {"user": "carla"}, headers=AS_OTTO)
    assert r["isError"] and "visible to you" in r["text"]
    asked = [q.identity for q in op.requests if q.path == API + "/principals"]
    assert asked == ["otto", "anna", "otto"], "Otto asks for himself each time (nobody found is not kept)"

    # the same name, a different answer per user, through a write: Anna's cached lookup is hers alone
    r = await tool("openproject_add_work_package_watcher", {"work_package_id": 21, "user": "carla"})
    assert "Carla Cruz was already watching work package #21" in r["text"]
    r = await tool("openproject_add_work_package_watcher", {"work_package_id": 21, "user": "carla"}, headers=AS_OTTO)
    assert r["isError"] and "visible to you" in r["text"]
    assert count(op, "POST", "/work_packages/21/watchers") == 1
    asked = [q.identity for q in op.requests if q.path == API + "/principals"]
    assert asked == ["otto", "anna", "otto", "otto"], "Anna's lookup was kept for her, and for her only"


async def test_user_href_is_the_shared_resolver() -> None:
    # the time family filters by user through this one resolver
    assert callable(OpenProjectClient.user_href) and callable(OpenProjectClient.principal)
