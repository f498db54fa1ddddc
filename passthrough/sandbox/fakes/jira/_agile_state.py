"""The fake Jira Software's boards and sprints (/rest/agile/1.0), and which issues sit in which sprint.

Seeded over the seeded issues: a scrum board on DEMO with a closed, an active and a future sprint, and a
kanban board on OPS (kanban boards have no sprints). An issue is in at most one open (active or future)
sprint; the sprints it was in when they closed are remembered apart, as Jira's ``closedSprints``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from ._data import SEED_EPOCH
from ._errors import JiraError, bad_request, field_errors

Issue = dict[str, Any]

SPRINT_STATES = ("future", "active", "closed")
MAX_ISSUES = 50  # Jira moves at most 50 issues a call
BOARD_NOT_FOUND = (
    "The requested board cannot be viewed because it either does not exist or you do not have permission to view it."
)
NO_SPRINTS = "The board does not support sprints"
DONE = "Done"
CLOSED_SPRINT = "Sprints that are in a closed state cannot be updated."


@dataclass(frozen=True)
class Board:
    id: int
    name: str
    type: str  # "scrum" or "kanban"
    project: str  # the key of the project its filter selects


BOARDS = (
    Board(1, "DEMO board", "scrum", "DEMO"),
    Board(2, "OPS kanban", "kanban", "OPS"),
)


def agile_timestamp(moment: datetime) -> str:
    """The agile API's timestamps, e.g. ``2026-01-19T09:00:00.000Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 date or date-time as Jira reads one (no offset: UTC); None if it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seed_sprints() -> dict[int, dict[str, Any]]:
    day0 = SEED_EPOCH.replace(hour=9, minute=0, second=0) - timedelta(days=10)
    rows: tuple[tuple[int, str, str, datetime | None, str | None], ...] = (
        (1, "DEMO Sprint 1", "closed", day0, "Ship the login rework"),
        (2, "DEMO Sprint 2", "active", day0 + timedelta(days=14), "Stabilise search and the CI pipeline"),
        (3, "DEMO Sprint 3", "future", None, None),
    )
    sprints: dict[int, dict[str, Any]] = {}
    for sprint_id, name, state, start, goal in rows:
        sprint: dict[str, Any] = {"id": sprint_id, "board": 1, "name": name, "state": state, "goal": goal}
        sprint["start"] = agile_timestamp(start) if start else None
        sprint["end"] = agile_timestamp(start + timedelta(days=14)) if start else None
        sprint["complete"] = (
            agile_timestamp(start + timedelta(days=14, hours=6)) if start and state == "closed" else None
        )
        sprint["created"] = agile_timestamp((start or SEED_EPOCH) - timedelta(days=3))
        sprints[sprint_id] = sprint
    return sprints


