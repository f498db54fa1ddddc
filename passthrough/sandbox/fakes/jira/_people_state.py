"""The fake Jira's watchers, worklogs and time tracking (no HTTP here).

Durations are Jira's: ``1w 2d 3h 30m`` with Jira's default working time (8-hour days, 5-day weeks).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .._adf import is_adf, wiki_to_adf
from ._data import SEED_EPOCH, JiraUser, jira_timestamp
from ._errors import JiraError, field_errors

UNIT_SECONDS = {"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhm])")
_DURATION = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[wdhm]\s*)+$")
STARTED_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"
Worklog = dict[str, Any]
ADF_REQUIRED = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"


def parse_duration(text: object) -> int | None:
    """Seconds of a Jira duration such as ``1h 30m``; a bare number is minutes, as in Jira; None if invalid."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return int(text * 60)
    if not isinstance(text, str):
        return None
    if text.strip().isdigit():
        return int(text.strip()) * 60
    if not _DURATION.match(text):
        return None
    return int(sum(float(n) * UNIT_SECONDS[u] for n, u in _PART.findall(text)))


def format_duration(seconds: int) -> str:
    """Jira's display of a duration: ``1d 2h 30m`` (0 is ``0m``)."""
    parts: list[str] = []
    rest = seconds
    for unit, size in UNIT_SECONDS.items():
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0m"


def parse_started(value: object) -> str | None:
    """A worklog's ``started`` as Jira demands it (``2026-01-15T10:20:30.000+0000``), or None if malformed."""
    if not isinstance(value, str):
        return None
    try:
        return jira_timestamp(datetime.strptime(value, STARTED_FORMAT))
    except ValueError:
        return None


class PeopleState:
    """Who watches which issue and the time logged on it; part of ``JiraState`` (as ``state.people``)."""

    def __init__(self, users: tuple[JiraUser, ...], *, adf: bool) -> None:
        names = [u.name for u in users]
        self.watchers: dict[str, list[str]] = {}  # issue key -> user names, in the order they started watching
        self.worklogs: dict[str, list[Worklog]] = {}  # issue key -> worklogs, oldest first
        self._next_worklog_id = 10300
        if names:
            self.watchers["DEMO-1"] = names[:2]
            self.watchers["DEMO-2"] = names[-1:]
            texts = ("Reproduced the failure and wrote the analysis.", "Pairing on the *fix*.")
            for index, (text, spent) in enumerate(zip(texts, (5400, 7200), strict=True)):
                started = SEED_EPOCH + timedelta(days=1, hours=2 + 3 * index)
                self._store(
                    "DEMO-1",
                    names[index % len(names)],
                    spent,
                    jira_timestamp(started),
                    wiki_to_adf(text) if adf else text,
                    jira_timestamp(started + timedelta(seconds=spent)),
                )

    # ------------------------------------------------------------------ watchers

    def watch(self, key: str, name: str) -> None:
        watching = self.watchers.setdefault(key, [])
        if name not in watching:
            watching.append(name)

    def unwatch(self, key: str, name: str) -> None:
        watching = self.watchers.get(key, [])
        if name in watching:
            watching.remove(name)

    # ------------------------------------------------------------------ worklogs

    def _store(self, key: str, author: str | None, seconds: int, started: str, comment: object, stamp: str) -> Worklog:
        worklog: Worklog = {
            "id": str(self._next_worklog_id),
            "author": author,
            "update_author": author,
            "comment": comment,
            "started": started,
            "seconds": seconds,
            "created": stamp,
            "updated": stamp,
        }
        self._next_worklog_id += 1
        self.worklogs.setdefault(key, []).append(worklog)
        return worklog

    def add_worklog(
        self,
        issue: dict[str, Any],
        payload: Mapping[str, Any],
        query: Mapping[str, str],
        *,
        adf: bool,
        author: str | None,
        stamp: str,
    ) -> Worklog:
        """POST /issue/{key}/worklog: validate as Jira does, store, adjust the remaining estimate."""
        errors: dict[str, str] = {}
        if "timeSpentSeconds" in payload:
            raw = payload["timeSpentSeconds"]
            seconds = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        elif "timeSpent" in payload:
            seconds = parse_duration(payload["timeSpent"])
        else:
            seconds = None
            errors["timeLogged"] = "You must indicate the time spent working."
        if seconds is not None and seconds <= 0:
            errors["timeLogged"] = "Time Spent must be greater than 0."
        elif seconds is None and "timeLogged" not in errors:
            errors["timeLogged"] = "Invalid time duration entered."
        started = parse_started(payload["started"]) if "started" in payload else stamp
        if started is None:
            errors["startDate"] = (
                "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"."
            )
        comment = payload.get("comment")
        if comment is not None and not (is_adf(comment) if adf else isinstance(comment, str)):
            errors["comment"] = ADF_REQUIRED if adf else "Comment must be a string"
        adjust = query.get("adjustEstimate", "auto")
        if adjust not in ("new", "leave", "manual", "auto"):
            raise JiraError(400, [f"Invalid value for adjustEstimate: '{adjust}'."])
        new_estimate = None
        if adjust == "new":
            new_estimate = parse_duration(query.get("newEstimate"))
            if new_estimate is None:
                errors["newEstimate"] = "You must supply a valid new estimate."
        if errors:
            raise field_errors(errors)
        assert seconds is not None and started is not None
        tracking = issue.setdefault("timetracking", {})
        if new_estimate is not None:
            tracking["remainingEstimateSeconds"] = new_estimate
        elif adjust == "auto" and "remainingEstimateSeconds" in tracking:
            tracking["remainingEstimateSeconds"] = max(0, tracking["remainingEstimateSeconds"] - seconds)
        tracking["timeSpentSeconds"] = tracking.get("timeSpentSeconds", 0) + seconds
        issue["updated"] = stamp
        return self._store(issue["key"], author, seconds, started, comment, stamp)


def set_time_tracking(draft: dict[str, Any], value: object, errors: dict[str, str]) -> None:
    """The ``timetracking`` field of an issue edit: {"originalEstimate": "2d", "remainingEstimate": "1d"}."""
    if not isinstance(value, Mapping):
        errors["timetracking"] = "Specify time tracking as an object"
        return
    tracking = dict(draft.get("timetracking") or {})
    for name in ("originalEstimate", "remainingEstimate"):
        if name in value:
            seconds = parse_duration(value[name])
            if seconds is None:
                errors["timetracking"] = f"Invalid time duration entered for {name}."
                return
            tracking[f"{name}Seconds"] = seconds
            if name == "originalEstimate" and "remainingEstimate" not in value:
                tracking.setdefault("remainingEstimateSeconds", seconds)
    draft["timetracking"] = tracking
