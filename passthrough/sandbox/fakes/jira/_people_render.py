"""JSON shapes of the fake Jira's worklogs and time tracking (for its routes and its issues' fields)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._people_state import Worklog, format_duration

if TYPE_CHECKING:
    from ._render import JiraRenderer
    from ._state import Issue


def worklog(renderer: JiraRenderer, issue: Issue, entry: Worklog) -> dict[str, Any]:
    body: dict[str, Any] = {
        "self": f"{renderer.issue_self(issue)}/worklog/{entry['id']}",
        "author": renderer.user(entry["author"]),
        "updateAuthor": renderer.user(entry["update_author"]),
        "created": entry["created"],
        "updated": entry["updated"],
        "started": entry["started"],
        "timeSpent": format_duration(entry["seconds"]),
        "timeSpentSeconds": entry["seconds"],
        "id": entry["id"],
        "issueId": issue["id"],
    }
    if entry["comment"] is not None:
        body["comment"] = renderer.rich(entry["comment"])
    elif not renderer.cloud:
        body["comment"] = ""
    return body


def worklog_page(renderer: JiraRenderer, issue: Issue, start_at: int, max_results: int) -> dict[str, Any]:
    entries = renderer.state.people.worklogs.get(issue["key"], [])
    return {
        "startAt": start_at,
        "maxResults": max_results,
        "total": len(entries),
        "worklogs": [worklog(renderer, issue, e) for e in entries[start_at : start_at + max_results]],
    }


def time_tracking(issue: Issue) -> dict[str, Any]:
    """The ``timetracking`` field: each estimate as Jira shows it and in seconds; {} when nothing is tracked."""
    tracking = issue.get("timetracking") or {}
    body: dict[str, Any] = {}
    for name in ("originalEstimate", "remainingEstimate", "timeSpent"):
        seconds = tracking.get(f"{name}Seconds")
        if seconds is not None:
            body[name] = format_duration(seconds)
            body[f"{name}Seconds"] = seconds
    return body


def people_field(renderer: JiraRenderer, issue: Issue, name: str) -> tuple[bool, Any]:
    """(present, value) of the issue fields this module renders: ``timetracking``, ``worklog`` (first 20)."""
    if name == "timetracking":
        return True, time_tracking(issue)
    if name == "worklog":
        return True, worklog_page(renderer, issue, 0, 20)
    return False, None
