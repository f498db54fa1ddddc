"""OpenProject's workspace tools against the fake OpenProject: the instance (connection, API root,
permissions), projects (read, create, update, delete), priorities and search, notifications (each user's
own), saved queries, boards and documents. Each test asserts the request a tool sent (path, filters JSON,
body) and what it answered; refusals before anything is sent; read-only mode."""

from __future__ import annotations

import json

from passthrough.sandbox.fakes.openproject._workspace_state import workspace_of
from tests.e2e._openproject import (
    ANNA,
    API,
    AS_OTTO,
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

op = openproject_fixture(ANNA, OTTO)
tool = tool_fixture()


# ---------------------------------------------------------------------- the instance


async def test_connection_and_api_info(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_test_connection", {})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/users/me").identity == "anna"
    assert sent(op, "GET", "").identity == "anna" and sent(op, "GET", "/configuration").identity == "anna"
    assert f"Connected to OpenProject at {op.url} as Anna Admin (login anna, id 5)." in r["text"]
    assert "Instance: OpenProject, version 16.6.1." in r["text"]
    assert "(root and configuration read)" in r["text"] and "attachments up to 256 MiB" in r["text"]
    sc = r["structuredContent"]
    assert sc["connected"] is True and sc["api_url"] == op.url + API and sc["core_version"] == "16.6.1"
    assert sc["configuration"]["duration_format"] == "hours_and_minutes" and sc["configuration"]["host_name"]

    info = await tool("openproject_get_api_info", {})
    assert not info["isError"], info["text"]
    links = info["structuredContent"]["links"]
    assert links["configuration"] == f"{API}/configuration" and links["priorities"] == f"{API}/priorities"
    assert "- workPackages: /api/v3/work_packages" in info["text"] and "Signed in as Anna Admin." in info["text"]
    assert "core version 16.6.1" in info["text"]

    # OpenProject shows its version to administrators only
    plain_root = {"_type": "Root", "instanceName": "Team OP", "_links": {"self": {"href": API}}}
    op.add_fault(Fault(200, plain_root, path_contains=API, method="GET"))
    hidden = await tool("openproject_get_api_info", {})
    assert sent(op, "GET", "").identity == "anna"
    assert (
        "Instance: Team OP, core version not shown (OpenProject shows its version to administrators only)."
        in (hidden["text"])
    )
    assert hidden["structuredContent"]["core_version"] is None


async def test_check_permissions_globally_and_per_project_per_user(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_check_permissions", {"project": "demo-project"})
    assert not r["isError"], r["text"]
    asked = sent(op, "GET", "/capabilities")
    assert filters(asked) == [
        {"principal": {"operator": "=", "values": ["5"]}},
        {"context": {"operator": "=", "values": ["g", "p1"]}},
    ]
    assert asked.identity == "anna"
    sc = r["structuredContent"]
    assert "projects/create" in sc["global"] and sc["capabilities_api"] is True
    assert {"projects/update", "work_packages/create", "memberships/create"} <= set(sc["project"]["capabilities"])
    assert sc["project"]["offered"] == {
        "updateImmediately": True,
        "delete": True,
        "createWorkPackageImmediately": True,
    }
    assert "OpenProject offers: edit the project, delete the project, create work packages" in r["text"]

    otto = await tool("openproject_check_permissions", {"projectId": 1}, headers=AS_OTTO)
    assert not otto["isError"], otto["text"]
    assert filters(sent(op, "GET", "/capabilities"))[0] == {"principal": {"operator": "=", "values": ["6"]}}
    sc = otto["structuredContent"]
    assert sc["global"] == [] and "Globally: no capabilities" in otto["text"]
    assert "work_packages/create" in sc["project"]["capabilities"]
    assert "projects/update" not in sc["project"]["capabilities"]
    assert sc["project"]["offered"]["delete"] is False and sc["project"]["offered"]["updateImmediately"] is False
    assert "OpenProject offers: create work packages" in otto["text"]

    plain = await tool("openproject_check_permissions", {})
    assert filters(sent(op, "GET", "/capabilities"))[1]["context"]["values"] == ["g"]
    assert plain["structuredContent"]["project"] is None


async def test_check_permissions_without_a_capabilities_api(op: FakeOpenProject, tool: Call) -> None:
    op.add_fault(Fault(404, path_contains="/capabilities"))
    r = await tool("openproject_check_permissions", {"project": "scrum-project"})
    assert not r["isError"], r["text"]
    assert "no capabilities API" in r["text"] and r["structuredContent"]["capabilities_api"] is False
    assert "OpenProject offers: edit the project, delete the project" in r["text"]


# ---------------------------------------------------------------------- projects


async def test_get_project(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_get_project", {"project": "scrum-project"})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/projects/scrum-project").identity == "anna"
    sc = r["structuredContent"]
    assert (sc["id"], sc["identifier"], sc["status"], sc["status_title"]) == (
        2,
        "scrum-project",
        "on_track",
        "On track",
    )
    assert sc["description"] == "This is a short summary of the goals of this **scrum** demo project."
    assert sc["status_explanation"] == "Sprint 1 is **on schedule**." and sc["parent"] is None
    assert "# Scrum project (scrum-project, id 2)" in r["text"] and "Status: On track | private | active" in r["text"]
    assert f"URL: {op.url}/projects/scrum-project" in r["text"]

    by_id = await tool("openproject_get_project", {"id": 1}, headers=AS_OTTO)
    assert not by_id["isError"], by_id["text"]
    assert sent(op, "GET", "/projects/1").identity == "otto"
    assert by_id["structuredContent"]["identifier"] == "demo-project"
    assert by_id["structuredContent"]["offered"] == ["createWorkPackageImmediately"]

    missing = await tool("openproject_get_project", {"project": "nope"})
    assert missing["isError"] and "404" in missing["text"] and "could not be found" in missing["text"]


async def test_create_project(op: FakeOpenProject, tool: Call) -> None:
    args = {
        "name": "Website relaunch",
        "identifier": "website-relaunch",
        "description": "## Why\n\nThe old site is **slow**.",
        "public": True,
        "parent": "demo-project",
        "status": "At risk",
    }
    r = await tool("openproject_create_project", args)
    assert not r["isError"], r["text"]
    body = sent(op, "POST", "/projects").json
    assert body == {
        "name": "Website relaunch",
        "identifier": "website-relaunch",
        "description": {"format": "markdown", "raw": "## Why\n\nThe old site is **slow**."},
        "public": True,
        "_links": {"parent": {"href": "/api/v3/projects/1"}, "status": {"href": "/api/v3/project_statuses/at_risk"}},
    }
    sc = r["structuredContent"]
    assert sc["parent"] == {"id": 1, "name": "Demo project"} and sc["status"] == "at_risk" and sc["public"] is True
    stored = op.projects[sc["id"]]
    assert stored["parent"] == 1 and stored["description"].startswith("## Why")
    assert (
        f"Created project Website relaunch (website-relaunch, id {sc['id']}), public, a subproject of Demo project"
        in (r["text"])
    )

    again = await tool("openproject_create_project", {"name": "Again", "identifier": "website-relaunch"})
    assert again["isError"] and "422" in again["text"] and "Identifier has already been taken." in again["text"]

    denied = await tool("openproject_create_project", {"name": "Mine", "identifier": "ottos"}, headers=AS_OTTO)
    assert denied["isError"] and "403" in denied["text"] and "not authorized" in denied["text"]
    assert not any(p["identifier"] == "ottos" for p in op.projects.values())

    before = len(op.requests)
    for bad in (
        {"name": "X", "identifier": "Has Spaces"},
        {"name": "", "identifier": "fine"},
        {"name": "X", "identifier": "fine", "status": "sideways"},
        {"name": "X", "identifier": "fine", "file_path": "/etc/passwd"},
    ):
        refused = await tool("openproject_create_project", bad)
        assert refused["isError"], bad
    assert len(op.requests) == before, "bad arguments are refused before anything is sent"


async def test_update_project_sends_only_what_changes(op: FakeOpenProject, tool: Call) -> None:
    r = await tool(
        "openproject_update_project",
        {"id": 2, "name": "Scrum team", "public": True, "status": "off_track", "parent": "demo-project"},
    )
    assert not r["isError"], r["text"]
    body = sent(op, "PATCH", "/projects/2").json
    assert body == {
        "name": "Scrum team",
        "public": True,
        "_links": {"parent": {"href": "/api/v3/projects/1"}, "status": {"href": "/api/v3/project_statuses/off_track"}},
    }
    assert "lockVersion" not in body and "description" not in body
    stored = op.projects[2]
    assert stored["name"] == "Scrum team" and stored["public"] is True and stored["parent"] == 1
    assert stored["description"].startswith("This is a short summary"), "untouched fields stay"
    sc = r["structuredContent"]
    assert sc["changes"]["name"] == {"before": "Scrum project", "after": "Scrum team"}
    assert sc["changes"]["status"] == {"before": "on_track", "after": "off_track"}
    assert (
        "Updated project Scrum team (scrum-project, id 2): name Scrum project → Scrum team, public False → True, "
        "parent none → Demo project, status on_track → off_track." in r["text"]
    )

    cleared = await tool("openproject_update_project", {"project": "scrum-project", "parent": "", "status": ""})
    assert not cleared["isError"], cleared["text"]
    assert sent(op, "PATCH", "/projects/2").json == {"_links": {"parent": {"href": None}, "status": {"href": None}}}
    assert op.projects[2]["parent"] is None and op.projects[2]["status"] is None

    text = await tool("openproject_update_project", {"project": "demo-project", "description": "New **goals**"})
    assert sent(op, "PATCH", "/projects/1").json == {"description": {"format": "markdown", "raw": "New **goals**"}}
    assert text["structuredContent"]["description"] == "New **goals**"

    denied = await tool("openproject_update_project", {"project": "demo-project", "name": "Otto's"}, headers=AS_OTTO)
    assert denied["isError"] and "403" in denied["text"] and op.projects[1]["name"] == "Demo project"

    before = len(op.requests)
    nothing = await tool("openproject_update_project", {"project": "demo-project"})
    assert nothing["isError"] and "at least one" in nothing["text"]
    assert len(op.requests) == before


async def test_delete_project_says_what_it_deleted(op: FakeOpenProject, tool: Call) -> None:
    denied = await tool("openproject_delete_project", {"project": "scrum-project"}, headers=AS_OTTO)
    assert denied["isError"] and "403" in denied["text"] and op.projects[2]["active"] is True

    r = await tool("openproject_delete_project", {"id": 2})
    assert not r["isError"], r["text"]
    deleted = sent(op, "DELETE", "/projects/2")
    assert deleted.identity == "anna" and deleted.headers["content-type"].startswith("application/json")
    counted = sent(op, "GET", "/work_packages")
    assert filters(counted) == [{"project": {"operator": "=", "values": ["2"]}}]
    assert "Deleted project Scrum project (scrum-project, id 2), with its 10 work packages." in r["text"]
    assert "in the background" in r["text"] and "archived at once" in r["text"]
    sc = r["structuredContent"]
    assert sc["status"] == 204 and sc["asynchronous"] is True and sc["work_packages"] == 10
    assert op.projects[2]["active"] is False and workspace_of(op.state).deletions == [2]

    missing = await tool("openproject_delete_project", {"project": "ghost"})
    assert missing["isError"] and "404" in missing["text"]
    assert count(op, "DELETE", "/projects/ghost") == 0, "an unknown project is never sent a DELETE"


async def test_read_only_withholds_delete_project_and_sends_nothing(op: FakeOpenProject) -> None:
    writes = {
        "openproject_delete_project": {"project": "demo-project"},
        "openproject_create_project": {"name": "X", "identifier": "x"},
        "openproject_update_project": {"project": "demo-project", "name": "Y"},
        "openproject_mark_notification_read": {"notification_id": 1},
        "openproject_mark_all_notifications_read": {},
    }
    reads = ("openproject_get_project", "openproject_list_notifications", "openproject_get_board")
    await assert_read_only_refuses(op, reads, writes)
    assert op.projects[1]["active"] is True and not workspace_of(op.state).deletions


async def test_toolsets_and_annotations(op: FakeOpenProject) -> None:
    toolsets = ",".join(f"openproject_{name}" for name in ("system", "notifications", "queries", "documents"))
    tools = await tools_listed(op, PASSTHROUGH_TOOLSETS=toolsets)
    assert set(tools) == {
        "openproject_test_connection",
        "openproject_get_api_info",
        "openproject_check_permissions",
        "openproject_list_notifications",
        "openproject_mark_notification_read",
        "openproject_mark_all_notifications_read",
        "openproject_list_queries",
        "openproject_get_query",
        "openproject_get_boards",
        "openproject_get_board",
        "openproject_list_documents",
        "openproject_get_document",
    }
    assert tools["openproject_mark_notification_read"]["annotations"]["readOnlyHint"] is False
    assert tools["openproject_get_board"]["annotations"]["readOnlyHint"] is True
    tools = await tools_listed(op, PASSTHROUGH_TOOLSETS="openproject_projects")
    assert tools["openproject_delete_project"]["annotations"]["destructiveHint"] is True
    assert set(tools["openproject_create_project"]["inputSchema"]["required"]) == {"name", "identifier"}


# ---------------------------------------------------------------------- priorities and search


async def test_priorities_are_cached_for_each_user_alone(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_priorities", {})
    assert not r["isError"], r["text"]
    names = [p["name"] for p in r["structuredContent"]["priorities"]]
    assert names == ["Low", "Normal", "High", "Immediate"] and "- Normal (id 8) — default" in r["text"]
    await tool("openproject_list_priorities", {})
    asked = [q.identity for q in op.requests if q.path == f"{API}/priorities"]
    assert asked == ["anna"], "cached for Anna"
    otto = await tool("openproject_list_priorities", {}, headers=AS_OTTO)
    assert otto["structuredContent"] == r["structuredContent"]
    asked = [q.identity for q in op.requests if q.path == f"{API}/priorities"]
    assert asked == ["anna", "otto"], "Anna's cached catalog never answers for Otto"


async def test_search_work_packages_and_projects(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_search", {"query": "password", "type": "work_package"})
    assert not r["isError"], r["text"]
    asked = sent(op, "GET", "/work_packages")
    assert filters(asked) == [{"search": {"operator": "**", "values": ["password"]}}]
    assert json.loads(asked.query["sortBy"]) == [["updatedAt", "desc"]] and asked.query["pageSize"] == "10"
    ids = {w["id"] for w in r["structuredContent"]["work_packages"]}
    assert ids == {5, 10} and r["structuredContent"]["total"] == 2
    assert "2 of 2 work packages matching 'password' (page 1):" in r["text"]

    paged = await tool("openproject_search", {"query": "the", "limit": 2, "project": "scrum-project"})
    asked = sent(op, "GET", "/work_packages")
    assert filters(asked)[1] == {"project": {"operator": "=", "values": ["2"]}} and asked.query["offset"] == "1"
    assert all(w["project_id"] == "2" for w in paged["structuredContent"]["work_packages"])
    assert paged["structuredContent"]["next_offset"] == 2 and "offset=2" in paged["text"]

    projects = await tool("openproject_search", {"query": "scrum", "type": "project"})
    assert filters(sent(op, "GET", "/projects")) == [{"name_and_identifier": {"operator": "~", "values": ["scrum"]}}]
    assert [p["identifier"] for p in projects["structuredContent"]["projects"]] == ["scrum-project"]

    before = len(op.requests)
    users = await tool("openproject_search", {"query": "anna", "type": "user"})
    assert users["isError"] and "openproject_list_users" in users["text"]
    empty = await tool("openproject_search", {"query": ""})
    assert empty["isError"]
    assert len(op.requests) == before


# ---------------------------------------------------------------------- notifications


async def test_notifications_are_each_users_own(op: FakeOpenProject, tool: Call) -> None:
    anna = await tool("openproject_list_notifications", {})
    assert not anna["isError"], anna["text"]
    asked = sent(op, "GET", "/notifications")
    assert asked.identity == "anna" and "filters" not in asked.query and asked.query["offset"] == "1"
    rows = anna["structuredContent"]["notifications"]
    assert [n["id"] for n in rows] == [5, 4, 3, 2, 1], "newest first, and only Anna's"
    assert rows[-1] == {
        "id": 1,
        "reason": "mentioned",
        "read": False,
        "work_package_id": 1,
        "subject": "Project kick-off",
        "project": "Demo project",
        "actor": "Otto Other",
        "created_at": rows[-1]["created_at"],
    }
    assert "- #1 [unread] mentioned: #1 Project kick-off (Demo project) by Otto Other" in anna["text"]

    otto = await tool("openproject_list_notifications", {}, headers=AS_OTTO)
    assert [n["id"] for n in otto["structuredContent"]["notifications"]] == [7, 6]
    assert "Project kick-off" not in otto["text"]

    unread = await tool(
        "openproject_list_notifications", {"unread": True, "reason": "mentioned,assigned", "pageSize": 2}
    )
    asked = sent(op, "GET", "/notifications")
    assert filters(asked) == [
        {"readIAN": {"operator": "=", "values": ["f"]}},
        {"reason": {"operator": "=", "values": ["assigned", "mentioned"]}},
    ]
    assert asked.query["pageSize"] == "2"
    assert [n["id"] for n in unread["structuredContent"]["notifications"]] == [2, 1]
    assert "2 of 2 unread notifications" in unread["text"]

    in_project = await tool("openproject_list_notifications", {"project": "scrum-project"})
    assert filters(sent(op, "GET", "/notifications")) == [{"project": {"operator": "=", "values": ["2"]}}]
    assert [n["id"] for n in in_project["structuredContent"]["notifications"]] == [5]

    bad = await tool("openproject_list_notifications", {"reason": "gossip"})
    assert bad["isError"] and "reason" in bad["text"]


async def test_mark_notifications_read_never_touches_another_users(op: FakeOpenProject, tool: Call) -> None:
    notes = workspace_of(op.state).notifications
    r = await tool("openproject_mark_notification_read", {"id": 1})
    assert not r["isError"], r["text"]
    assert sent(op, "POST", "/notifications/1/read_ian").identity == "anna"
    assert notes[1]["readIAN"] is True
    assert "Marked notification #1 (mentioned: #1 Project kick-off) as read." in r["text"]

    again = await tool("openproject_mark_notification_read", {"notification_id": 1})
    assert "(it already was)" in again["text"] and count(op, "POST", "/notifications/1/read_ian") == 1

    stolen = await tool("openproject_mark_notification_read", {"notification_id": 2}, headers=AS_OTTO)
    assert stolen["isError"] and "404" in stolen["text"]
    assert notes[2]["readIAN"] is False and count(op, "POST", "/notifications/2/read_ian") == 0

    mine = await tool("openproject_mark_all_notifications_read", {}, headers=AS_OTTO)
    assert not mine["isError"], mine["text"]
    posted = sent(op, "POST", "/notifications/read_ian")
    assert posted.identity == "otto" and filters(posted) == [{"readIAN": {"operator": "=", "values": ["f"]}}]
    assert "Marked 1 unread notifications as read." in mine["text"]
    assert notes[6]["readIAN"] is True
    assert [n["id"] for n in notes.values() if n["recipient"] == ANNA.id and not n["readIAN"]] == [2, 4, 5]

    some = await tool("openproject_mark_all_notifications_read", {"reason": ["dateAlert"]})
    assert filters(sent(op, "POST", "/notifications/read_ian"))[1] == {
        "reason": {"operator": "=", "values": ["dateAlert"]}
    }
    assert "Marked 1 unread notifications as read (reason dateAlert)." in some["text"]
    assert notes[4]["readIAN"] is True and notes[2]["readIAN"] is False and notes[5]["readIAN"] is False

    posts = count(op, "POST", "/notifications/read_ian")
    none_left = await tool("openproject_mark_all_notifications_read", {}, headers=AS_OTTO)
    assert "nothing changed" in none_left["text"] and count(op, "POST", "/notifications/read_ian") == posts


# ---------------------------------------------------------------------- queries and boards


async def test_queries_own_and_public(op: FakeOpenProject, tool: Call) -> None:
    anna = await tool("openproject_list_queries", {})
    assert not anna["isError"], anna["text"]
    assert filters(sent(op, "GET", "/queries")) == [{"hidden": {"operator": "=", "values": ["f"]}}]
    assert [q["name"] for q in anna["structuredContent"]["queries"]] == ["Open bugs", "Unassigned tasks"]
    assert "- #1 Open bugs (Demo project; public, starred; by Anna Admin): Status open; Type is Bug" in anna["text"]

    otto = await tool("openproject_list_queries", {}, headers=AS_OTTO)
    assert [q["name"] for q in otto["structuredContent"]["queries"]] == ["Open bugs", "Assigned to me"]

    hidden = await tool("openproject_list_queries", {"project": "demo-project", "include_hidden": True})
    assert filters(sent(op, "GET", "/queries")) == [{"project": {"operator": "=", "values": ["1"]}}]
    assert [q["id"] for q in hidden["structuredContent"]["queries"]] == [1, 2, 4, 5]

    raw = await tool("openproject_list_queries", {"filters": '[{"id":{"operator":"=","values":["1"]}}]'})
    assert filters(sent(op, "GET", "/queries"))[0] == {"id": {"operator": "=", "values": ["1"]}}
    assert [q["id"] for q in raw["structuredContent"]["queries"]] == [1]


async def test_get_query_with_and_without_results(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_get_query", {"id": 1, "page_size": 2})
    assert not r["isError"], r["text"]
    asked = sent(op, "GET", "/queries/1")
    assert asked.query["pageSize"] == "2" and asked.query["offset"] == "1"
    sc = r["structuredContent"]
    assert sc["filters"] == ["Status open", "Type is Bug"]
    assert sc["columns"] == ["ID", "Subject", "Status", "Priority", "Assignee"]
    assert sc["sort_by"] == ["Priority (Descending)", "ID (Ascending)"]
    open_bugs = [
        w for w in op.work_packages.values() if w["type"] == 7 and w["project"] == 1 and w["status"] not in (12, 14)
    ]
    assert sc["total"] == len(open_bugs) and len(sc["work_packages"]) == 2
    assert sc["work_packages"][0]["priority"] == "Immediate" and sc["next_offset"] == 2
    assert f"{len(open_bugs)} work packages match." in r["text"] and "Filters: Status open; Type is Bug" in r["text"]

    bare = await tool("openproject_get_query", {"query_id": 2, "results": False})
    assert sent(op, "GET", "/queries/2").query["pageSize"] == "0"
    assert bare["structuredContent"]["work_packages"] == [] and bare["structuredContent"]["group_by"] == "Status"
    assert "Assignee is empty" in bare["structuredContent"]["filters"]

    private = await tool("openproject_get_query", {"query_id": 2}, headers=AS_OTTO)
    assert private["isError"] and "404" in private["text"] and "The specified query does not exist." in private["text"]


async def test_boards_of_a_project_and_of_all(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_get_boards", {"project": "demo-project"})
    assert not r["isError"], r["text"]
    assert filters(sent(op, "GET", "/grids")) == [
        {"scope": {"operator": "=", "values": ["/projects/demo-project/boards"]}}
    ]
    boards = r["structuredContent"]["boards"]
    assert [(b["id"], b["name"], b["project"], b["kind"]) for b in boards] == [
        (1, "Kanban", "demo-project", "action board by status")
    ]
    assert "- Board #1 Kanban in demo-project: action board by status, 2 columns" in r["text"]

    by_id = await tool("openproject_get_boards", {"projectId": 2})
    assert sent(op, "GET", "/projects/2").identity == "anna"
    assert filters(sent(op, "GET", "/grids"))[0]["scope"]["values"] == ["/projects/scrum-project/boards"]
    assert [b["name"] for b in by_id["structuredContent"]["boards"]] == ["Sprint board"]

    every = await tool("openproject_get_boards", {})
    assert filters(sent(op, "GET", "/grids"))[0]["scope"]["values"] == [
        "/projects/demo-project/boards",
        "/projects/scrum-project/boards",
    ]
    assert [b["id"] for b in every["structuredContent"]["boards"]] == [1, 3], "never the My page grid"


async def test_get_board_reads_its_column_queries(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_get_board", {"id": 1, "page_size": 3})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/grids/1").identity == "anna"
    assert sent(op, "GET", "/queries/4").query["pageSize"] == "3" and count(op, "GET", "/queries/5") == 1
    columns = r["structuredContent"]["columns"]
    assert [(c["query_id"], c["name"]) for c in columns] == [(4, "New"), (5, "In progress")]
    new = [w for w in op.work_packages.values() if w["project"] == 1 and w["status"] == 1]
    assert columns[0]["total"] == len(new) and len(columns[0]["work_packages"]) == 3
    assert all(w["status"] == "New" for w in columns[0]["work_packages"])
    assert f"## New ({len(new)} work packages)" in r["text"] and "## In progress (" in r["text"]

    bare = await tool("openproject_get_board", {"board_id": 1, "include_work_packages": False})
    assert sent(op, "GET", "/queries/4").query["pageSize"] == "0"
    assert bare["structuredContent"]["columns"][0]["work_packages"] == []

    page = await tool("openproject_get_board", {"board_id": 2})
    assert page["isError"] and "not a board" in page["text"] and "/my/page" in page["text"]
    hidden = await tool("openproject_get_board", {"board_id": 2}, headers=AS_OTTO)
    assert hidden["isError"] and "404" in hidden["text"]


# ---------------------------------------------------------------------- documents


async def test_documents(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_documents", {})
    assert not r["isError"], r["text"]
    asked = sent(op, "GET", "/documents")
    assert json.loads(asked.query["sortBy"]) == [["created_at", "desc"]] and asked.query["pageSize"] == "20"
    assert [d["title"] for d in r["structuredContent"]["documents"]] == [
        "Sprint 1 retrospective",
        "Release checklist",
        "Project charter",
    ]
    assert "- #1 Project charter (Demo project," in r["text"]

    paged = await tool("openproject_list_documents", {"pageSize": 1, "offset": 2, "sortBy": "id:asc"})
    asked = sent(op, "GET", "/documents")
    assert json.loads(asked.query["sortBy"]) == [["id", "asc"]] and asked.query["offset"] == "2"
    assert [d["id"] for d in paged["structuredContent"]["documents"]] == [2]
    assert paged["structuredContent"]["next_offset"] == 3

    doc = await tool("openproject_get_document", {"id": 1})
    assert not doc["isError"], doc["text"]
    assert sent(op, "GET", "/documents/1").identity == "anna"
    assert doc["structuredContent"]["description"].startswith("## Goals\n\nShip the **first release**")
    assert "# Project charter\nProject: Demo project" in doc["text"] and "* Scope: web app" in doc["text"]

    missing = await tool("openproject_get_document", {"document_id": 99})
    assert missing["isError"] and "404" in missing["text"]
    before = len(op.requests)
    bad = await tool("openproject_list_documents", {"sort_by": "title:asc"})
    assert bad["isError"] and "sort_by" in bad["text"] and len(op.requests) == before
