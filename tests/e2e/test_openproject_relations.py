"""OpenProject relations, parent and children, deleting work packages and their activities, against the fake
OpenProject: the requests each tool sends (paths, filters JSON, bodies, lockVersion), what it answers,
refusals before anything is sent, conflicts, and read-only mode."""

from __future__ import annotations

import json

import httpx

from passthrough.sandbox.fakes.openproject._relations_state import relations_of
from tests.e2e._openproject import (
    ANNA,
    API,
    OTTO,
    Call,
    MeddlingOpenProject,
    assert_read_only_refuses,
    count,
    openproject_fixture,
    sent,
    tool_fixture,
    tools_listed,
)
from tests.fakes import FakeOpenProject

op = openproject_fixture(ANNA, OTTO, kind=MeddlingOpenProject)
tool = tool_fixture()


# ---------------------------------------------------------------------- parent and children


async def test_set_move_and_remove_parent(op: FakeOpenProject, tool: Call) -> None:
    lock = op.work_packages[5]["lockVersion"]
    r = await tool("openproject_set_work_package_parent", {"work_package_id": 5, "parent_id": 1})
    assert not r["isError"], r["text"]
    body = sent(op, "PATCH", "/work_packages/5").json
    assert body == {"lockVersion": lock, "_links": {"parent": {"href": "/api/v3/work_packages/1"}}}
    assert sent(op, "PATCH", "/work_packages/5").identity == "anna"
    assert op.work_packages[5]["parent"] == 1 and op.work_packages[5]["lockVersion"] == lock + 1
    assert op.activities[5][-1]["details"][0]["raw"] == "Parent set to Phase #1: Project kick-off"
    assert "#5 Login page returns 500 on an empty password is now a child of #1 Project kick-off" in r["text"]
    sc = r["structuredContent"]
    assert sc["parent"] == {"id": 1, "subject": "Project kick-off"} and sc["previous_parent"] is None
    assert sc["lock_version"] == lock + 1 and sc["retried"] is False

    # the peer's argument names; a move says where it came from
    moved = await tool("openproject_set_work_package_parent", {"workPackageId": 2, "parentId": 9})
    assert not moved["isError"], moved["text"]
    assert "now a child of #9 Billing: invoices and receipts (it was under #1 Project kick-off)" in moved["text"]
    assert moved["structuredContent"]["previous_parent"]["id"] == 1 and op.work_packages[2]["parent"] == 9
    assert "Parent changed from Phase #1: Project kick-off to Epic #9" in op.activities[2][-1]["details"][0]["raw"]

    gone = await tool("openproject_remove_work_package_parent", {"work_package_id": 5})
    assert not gone["isError"], gone["text"]
    assert sent(op, "PATCH", "/work_packages/5").json == {
        "lockVersion": lock + 1,
        "_links": {"parent": {"href": None}},
    }
    assert op.work_packages[5]["parent"] is None
    assert "#5 Login page returns 500 on an empty password is no longer a child of #1 Project kick-off" in gone["text"]
    assert gone["structuredContent"]["previous_parent"]["id"] == 1 and gone["structuredContent"]["changed"] is True

    patches = count(op, "PATCH", "/work_packages/5")
    again = await tool("openproject_remove_work_package_parent", {"workPackageId": 5})
    assert not again["isError"] and "has no parent; nothing changed" in again["text"]
    assert count(op, "PATCH", "/work_packages/5") == patches, "nothing to remove, nothing sent"


async def test_parent_refusals(op: FakeOpenProject, tool: Call) -> None:
    own_child = await tool("openproject_set_work_package_parent", {"work_package_id": 1, "parent_id": 2})
    assert own_child["isError"] and "422" in own_child["text"]
    assert "cannot be linked to one of its subtasks" in own_child["text"]
    milestone = await tool("openproject_set_work_package_parent", {"work_package_id": 4, "parent_id": 3})
    assert milestone["isError"] and "Parent cannot be a milestone." in milestone["text"]
    related = await tool("openproject_set_work_package_parent", {"work_package_id": 16, "parent_id": 5})
    assert related["isError"] and "subtasks" in related["text"], "5 blocks 16: they cannot also be parent and child"
    unknown = await tool("openproject_set_work_package_parent", {"work_package_id": 4, "parent_id": 99999})
    assert unknown["isError"] and "Parent does not exist." in unknown["text"]
    assert op.work_packages[1]["parent"] is None and op.work_packages[4]["parent"] is None
    assert [u["status"] for u in op.updates] == [422, 422, 422, 422]

    before = len(op.requests)
    itself = await tool("openproject_set_work_package_parent", {"work_package_id": 4, "parent_id": 4})
    assert itself["isError"] and "own parent" in itself["text"]
    huge = await tool("openproject_set_work_package_parent", {"work_package_id": 4, "parent_id": 2**40})
    assert huge["isError"]
    assert len(op.requests) == before, "bad arguments are refused before anything is sent"
    missing = await tool("openproject_remove_work_package_parent", {"work_package_id": 99999})
    assert missing["isError"] and "404" in missing["text"] and "cannot be found" in missing["text"]


