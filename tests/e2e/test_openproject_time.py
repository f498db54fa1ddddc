"""OpenProject time entries, their activities and versions against the fake OpenProject: the requests each
tool sends (paths, filters JSON, bodies with ISO 8601 durations and activity links), what it answers,
refusals before anything is sent, read-only mode, and per-user activity lookups that never cross users."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import pytest
from aiohttp import web

from passthrough.sandbox.fakes.openproject._time_state import time_of
from tests.e2e._openproject import (
    ANNA,
    AS_OTTO,
    OTTO,
    Call,
    assert_read_only_refuses,
    count,
    openproject_fixture,
    passthrough,
    sent,
    tool_fixture,
    tools_listed,
)
from tests.fakes import FakeOpenProject

op = openproject_fixture(ANNA, OTTO)
tool = tool_fixture()


def filters_of(op: FakeOpenProject) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(sent(op, "GET", "/time_entries").query["filters"])
    return found


# ---------------------------------------------------------------------- listing


async def test_list_by_work_package_user_and_dates(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_time_entries", {"work_package_id": 4})
    assert not r["isError"], r["text"]
    assert filters_of(op) == [{"work_package": {"operator": "=", "values": ["4"]}}]
    assert json.loads(sent(op, "GET", "/time_entries").query["sortBy"]) == [["spent_on", "desc"], ["id", "desc"]]
    sc = r["structuredContent"]
    assert [e["id"] for e in sc["time_entries"]] == [3, 1] and sc["total"] == 2
    assert [e["duration"] for e in sc["time_entries"]] == ["1h", "2h 30m"]
    assert sc["page_minutes"] == 210 and sc["page_duration"] == "3h 30m"
    assert "3h 30m on this page in all" in r["text"]
    assert (
        "- #1 2h 30m on 2026-01-19 on #4 Set up the CI pipeline (Demo project), Development, by Anna Admin" in r["text"]
    )
    assert "Runner image with `docker` and `buildx`." in r["text"]

    mine = await tool(
        "openproject_list_time_entries",
        {"user": "me", "project": "demo-project", "from_date": "2026-01-20", "to_date": "2026-01-22"},
    )
    assert filters_of(op) == [
        {"project": {"operator": "=", "values": ["1"]}},
        {"user": {"operator": "=", "values": ["me"]}},
        {"spent_on": {"operator": "<>d", "values": ["2026-01-20", "2026-01-22"]}},
    ]
    assert [e["id"] for e in mine["structuredContent"]["time_entries"]] == [2]
    assert mine["structuredContent"]["time_entries"][0]["activity"] == {"id": 3, "name": "Testing"}

    by_login = await tool("openproject_list_time_entries", {"user": "otto", "from_date": "2026-01-21"})
    looked_up = json.loads(sent(op, "GET", "/principals").query["filters"])
    assert {"any_name_attribute": {"operator": "~", "values": ["otto"]}} in looked_up
    assert filters_of(op) == [
        {"user": {"operator": "=", "values": ["6"]}},
        {"spent_on": {"operator": "<>d", "values": ["2026-01-21", ""]}},
    ]
    assert [e["id"] for e in by_login["structuredContent"]["time_entries"]] == [6, 5]
    assert "30m" in by_login["text"] and "project Demo project" in by_login["text"]  # entry 5 is on the project
    by_name = await tool("openproject_list_time_entries", {"user": "Otto Other"})
    assert filters_of(op) == [{"user": {"operator": "=", "values": ["6"]}}]
    assert by_name["structuredContent"]["total"] == 3
    nobody = await tool("openproject_list_time_entries", {"user": "zelda"})
    assert nobody["isError"] and "'zelda' is visible to you" in nobody["text"]


async def test_list_pages_with_totals_and_peer_names(op: FakeOpenProject, tool: Call) -> None:
    seen: list[int] = []
    offset: int | None = 1
    while offset:
        page = await tool("openproject_list_time_entries", {"pageSize": 4, "offset": offset})
        assert not page["isError"], page["text"]
        assert sent(op, "GET", "/time_entries").query["offset"] == str(offset)
        assert sent(op, "GET", "/time_entries").query["pageSize"] == "4"
        seen += [e["id"] for e in page["structuredContent"]["time_entries"]]
        offset = page["structuredContent"]["next_offset"]
        if offset:
            assert f"offset={offset}" in page["text"] and "on this page:" in page["text"]
    assert sorted(seen) == [1, 2, 3, 4, 5, 6] and len(seen) == 6
    peer = await tool("openproject_list_time_entries", {"workPackageId": 4, "userId": 5, "sortBy": "hours:asc"})
    assert filters_of(op) == [
        {"work_package": {"operator": "=", "values": ["4"]}},
        {"user": {"operator": "=", "values": ["5"]}},
    ]
    assert json.loads(sent(op, "GET", "/time_entries").query["sortBy"]) == [["hours", "asc"]]
    assert [e["id"] for e in peer["structuredContent"]["time_entries"]] == [1]
    empty = await tool("openproject_list_time_entries", {"from_date": "2030-01-01"})
    assert empty["text"].startswith("No time entries match.")
    backwards = await tool("openproject_list_time_entries", {"from_date": "2026-02-01", "to_date": "2026-01-01"})
    assert backwards["isError"] and "before from_date" in backwards["text"]
    bad_day = await tool("openproject_list_time_entries", {"from_date": "2026-02-30"})
    assert bad_day["isError"] and "YYYY-MM-DD" in bad_day["text"]


# ---------------------------------------------------------------------- creating


async def test_create_sends_iso_duration_and_activity_link(op: FakeOpenProject, tool: Call) -> None:
    r = await tool(
        "openproject_create_time_entry",
        {
            "work_package_id": 4,
            "hours": "1h 30m",
            "spent_on": "2026-12-24",
            "activity": "testing",
            "comment": "Reviewed the **CI** config.",
        },
    )
    assert not r["isError"], r["text"]
    form = sent(op, "POST", "/time_entries/form")
    assert form.json == {"_links": {"project": {"href": "/api/v3/projects/1"}}} and form.identity == "anna"
    assert sent(op, "POST", "/time_entries").json == {
        "hours": "PT1H30M",
        "spentOn": "2026-12-24",
        "_links": {
            "project": {"href": "/api/v3/projects/1"},
            "workPackage": {"href": "/api/v3/work_packages/4"},
            "activity": {"href": "/api/v3/time_entries/activities/3"},
        },
        "comment": {"raw": "Reviewed the **CI** config."},
    }
    sc = r["structuredContent"]
    assert r["text"] == (
        f"Logged 1h 30m on 2026-12-24 on #4 Set up the CI pipeline (Demo project), Testing, by Anna Admin: "
        f"time entry #{sc['id']}.\n"
    )
    stored = time_of(op.state).entries[sc["id"]]
    assert stored["hours"] == 1.5 and stored["activity"] == 3 and stored["user"] == ANNA.id
    assert sc["hours"] == "PT1H30M" and sc["minutes"] == 90 and sc["comment"] == "Reviewed the **CI** config."

    for written, iso in (("90m", "PT1H30M"), ("1.5h", "PT1H30M"), ("2h", "PT2H"), ("45 min", "PT45M")):
        again = await tool(
            "openproject_create_time_entry", {"work_package_id": 4, "hours": written, "activity": "Development"}
        )
        assert not again["isError"], again["text"]
        assert sent(op, "POST", "/time_entries").json["hours"] == iso
        assert sent(op, "POST", "/time_entries").json["spentOn"] == date.today().isoformat()
        assert sent(op, "POST", "/time_entries").json["_links"]["activity"] == {
            "href": "/api/v3/time_entries/activities/1"
        }
    assert count(op, "POST", "/time_entries/form") == 1, "the project's activities are looked up once per user"

    on_project = await tool("openproject_create_time_entry", {"project": "demo-project", "hours": "45 min"})
    assert not on_project["isError"], on_project["text"]
    body = sent(op, "POST", "/time_entries").json
    assert body["_links"] == {"project": {"href": "/api/v3/projects/1"}} and body["hours"] == "PT45M"
    assert "on project Demo project, Development" in on_project["text"]  # the project's default activity

    peer = await tool(
        "openproject_create_time_entry",
        {"workPackageId": 5, "hours": "8.5", "activityId": 2, "spentOn": "2026-02-02", "userId": "otto"},
    )
    assert not peer["isError"], peer["text"]
    body = sent(op, "POST", "/time_entries").json
    assert body["hours"] == "PT8H30M" and body["spentOn"] == "2026-02-02"
    assert body["_links"]["user"] == {"href": "/api/v3/users/6"}
    assert body["_links"]["activity"] == {"href": "/api/v3/time_entries/activities/2"}
    assert "by Otto Other" in peer["text"]


@pytest.mark.parametrize(
    ("hours", "says"),
    [
        ("1h 30", "hours or minutes"),
        ("0m", "no time at all"),
        ("25h", "more than 24 hours"),
        ("1d", "days and weeks are ambiguous"),
        ("1h 90m", "ambiguous"),
        ("lots", "not part of a duration"),
    ],
)
async def test_create_refuses_bad_durations_sending_nothing(
    op: FakeOpenProject, tool: Call, hours: str, says: str
) -> None:
    r = await tool("openproject_create_time_entry", {"work_package_id": 4, "hours": hours})
    assert r["isError"] and says in r["text"], r["text"]
    assert not op.requests, "nothing reaches OpenProject"


async def test_create_refusals(op: FakeOpenProject, tool: Call) -> None:
    nowhere = await tool("openproject_create_time_entry", {"hours": "1h"})
    assert nowhere["isError"] and "work_package_id" in nowhere["text"] and not op.requests
    off = await tool("openproject_create_time_entry", {"work_package_id": 22, "hours": "1h", "activity": "Testing"})
    assert off["isError"]
    assert (
        "No time entry activity 'Testing' in project Scrum project. Offered there: Development, Management."
        in (off["text"])
    )
    mismatch = await tool(
        "openproject_create_time_entry", {"work_package_id": 22, "project": "demo-project", "hours": "1h"}
    )
    assert mismatch["isError"] and "is in project Scrum project, not demo-project" in mismatch["text"]
    missing = await tool("openproject_create_time_entry", {"work_package_id": 99999, "hours": "1h"})
    assert missing["isError"] and "404" in missing["text"]
    assert count(op, "POST", "/time_entries") == 0
    late = await tool(
        "openproject_create_time_entry", {"project": "demo-project", "hours": "1h", "spent_on": "24.12.2026"}
    )
    assert late["isError"] and "YYYY-MM-DD" in late["text"]
    assert count(op, "POST", "/time_entries") == 0


# ---------------------------------------------------------------------- updating and deleting


async def test_update_says_before_and_after(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_update_time_entry", {"time_entry_id": 3, "hours": "2h", "activity": "Development"})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/time_entries/3").identity == "anna"
    body = sent(op, "PATCH", "/time_entries/3").json
    assert body == {"hours": "PT2H", "_links": {"activity": {"href": "/api/v3/time_entries/activities/1"}}}
    assert "lockVersion" not in body  # time entries have none in API v3
    assert r["text"] == (
        "Updated time entry #3: 2h on 2026-01-20 on #4 Set up the CI pipeline (Demo project), Development, by Otto "
        "Other (was: 1h on 2026-01-20 on #4 Set up the CI pipeline (Demo project), Management, by Otto Other).\n"
    )
    assert r["structuredContent"]["updated_fields"] == ["hours", "activity"]
    assert time_of(op.state).entries[3]["hours"] == 2.0

    moved = await tool(
        "openproject_update_time_entry",
        {"id": 3, "spentOn": "2026-01-21", "comment": "Pipeline stages, reviewed.", "work_package_id": 11},
    )
    assert not moved["isError"], moved["text"]
    assert sent(op, "PATCH", "/time_entries/3").json == {
        "spentOn": "2026-01-21",
        "comment": {"raw": "Pipeline stages, reviewed."},
        "_links": {"workPackage": {"href": "/api/v3/work_packages/11"}},
    }
    assert moved["structuredContent"]["work_package"] == {"id": 11, "name": "Upgrade the HTTP library"}

    nothing = await tool("openproject_update_time_entry", {"time_entry_id": 3})
    assert nothing["isError"] and "at least one of" in nothing["text"]
    bad = await tool("openproject_update_time_entry", {"time_entry_id": 3, "hours": "3 days"})
    assert bad["isError"] and "ambiguous" in bad["text"]
    unknown = await tool("openproject_update_time_entry", {"time_entry_id": 999, "hours": "1h"})
    assert unknown["isError"] and "404" in unknown["text"]
    assert count(op, "PATCH", "/time_entries/999") == 0


async def test_update_of_someone_elses_entry_is_refused_by_openproject(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_update_time_entry", {"time_entry_id": 1, "hours": "1h"}, headers=AS_OTTO)
    assert r["isError"] and "403" in r["text"] and "not authorized" in r["text"]
    assert sent(op, "PATCH", "/time_entries/1").identity == "otto"
    assert time_of(op.state).entries[1]["hours"] == 2.5


async def test_delete_says_what_it_deleted(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_delete_time_entry", {"time_entry_id": 2})
    assert not r["isError"], r["text"]
    assert r["text"] == (
        "Deleted time entry #2: 45m on 2026-01-20 on #5 Login page returns 500 on an empty password "
        "(Demo project), Testing, by Anna Admin.\n"
    )
    request = sent(op, "DELETE", "/time_entries/2")
    assert request.headers["content-type"].startswith("application/json")
    assert 2 not in time_of(op.state).entries
    assert r["structuredContent"]["time_entry"]["minutes"] == 45
    again = await tool("openproject_delete_time_entry", {"id": 2})
    assert again["isError"] and "404" in again["text"]
    assert count(op, "DELETE", "/time_entries/2") == 1, "an unknown id deletes nothing"


class LockingOpenProject(FakeOpenProject):
    """An instance whose time entries carry a lockVersion (API v3 has none today): a PATCH with a stale one
    is a 409; `before_patch` changes the entry as someone else would, right before our PATCH lands."""

    before_patch: Callable[[], object] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locks: dict[int, int] = {}

    def extra_middlewares(self) -> list[Any]:
        @web.middleware
        async def locking(request: web.Request, handler: Any) -> web.StreamResponse:
            parts = request.path.split("/")
            if len(parts) != 5 or parts[3] != "time_entries" or not parts[4].isdigit():
                response: web.StreamResponse = await handler(request)
                return response
            entry = int(parts[4])
            if request.method == "PATCH":
                if self.before_patch is not None:
                    hook, self.before_patch = self.before_patch, None
                    hook()
                if (await request.json()).get("lockVersion") != self.locks.get(entry, 0):
                    return web.json_response({"_type": "Error", "message": "conflict"}, status=409)
            answer: web.StreamResponse = await handler(request)
            if request.method == "PATCH" and answer.status == 200:
                self.locks[entry] = self.locks.get(entry, 0) + 1
            if isinstance(answer, web.Response) and answer.status == 200 and answer.body:
                data = json.loads(bytes(answer.body))  # type: ignore[arg-type]
                data["lockVersion"] = self.locks.get(entry, 0)
                return web.json_response(data)
            return answer

        return [*super().extra_middlewares(), locking]

    def meddle(self, entry: int, **changes: Any) -> None:
        time_of(self.state).entries[entry].update(changes)
        self.locks[entry] = self.locks.get(entry, 0) + 1


@pytest.fixture
async def locking() -> AsyncIterator[tuple[LockingOpenProject, Call]]:
    fake = LockingOpenProject([ANNA, OTTO])
    async with fake.serve(), passthrough(fake) as tool:
        yield fake, tool


async def test_update_with_a_lock_version_never_overwrites_a_concurrent_change(
    locking: tuple[LockingOpenProject, Call],
) -> None:
    op, tool = locking
    first = await tool("openproject_update_time_entry", {"time_entry_id": 1, "hours": "3h"})
    assert not first["isError"], first["text"]
    assert sent(op, "PATCH", "/time_entries/1").json == {"lockVersion": 0, "hours": "PT3H"}
    assert first["structuredContent"]["retried"] is False

    op.before_patch = lambda: op.meddle(1, comment="Someone else's note.")
    other = await tool("openproject_update_time_entry", {"time_entry_id": 1, "hours": "4h"})
    assert not other["isError"], other["text"]
    patches = [r.json for r in op.requests if r.method == "PATCH"]
    assert patches[-2:] == [{"lockVersion": 1, "hours": "PT4H"}, {"lockVersion": 2, "hours": "PT4H"}]
    assert other["structuredContent"]["retried"] is True and "after a concurrent change" in other["text"]
    stored = time_of(op.state).entries[1]
    assert stored["hours"] == 4.0 and stored["comment"] == "Someone else's note."

    op.before_patch = lambda: op.meddle(1, hours=5.0)
    same = await tool("openproject_update_time_entry", {"time_entry_id": 1, "hours": "1h"})
    assert same["isError"] and "changed by someone else meanwhile, including hours" in same["text"]
    assert time_of(op.state).entries[1]["hours"] == 5.0, "nothing was overwritten"


# ---------------------------------------------------------------------- activities, per user


async def test_activities_per_project(op: FakeOpenProject, tool: Call) -> None:
    demo = await tool("openproject_list_time_entry_activities", {"project": "demo-project"})
    assert not demo["isError"], demo["text"]
    assert [a["name"] for a in demo["structuredContent"]["activities"]] == ["Development", "Management", "Testing"]
    assert "- Development (id 1) (default)" in demo["text"]
    scrum = await tool("openproject_list_time_entry_activities", {"work_package_id": 22})
    assert [a["name"] for a in scrum["structuredContent"]["activities"]] == ["Development", "Management"]
    assert sent(op, "POST", "/time_entries/form").json == {"_links": {"project": {"href": "/api/v3/projects/2"}}}
    everywhere = await tool("openproject_list_time_entry_activities", {})
    assert sent(op, "GET", "/time_entries/available_projects").identity == "anna"
    rows = {a["name"]: a["projects"] for a in everywhere["structuredContent"]["activities"]}
    assert rows == {
        "Development": ["Demo project", "Scrum project"],
        "Management": ["Demo project", "Scrum project"],
        "Testing": ["Demo project"],
    }
    assert "- Testing (id 3) — Demo project" in everywhere["text"]
    assert count(op, "POST", "/time_entries/form") == 2, "each project's form once, then from the user's cache"


async def test_activity_lookups_never_cross_users(op: FakeOpenProject, tool: Call) -> None:
    anna = await tool("openproject_list_time_entry_activities", {"project": "scrum-project"})
    assert [a["name"] for a in anna["structuredContent"]["activities"]] == ["Development", "Management"]
    # Otto is no member of the scrum project: Anna's cached answer must not reach him
    otto = await tool("openproject_list_time_entry_activities", {"project": "scrum-project"}, headers=AS_OTTO)
    assert otto["isError"] and "cannot log time in project scrum-project (Project is invalid.)" in otto["text"]
    assert count(op, "POST", "/time_entries/form", "otto") == 1
    logged = await tool(
        "openproject_create_time_entry",
        {"work_package_id": 22, "hours": "1h", "activity": "Development"},
        headers=AS_OTTO,
    )
    assert logged["isError"] and "cannot log time" in logged["text"]
    assert count(op, "POST", "/time_entries") == 0
    # and his refusal does not reach Anna, whose cached list still serves her
    again = await tool(
        "openproject_create_time_entry", {"work_package_id": 22, "hours": "1h", "activity": "Management"}
    )
    assert not again["isError"], again["text"]
    assert count(op, "POST", "/time_entries/form", "anna") == 1
    assert sent(op, "POST", "/time_entries").identity == "anna"
    otto_demo = await tool("openproject_list_time_entry_activities", {}, headers=AS_OTTO)
    assert otto_demo["structuredContent"]["projects"] == ["Demo project"]
    assert "Testing" in {a["name"] for a in otto_demo["structuredContent"]["activities"]}
    # what each sees of the time logged follows the same rule
    seen = await tool("openproject_list_time_entries", {}, headers=AS_OTTO)
    assert 4 not in [e["id"] for e in seen["structuredContent"]["time_entries"]]


# ---------------------------------------------------------------------- versions


async def test_list_versions(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_versions", {"project": "scrum-project"})
    assert not r["isError"], r["text"]
    assert sent(op, "GET", "/projects/2/versions").identity == "anna"
    assert [v["name"] for v in r["structuredContent"]["versions"]] == ["Sprint 1", "Sprint 2", "Bug backlog"]
    assert "- Sprint 1 (id 3) — closed, 2026-01-12 → 2026-01-25" in r["text"]
    assert "- Bug backlog (id 2) — open, shared: system" in r["text"]
    assert r["structuredContent"]["versions"][2]["project"] == {"id": 1, "name": "Demo project"}
    page = await tool("openproject_list_versions", {"projectId": 2, "page_size": 2, "offset": 2})
    assert [v["name"] for v in page["structuredContent"]["versions"]] == ["Bug backlog"]
    assert page["structuredContent"]["total"] == 3 and page["structuredContent"]["next_offset"] is None
    first = await tool("openproject_list_versions", {"project": "scrum-project", "page_size": 2})
    assert first["structuredContent"]["next_offset"] == 2 and "offset=2" in first["text"]
    unknown = await tool("openproject_list_versions", {"project": "no-such-project"})
    assert unknown["isError"] and "No OpenProject project 'no-such-project'" in unknown["text"]


async def test_create_version(op: FakeOpenProject, tool: Call) -> None:
    r = await tool(
        "openproject_create_version",
        {
            "project": "demo-project",
            "name": "2.0",
            "description": "Billing and **exports**.",
            "start_date": "2026-04-01",
            "end_date": "2026-06-30",
            "sharing": "descendants",
        },
    )
    assert not r["isError"], r["text"]
    assert sent(op, "POST", "/versions").json == {
        "name": "2.0",
        "status": "open",
        "sharing": "descendants",
        "_links": {"definingProject": {"href": "/api/v3/projects/1"}},
        "description": {"format": "markdown", "raw": "Billing and **exports**."},
        "startDate": "2026-04-01",
        "endDate": "2026-06-30",
    }
    sc = r["structuredContent"]
    assert r["text"].startswith(f"Created version 2.0 (id {sc['id']}) in project demo-project")
    assert "2026-04-01 → 2026-06-30, shared: descendants" in r["text"]
    assert sc["description"] == "Billing and **exports**." and sc["project"] == {"id": 1, "name": "Demo project"}
    listed = await tool("openproject_list_versions", {"project": "demo-project"})
    assert "2.0" in [v["name"] for v in listed["structuredContent"]["versions"]]

    peer = await tool("openproject_create_version", {"projectId": 2, "name": "Sprint 3", "endDate": "2026-02-22"})
    assert not peer["isError"], peer["text"]
    assert sent(op, "POST", "/versions").json["endDate"] == "2026-02-22"
    taken = await tool("openproject_create_version", {"project": "demo-project", "name": "1.0"})
    assert taken["isError"] and "422" in taken["text"] and "Name has already been taken." in taken["text"]
    posts = count(op, "POST", "/versions")
    backwards = await tool(
        "openproject_create_version",
        {"project": "demo-project", "name": "3.0", "start_date": "2026-05-01", "end_date": "2026-04-01"},
    )
    assert backwards["isError"] and "before start_date" in backwards["text"]
    odd = await tool("openproject_create_version", {"project": "demo-project", "name": "3.0", "status": "frozen"})
    assert odd["isError"]
    assert count(op, "POST", "/versions") == posts, "refused before anything is sent"
    otto = await tool("openproject_create_version", {"project": "demo-project", "name": "3.0"}, headers=AS_OTTO)
    assert otto["isError"] and "403" in otto["text"]


# ---------------------------------------------------------------------- read-only, toolsets

WRITES = {
    "openproject_create_time_entry": {"work_package_id": 4, "hours": "1h"},
    "openproject_update_time_entry": {"time_entry_id": 1, "hours": "1h"},
    "openproject_delete_time_entry": {"time_entry_id": 1},
    "openproject_create_version": {"project": "demo-project", "name": "9.9"},
}
READS = (
    "openproject_list_time_entries",
    "openproject_list_time_entry_activities",
    "openproject_list_versions",
)


async def test_read_only_refuses_the_writes_and_sends_nothing(op: FakeOpenProject) -> None:
    await assert_read_only_refuses(op, READS, WRITES)
    assert 1 in time_of(op.state).entries


async def test_toolsets_and_annotations(op: FakeOpenProject) -> None:
    tools = await tools_listed(op, PASSTHROUGH_TOOLSETS="openproject_time")
    assert set(tools) == {
        "openproject_list_time_entries",
        "openproject_create_time_entry",
        "openproject_update_time_entry",
        "openproject_delete_time_entry",
        "openproject_list_time_entry_activities",
    }
    assert tools["openproject_delete_time_entry"]["annotations"]["destructiveHint"] is True
    assert tools["openproject_list_time_entries"]["annotations"]["readOnlyHint"] is True
    assert set(tools["openproject_create_time_entry"]["inputSchema"]["required"]) == {"hours"}
    assert set(tools["openproject_update_time_entry"]["inputSchema"]["required"]) == {"time_entry_id"}

    names = set(await tools_listed(op, PASSTHROUGH_TOOLSETS="openproject_projects"))
    assert {"openproject_list_versions", "openproject_create_version"} <= names