class AgileState:
    """Boards, sprints and sprint membership; tests may read (and tweak) the public attributes directly."""

    def __init__(self, issues: Mapping[str, Issue], *, cloud: bool) -> None:
        self.issues = issues
        self.cloud = cloud
        self.boards: dict[int, Board] = {b.id: b for b in BOARDS}
        self.sprints = _seed_sprints()
        self.sprint_of: dict[str, int] = {}  # issue key -> its open (active or future) sprint
        self.closed_in: dict[str, list[int]] = {}  # issue key -> the closed sprints it was in
        for key, issue in issues.items():
            number = int(key.rsplit("-", 1)[1])
            if issue["project"] != "DEMO":
                continue
            if number <= 8 and issue["status"] == DONE:
                self.closed_in[key] = [1]
            elif number <= 8 or issue.get("parent") == "DEMO-2":
                self.sprint_of[key] = 2
            elif 11 <= number <= 13:
                self.sprint_of[key] = 3
        self._next_sprint_id = 1 + max(self.sprints)

    # ------------------------------------------------------------------ lookups

    def board(self, ref: str) -> Board:
        board = self.boards.get(int(ref)) if ref.isdigit() and len(ref) < 10 else None
        if board is None:
            raise JiraError(404, [BOARD_NOT_FOUND])
        return board

    def scrum_board(self, ref: str) -> Board:
        board = self.board(ref)
        if board.type != "scrum":
            raise bad_request(NO_SPRINTS)
        return board

    def sprint(self, ref: str) -> dict[str, Any]:
        sprint = self.sprints.get(int(ref)) if ref.isdigit() and len(ref) < 10 else None
        if sprint is None:
            raise JiraError(404, [f"Sprint with id {ref} does not exist or you do not have permission to see it."])
        return sprint

    def board_sprints(self, board: Board, states: set[str]) -> list[dict[str, Any]]:
        order = {state: i for i, state in enumerate(("closed", "active", "future"))}
        found = [s for s in self.sprints.values() if s["board"] == board.id and (not states or s["state"] in states)]
        return sorted(found, key=lambda s: (order[s["state"]], s["id"]))

    def in_sprint(self, sprint: dict[str, Any], key: str) -> bool:
        return self.sprint_of.get(key) == sprint["id"] or sprint["id"] in self.closed_in.get(key, [])

    def open_sprint(self, key: str) -> dict[str, Any] | None:
        sprint_id = self.sprint_of.get(key)
        return self.sprints.get(sprint_id) if sprint_id is not None else None

    def closed_sprints(self, key: str) -> list[dict[str, Any]]:
        return [self.sprints[i] for i in self.closed_in.get(key, [])]

    # ------------------------------------------------------------------ writes

    def create_sprint(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        name = payload.get("name")
        if not isinstance(name, str) or not name.strip():
            errors["name"] = "The sprint name must be specified."
        elif len(name) > 255:
            errors["name"] = "The sprint name cannot be longer than 255 characters."
        board_ref = payload.get("originBoardId")
        if board_ref is None:
            errors["originBoardId"] = "The board id must be specified."
        start, end = self._dates(payload, errors)
        if errors:
            raise field_errors(errors)
        board = self.scrum_board(str(board_ref))
        sprint: dict[str, Any] = {
            "id": self._next_sprint_id,
            "board": board.id,
            "name": str(name).strip(),
            "state": "future",
            "goal": payload.get("goal") if isinstance(payload.get("goal"), str) else None,
            "start": agile_timestamp(start) if start else None,
            "end": agile_timestamp(end) if end else None,
            "complete": None,
            "created": agile_timestamp(datetime.now(UTC)),
        }
        self._next_sprint_id += 1
        self.sprints[sprint["id"]] = sprint
        return sprint

    def update_sprint(self, sprint: dict[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
        """A partial update (POST /sprint/{id}): the values given, and a state change Jira allows.

        A closed sprint: Server/DC refuses any update; Cloud changes only its name and goal, ignoring the rest."""
        if sprint["state"] == "closed":
            if not self.cloud:
                raise bad_request(CLOSED_SPRINT)
            payload = {k: v for k, v in payload.items() if k in ("name", "goal")}
        errors: dict[str, str] = {}
        draft = dict(sprint)
        if "name" in payload:
            name = payload["name"]
            if not isinstance(name, str) or not name.strip():
                errors["name"] = "The sprint name must be specified."
            else:
                draft["name"] = name.strip()
        if "goal" in payload:
            draft["goal"] = payload["goal"] if isinstance(payload["goal"], str) else None
        start, end = self._dates(payload, errors, current=sprint)
        if "startDate" in payload and start:
            draft["start"] = agile_timestamp(start)
        if "endDate" in payload and end:
            draft["end"] = agile_timestamp(end)
        state = payload.get("state", sprint["state"])
        if state not in SPRINT_STATES:
            errors["state"] = f"The sprint state '{state}' is not valid; it is one of future, active, closed."
        if errors:
            raise field_errors(errors)
        if state != sprint["state"]:
            self._change_state(draft, str(state))
        sprint.update(draft)
        return sprint

    def _change_state(self, draft: dict[str, Any], state: str) -> None:
        current = draft["state"]
        if (current, state) == ("future", "active"):
            if not draft.get("start") or not draft.get("end"):
                raise bad_request("The sprint cannot be started without a start date and an end date.")
            if any(s["state"] == "active" and s["board"] == draft["board"] for s in self.sprints.values()):
                raise bad_request("The sprint cannot be started: another sprint is already active on this board.")
        elif (current, state) == ("active", "closed"):
            draft["complete"] = agile_timestamp(datetime.now(UTC))
            for key in [k for k, s in self.sprint_of.items() if s == draft["id"]]:
                del self.sprint_of[key]  # open issues go back to the backlog, done ones stay in the sprint
                if self.issues[key]["status"] == DONE:
                    self.closed_in.setdefault(key, []).append(draft["id"])
        else:
            raise bad_request(f"A sprint cannot go from {current} to {state}; it goes future → active → closed.")
        draft["state"] = state

    def _dates(
        self, payload: Mapping[str, Any], errors: dict[str, str], current: Mapping[str, Any] | None = None
    ) -> tuple[datetime | None, datetime | None]:
        found: dict[str, datetime | None] = {}
        for field, stored in (("startDate", "start"), ("endDate", "end")):
            raw = payload.get(field)
            found[field] = parse_timestamp(raw)
            if raw not in (None, "") and found[field] is None:
                errors[field] = f"'{raw}' is not a valid date; use ISO 8601, e.g. 2026-02-02T09:00:00.000Z."
            elif found[field] is None and current is not None:
                found[field] = parse_timestamp(current.get(stored))
        start, end = found["startDate"], found["endDate"]
        if start and end and end <= start and not errors:
            errors["endDate"] = "The end date of a sprint must be after its start date."
        return start, end

    def move_to_sprint(self, sprint: dict[str, Any], payload: Mapping[str, Any]) -> None:
        keys = self._issue_keys(payload)
        if sprint["state"] == "closed":
            raise bad_request("Issues cannot be moved to a closed sprint.")
        for key in keys:
            self.sprint_of[key] = sprint["id"]

    def move_to_backlog(self, payload: Mapping[str, Any]) -> None:
        for key in self._issue_keys(payload):
            self.sprint_of.pop(key, None)

    def _issue_keys(self, payload: Mapping[str, Any]) -> list[str]:
        refs = payload.get("issues")
        if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
            raise field_errors({"issues": "The issues to move must be a list of issue keys or ids."})
        if len(refs) > MAX_ISSUES:
            raise field_errors({"issues": f"At most {MAX_ISSUES} issues can be moved at once."})
        keys: list[str] = []
        for ref in refs:
            issue = self.issues.get(ref.upper()) or next((i for i in self.issues.values() if i["id"] == ref), None)
            if issue is None:
                raise bad_request(f"Issue '{ref}' does not exist or you do not have permission to see it.")
            keys.append(str(issue["key"]))
        return keys


_STATES: WeakKeyDictionary[object, AgileState] = WeakKeyDictionary()


def agile_of(state: Any) -> AgileState:
    """The agile state that goes with a fake Jira's state (``JiraState``), seeded on first use."""
    found = _STATES.get(state)
    if found is None:
        found = _STATES[state] = AgileState(state.issues, cloud=state.cloud)
    return found