async def test_parent_change_never_overwrites_a_concurrent_one(op: MeddlingOpenProject, tool: Call) -> None:
    # someone else renames the work package between our read and our write: one re-read, one retry
    op.before_patch = lambda: op.touch(4, by="otto", subject="Set up CI (renamed by Otto)")
    r = await tool("openproject_set_work_package_parent", {"work_package_id": 4, "parent_id": 1})
    assert not r["isError"], r["text"]
    assert r["structuredContent"]["retried"] is True and op.work_packages[4]["parent"] == 1
    assert [(u["status"], u["lockVersion"]) for u in op.updates] == [(409, 0), (200, 1)]
    assert op.work_packages[4]["subject"] == "Set up CI (renamed by Otto)"

    # someone else moves it meanwhile: refused, their parent stays
    op.before_patch = lambda: op.touch(4, by="otto", parent=21)
    clash = await tool("openproject_set_work_package_parent", {"work_package_id": 4, "parent_id": 9})
    assert clash["isError"] and "changed by someone else" in clash["text"] and "parent" in clash["text"]
    assert op.work_packages[4]["parent"] == 21 and op.updates[-1]["status"] == 409


async def test_list_children_filters_and_pages(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_work_package_children", {"work_package_id": 21})
    assert not r["isError"], r["text"]
    q = sent(op, "GET", "/work_packages").query
    assert json.loads(q["filters"]) == [{"parent": {"operator": "=", "values": ["21"]}}]
    assert q["offset"] == "1" and q["pageSize"] == "50" and json.loads(q["sortBy"]) == [["id", "asc"]]
    sc = r["structuredContent"]
    assert [c["id"] for c in sc["children"]] == [22, 23, 26] and sc["total"] == 3 and sc["next_offset"] is None
    assert r["text"].startswith("3 children of #21 New website (page 1):")
    assert "- #22 [New] Newsletter registration form" in r["text"]

    closed_too = await tool("openproject_list_work_package_children", {"workPackageId": 1, "page_size": 1})
    sc = closed_too["structuredContent"]
    assert [c["id"] for c in sc["children"]] == [2] and sc["children"][0]["status"] == "Closed"
    assert sc["total"] == 2 and sc["next_offset"] == 2 and "offset=2" in closed_too["text"]
    second = await tool("openproject_list_work_package_children", {"work_package_id": 1, "page_size": 1, "offset": 2})
    assert [c["id"] for c in second["structuredContent"]["children"]] == [3]
    assert sent(op, "GET", "/work_packages").query["offset"] == "2"

    none = await tool("openproject_list_work_package_children", {"work_package_id": 4})
    assert not none["isError"] and "#4 Set up the CI pipeline has no children." in none["text"]
    missing = await tool("openproject_list_work_package_children", {"work_package_id": 99999})
    assert missing["isError"] and "404" in missing["text"]


async def test_the_hierarchy_shows_on_the_work_package(op: FakeOpenProject, tool: Call) -> None:
    await tool("openproject_set_work_package_parent", {"work_package_id": 4, "parent_id": 2})
    async with httpx.AsyncClient(base_url=op.url) as http:
        auth = ("apikey", ANNA.api_key)
        wp = (await http.get(f"{API}/work_packages/4", auth=auth)).json()
        root = (await http.get(f"{API}/work_packages/1", auth=auth)).json()
    assert wp["_links"]["parent"] == {"href": "/api/v3/work_packages/2", "title": "Create a project plan"}
    assert [a["href"] for a in wp["_links"]["ancestors"]] == ["/api/v3/work_packages/1", "/api/v3/work_packages/2"]
    assert [c["href"] for c in root["_links"]["children"]] == ["/api/v3/work_packages/2", "/api/v3/work_packages/3"]


# ---------------------------------------------------------------------- relations


async def test_create_relation(op: FakeOpenProject, tool: Call) -> None:
    r = await tool(
        "openproject_create_work_package_relation",
        {"from_id": 4, "to_id": 12, "type": "blocks", "description": "CI first"},
    )
    assert not r["isError"], r["text"]
    assert sent(op, "POST", "/work_packages/4/relations").json == {
        "_links": {"to": {"href": "/api/v3/work_packages/12"}},
        "type": "blocks",
        "description": "CI first",
    }
    sc = r["structuredContent"]
    assert sc["type"] == "blocks" and sc["from"]["id"] == 4 and sc["to"]["id"] == 12 and not sc["stored_reversed"]
    assert "Created relation #" in r["text"]
    assert "#4 Set up the CI pipeline blocks #12 Dark mode toggle forgets its state — CI first" in r["text"]
    stored = relations_of(op.state).relations[sc["id"]]
    assert (stored["from"], stored["to"], stored["type"]) == (4, 12, "blocks")

    # a reverse type is kept the other way round; the peer's names (fromId, toId, delay) are taken
    turned = await tool(
        "openproject_create_work_package_relation", {"fromId": 6, "toId": 7, "type": "precedes", "delay": 2}
    )
    assert not turned["isError"], turned["text"]
    assert sent(op, "POST", "/work_packages/6/relations").json == {
        "_links": {"to": {"href": "/api/v3/work_packages/7"}},
        "type": "precedes",
        "lag": 2,
    }
    sc = turned["structuredContent"]
    assert sc["stored_reversed"] and sc["type"] == "follows" and sc["from"]["id"] == 7 and sc["to"]["id"] == 6
    assert "#7 Write the onboarding guide follows #6 Export reports as CSV, lag 2 days" in turned["text"]
    assert "other way round" in turned["text"]

    peer = await tool("openproject_create_work_package_relation", {"fromId": 10, "toId": 11, "type": "blocked_by"})
    assert not peer["isError"] and sent(op, "POST", "/work_packages/10/relations").json["type"] == "blocked"
    assert peer["structuredContent"]["type"] == "blocks" and peer["structuredContent"]["from"]["id"] == 11


async def test_create_relation_refusals(op: FakeOpenProject, tool: Call) -> None:
    twice = await tool("openproject_create_work_package_relation", {"from_id": 16, "to_id": 5, "type": "relates"})
    assert twice["isError"] and "409" in twice["text"] and "conflicting modifications" in twice["text"]
    family = await tool("openproject_create_work_package_relation", {"from_id": 1, "to_id": 2, "type": "relates"})
    assert family["isError"] and "422" in family["text"] and "subtasks" in family["text"]
    cycle = await tool("openproject_create_work_package_relation", {"from_id": 2, "to_id": 16, "type": "follows"})
    assert cycle["isError"] and "circular dependency" in cycle["text"], "16 follows 3 follows 2 already"
    unknown = await tool("openproject_create_work_package_relation", {"from_id": 4, "to_id": 99999, "type": "relates"})
    assert unknown["isError"] and "Related work package does not exist." in unknown["text"]
    no_source = await tool(
        "openproject_create_work_package_relation", {"from_id": 99999, "to_id": 4, "type": "relates"}
    )
    assert no_source["isError"] and "404" in no_source["text"]
    assert len(relations_of(op.state).relations) == 5

    before = len(op.requests)
    for args in (
        {"from_id": 4, "to_id": 4, "type": "relates"},
        {"from_id": 4, "to_id": 12, "type": "relates", "lag": 3},
        {"from_id": 4, "to_id": 12, "type": "causes"},
        {"from_id": 4, "to_id": 12, "type": "follows", "lag": -1},
        {"from_id": 4, "to_id": 12, "type": "follows", "file_path": "/etc/passwd"},
    ):
        bad = await tool("openproject_create_work_package_relation", args)
        assert bad["isError"], args
    assert len(op.requests) == before, "bad arguments are refused before anything is sent"


async def test_list_relations_from_one_side(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_work_package_relations", {"work_package_id": 16})
    assert not r["isError"], r["text"]
    q = sent(op, "GET", "/relations").query
    assert json.loads(q["filters"]) == [{"involved": {"operator": "=", "values": ["16"]}}]
    assert q["offset"] == "1" and q["pageSize"] == "50"
    sc = r["structuredContent"]
    assert sc["total"] == 2 and [x["id"] for x in sc["relations"]] == [2, 3]
    assert sc["relations"][1]["as_seen_from"] == {
        "type": "blocked",
        "other": {"id": 5, "subject": sc["relations"][1]["from"]["subject"]},
    }
    assert r["text"].startswith("2 relations of #16 Go-live (page 1):")
    assert "- relation #2: this follows #3 Project plan approved, lag 5 days" in r["text"]
    assert "- relation #3: this is blocked by #5 Login page returns 500 on an empty password — No go-live" in r["text"]

    blocked = await tool(
        "openproject_list_work_package_relations", {"workPackageId": 16, "type": "blocked_by", "page_size": 1}
    )
    filters = json.loads(sent(op, "GET", "/relations").query["filters"])
    assert {"type": {"operator": "=", "values": ["blocked", "blocks"]}} in filters
    assert [x["id"] for x in blocked["structuredContent"]["relations"]] == [3]
    paged = await tool("openproject_list_work_package_relations", {"work_package_id": 16, "page_size": 1})
    assert paged["structuredContent"]["next_offset"] == 2 and "offset=2" in paged["text"]
    page2 = await tool("openproject_list_work_package_relations", {"work_package_id": 16, "page_size": 1, "offset": 2})
    assert [x["id"] for x in page2["structuredContent"]["relations"]] == [3] and page2["structuredContent"][
        "next_offset"
    ] is None
    assert sent(op, "GET", "/relations").query["offset"] == "2"

    none = await tool("openproject_list_work_package_relations", {"work_package_id": 4})
    assert not none["isError"] and "#4 has no relations." in none["text"]


async def test_get_update_and_delete_relation(op: FakeOpenProject, tool: Call) -> None:
    got = await tool("openproject_get_work_package_relation", {"relation_id": 1})
    assert not got["isError"], got["text"]
    assert sent(op, "GET", "/relations/1").identity == "anna"
    assert "Relation #1: #3 Project plan approved follows #2 Create a project plan" in got["text"]
    assert got["structuredContent"]["reverse_type"] == "precedes" and got["structuredContent"]["lag"] == 0

    r = await tool("openproject_update_work_package_relation", {"relation_id": 2, "lag": 1, "description": "Buffer"})
    assert not r["isError"], r["text"]
    assert sent(op, "PATCH", "/relations/2").json == {"description": "Buffer", "lag": 1}
    assert relations_of(op.state).relations[2]["lag"] == 1
    assert "#16 Go-live follows #3 Project plan approved, lag 1 days — Buffer" in r["text"]
    assert "(was: #16 Go-live follows #3 Project plan approved, lag 5 days)" in r["text"]
    assert r["structuredContent"]["before"]["lag"] == 5 and r["structuredContent"]["updated_fields"] == [
        "description",
        "lag",
    ]

    retyped = await tool("openproject_update_work_package_relation", {"id": 3, "type": "relates"})
    assert not retyped["isError"] and sent(op, "PATCH", "/relations/3").json == {"type": "relates"}
    assert relations_of(op.state).relations[3]["type"] == "relates"

    patches = len([q for q in op.requests if q.method == "PATCH"])
    lagged = await tool("openproject_update_work_package_relation", {"relation_id": 3, "lag": 2})
    assert lagged["isError"] and "follows and precedes relations only" in lagged["text"]
    empty = await tool("openproject_update_work_package_relation", {"relation_id": 3})
    assert empty["isError"] and "at least one" in empty["text"]
    unknown = await tool("openproject_update_work_package_relation", {"relation_id": 999, "description": "x"})
    assert unknown["isError"] and "The specified relation does not exist." in unknown["text"]
    assert len([q for q in op.requests if q.method == "PATCH"]) == patches

    deleted = await tool("openproject_delete_work_package_relation", {"relation_id": 4})
    assert not deleted["isError"], deleted["text"]
    gone = sent(op, "DELETE", "/relations/4")
    assert gone.status == 204 and gone.headers["content-type"].startswith("application/json")
    assert "Deleted relation #4: #15 Pagination breaks after page 10 relates to #8" in deleted["text"]
    assert deleted["structuredContent"]["deleted"] is True and 4 not in relations_of(op.state).relations
    again = await tool("openproject_delete_work_package_relation", {"id": 4})
    assert again["isError"] and "404" in again["text"] and count(op, "DELETE", "/relations/4") == 1


# ---------------------------------------------------------------------- delete, activities


async def test_delete_work_package(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_delete_work_package", {"work_package_id": 5})
    assert not r["isError"], r["text"]
    assert sent(op, "DELETE", "/work_packages/5").status == 204
    assert (
        r["text"]
        == "Deleted work package #5 Login page returns 500 on an empty password (Bug, project Demo project).\n"
    )
    assert (
        r["structuredContent"]["work_package"]["subject"].startswith("Login page")
        and r["structuredContent"]["children_deleted"] == 0
    )
    assert 5 not in op.work_packages and 3 not in relations_of(op.state).relations, "its relation went with it"

    refused = await tool("openproject_delete_work_package", {"work_package_id": 21})
    assert (
        refused["isError"]
        and "has 3 child work package(s)" in refused["text"]
        and "nothing was deleted" in refused["text"]
    )
    assert count(op, "DELETE", "/work_packages/21") == 0 and 21 in op.work_packages
    whole = await tool("openproject_delete_work_package", {"id": 21, "delete_children": True})
    assert not whole["isError"], whole["text"]
    assert "New website (Epic, project Scrum project) and its 3 child work package(s)" in whole["text"]
    assert not {21, 22, 23, 26} & set(op.work_packages) and 5 not in relations_of(op.state).relations

    missing = await tool("openproject_delete_work_package", {"work_package_id": 21})
    assert missing["isError"] and "404" in missing["text"] and count(op, "DELETE", "/work_packages/21") == 1


async def test_list_activities(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_work_package_activities", {"work_package_id": 1})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/work_packages/1/activities").identity == "anna"
    sc = r["structuredContent"]
    assert sc["total"] == 3 and [a["version"] for a in sc["activities"]] == [1, 2, 3]
    assert sc["activities"][1]["changes"] == ["Status changed from New to In progress"]
    assert sc["activities"][2]["comment"] == "Kick-off meeting is booked for **Monday**; agenda is in the wiki."
    assert sc["activities"][2]["user"] == "Otto Other"
    assert "> Kick-off meeting is booked for **Monday**; agenda is in the wiki." in r["text"]
    assert "— Anna Admin (activity" in r["text"] and "- Status changed from New to In progress" in r["text"]

    newest = await tool(
        "openproject_list_work_package_activities", {"workPackageId": 1, "page_size": 2, "newest_first": True}
    )
    sc = newest["structuredContent"]
    assert (
        [a["version"] for a in sc["activities"]] == [3, 2] and sc["next_offset"] == 2 and "offset=2" in newest["text"]
    )
    last = await tool("openproject_list_work_package_activities", {"work_package_id": 1, "page_size": 2, "offset": 2})
    assert [a["version"] for a in last["structuredContent"]["activities"]] == [3]

    await tool("openproject_set_work_package_parent", {"work_package_id": 4, "parent_id": 1})
    after = await tool("openproject_list_work_package_activities", {"work_package_id": 4, "newest_first": True})
    assert after["structuredContent"]["activities"][0]["changes"] == ["Parent set to Phase #1: Project kick-off"]
    missing = await tool("openproject_list_work_package_activities", {"work_package_id": 99999})
    assert missing["isError"] and "404" in missing["text"]


# ---------------------------------------------------------------------- read-only, toolsets

WRITES = {
    "openproject_set_work_package_parent": {"work_package_id": 5, "parent_id": 1},
    "openproject_remove_work_package_parent": {"work_package_id": 2},
    "openproject_create_work_package_relation": {"from_id": 4, "to_id": 12, "type": "relates"},
    "openproject_update_work_package_relation": {"relation_id": 1, "description": "x"},
    "openproject_delete_work_package_relation": {"relation_id": 1},
    "openproject_delete_work_package": {"work_package_id": 5},
}
READS = (
    "openproject_list_work_package_children",
    "openproject_list_work_package_relations",
    "openproject_get_work_package_relation",
    "openproject_list_work_package_activities",
)


async def test_read_only_refuses_the_writes_and_sends_nothing(op: FakeOpenProject) -> None:
    await assert_read_only_refuses(op, READS, WRITES)
    assert 5 in op.work_packages and 1 in relations_of(op.state).relations


async def test_toolsets_and_annotations(op: FakeOpenProject) -> None:
    tools = await tools_listed(op, PASSTHROUGH_TOOLSETS="openproject_relations")
    assert set(tools) == {
        "openproject_set_work_package_parent",
        "openproject_remove_work_package_parent",
        "openproject_list_work_package_children",
        "openproject_create_work_package_relation",
        "openproject_list_work_package_relations",
        "openproject_get_work_package_relation",
        "openproject_update_work_package_relation",
        "openproject_delete_work_package_relation",
    }
    assert tools["openproject_delete_work_package_relation"]["annotations"]["destructiveHint"] is True
    assert tools["openproject_list_work_package_relations"]["annotations"]["readOnlyHint"] is True
    schema = tools["openproject_create_work_package_relation"]["inputSchema"]
    assert set(schema["required"]) == {"from_id", "to_id", "type"}
    assert "partof" in json.dumps(schema["properties"]["type"])
