"""Static catalogs and seed content of the fake OpenProject (no HTTP, no behaviour).

The catalogs follow OpenProject's standard seed data (ids included): 14 statuses, 7 types, 4 priorities.
Stored work packages are plain dicts with API-like keys::

    {"id", "project", "type", "status", "priority", "author", "assignee",   # ids (assignee may be None)
     "subject", "description",                                              # description: raw markdown
     "startDate", "dueDate", "percentageDone",                              # "YYYY-MM-DD" / int, or None
     "createdAt", "updatedAt", "lockVersion"}

Activities (journals) are dicts ``{"id", "version", "user", "comment", "details", "createdAt", "updatedAt"}``
where ``comment`` is raw markdown ("" when none) and ``details`` a list of ``{"raw", "html"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class OpenProjectUser:
    id: int
    login: str  # also the identity string recorded for requests
    name: str
    email: str
    api_key: str


@dataclass(frozen=True)
class Entry:
    """A catalog entry (status, type, priority): listed by ``position``."""

    id: int
    name: str
    position: int


@dataclass(frozen=True)
class Status(Entry):
    is_closed: bool = False
    is_default: bool = False
    color: str = "#1A67A3"
    default_done_ratio: int = 0


@dataclass(frozen=True)
class WpType(Entry):
    color: str
    is_milestone: bool = False
    is_default: bool = False


@dataclass(frozen=True)
class Priority(Entry):
    is_default: bool = False
    color: str = "#1A67A3"


STATUSES = (
    Status(1, "New", 1, is_default=True, color="#1098AD"),
    Status(2, "In specification", 2, color="#BE4BDB", default_done_ratio=10),
    Status(3, "Specified", 3, color="#9C36B5", default_done_ratio=20),
    Status(4, "Confirmed", 4, color="#E64980", default_done_ratio=20),
    Status(5, "To be scheduled", 5, color="#FAB005", default_done_ratio=20),
    Status(6, "Scheduled", 6, color="#7950F2", default_done_ratio=30),
    Status(7, "In progress", 7, color="#F76707", default_done_ratio=50),
    Status(8, "Developed", 8, color="#40C057", default_done_ratio=70),
    Status(9, "In testing", 9, color="#4C6EF5", default_done_ratio=80),
    Status(10, "Tested", 10, color="#2F9E44", default_done_ratio=90),
    Status(11, "Test failed", 11, color="#FA5252", default_done_ratio=70),
    Status(12, "Closed", 12, is_closed=True, color="#868E96", default_done_ratio=100),
    Status(13, "On hold", 13, color="#F08C00"),
    Status(14, "Rejected", 14, is_closed=True, color="#495057"),
)
TYPES = (
    WpType(1, "Task", 1, "#1A67A3", is_default=True),
    WpType(2, "Milestone", 2, "#35C53F", is_milestone=True, is_default=True),
    WpType(3, "Phase", 3, "#FF922B", is_default=True),
    WpType(4, "Feature", 4, "#5C940D"),
    WpType(5, "Epic", 5, "#862E9C"),
    WpType(6, "User story", 6, "#1098AD"),
    WpType(7, "Bug", 7, "#C92A2A"),
)
PRIORITIES = (
    Priority(7, "Low", 1, color="#74C0FC"),
    Priority(8, "Normal", 2, is_default=True, color="#1C7ED6"),
    Priority(9, "High", 3, color="#F59F00"),
    Priority(10, "Immediate", 4, color="#E03131"),
)

# The statuses a type's workflow allows (others: every status).  A change to a status outside this set is
# refused like OpenProject refuses a transition that no workflow allows.
_MILESTONE_STATUSES = frozenset({1, 5, 6, 12, 13, 14})
WORKFLOWS: dict[int, frozenset[int]] = {
    2: _MILESTONE_STATUSES,  # Milestone
    3: _MILESTONE_STATUSES | {7},  # Phase
}


def allowed_statuses(type_id: int) -> frozenset[int]:
    return WORKFLOWS.get(type_id, frozenset(s.id for s in STATUSES))


SEED_EPOCH = datetime(2026, 1, 15, 10, 20, 30, tzinfo=UTC)


def op_timestamp(moment: datetime) -> str:
    """OpenProject's timestamp format, e.g. ``2026-01-15T10:20:30.000Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def seed_projects() -> dict[int, dict[str, Any]]:
    created = op_timestamp(SEED_EPOCH - timedelta(days=30))
    return {
        1: {
            "id": 1,
            "identifier": "demo-project",
            "name": "Demo project",
            "description": "This is a short summary of the goals of this demo project.",
            "active": True,
            "public": False,
            "types": [1, 2, 3, 4, 5, 6, 7],
            "createdAt": created,
            "updatedAt": created,
        },
        2: {
            "id": 2,
            "identifier": "scrum-project",
            "name": "Scrum project",
            "description": "This is a short summary of the goals of this **scrum** demo project.",
            "active": True,
            "public": False,
            "types": [1, 2, 5, 6, 7],
            "createdAt": created,
            "updatedAt": created,
        },
    }


# (project, type, status, priority, subject); the assignee follows the position (see ``seed``)
_WORK_PACKAGES: tuple[tuple[int, str, str, str, str], ...] = (
    (1, "Phase", "In progress", "Normal", "Project kick-off"),
    (1, "Task", "Closed", "Normal", "Create a project plan"),
    (1, "Milestone", "Scheduled", "High", "Project plan approved"),
    (1, "Task", "In progress", "High", "Set up the CI pipeline"),
    (1, "Bug", "New", "Immediate", "Login page returns 500 on an empty password"),
    (1, "Feature", "In specification", "Normal", "Export reports as CSV"),
    (1, "Task", "On hold", "Low", "Write the onboarding guide"),
    (1, "Bug", "Rejected", "Low", "Search results are not sorted by relevance"),
    (1, "Epic", "New", "Normal", "Billing: invoices and receipts"),
    (1, "User story", "Confirmed", "High", "As a user I can reset my password by email"),
    (1, "Task", "Developed", "Normal", "Upgrade the HTTP library"),
    (1, "Bug", "In testing", "High", "Dark mode toggle forgets its state"),
    (1, "Feature", "New", "Normal", "Audit log for permission changes"),
    (1, "Task", "Closed", "Normal", "Remove the deprecated v1 endpoints"),
    (1, "Bug", "Test failed", "Immediate", "Pagination breaks after page 10"),
    (1, "Milestone", "New", "Normal", "Go-live"),
    (1, "User story", "In progress", "Normal", "As a manager I can see team workload"),
    (1, "Task", "New", "Low", "Translate the settings page into German"),
    (1, "Bug", "New", "High", "Markdown preview renders tables incorrectly"),
    (1, "Task", "Scheduled", "Normal", "Improve test coverage of the payment module"),
    (2, "Epic", "In progress", "Normal", "New website"),
    (2, "User story", "New", "High", "Newsletter registration form"),
    (2, "User story", "In progress", "Normal", "Implement product tour"),
    (2, "Task", "Closed", "Normal", "Set up the staging server"),
    (2, "Bug", "New", "Immediate", "Contact form sends no confirmation email"),
    (2, "User story", "Tested", "Normal", "Landing page shows the latest news"),
    (2, "Task", "On hold", "Low", "Evaluate a new font"),
    (2, "Milestone", "To be scheduled", "Normal", "Sprint 1 review"),
    (2, "Bug", "Rejected", "Low", "Footer links point to the old domain"),
    (2, "Task", "New", "Normal", "Write release notes for sprint 1"),
)


def _description(subject: str, number: int) -> str:
    if number % 6 == 5:
        return ""
    return (
        f"## Goal\n\n"
        f"{subject}. This came up in the last planning meeting.\n\n"
        f"### Acceptance criteria\n\n"
        f"* The change is covered by tests\n"
        f"* The documentation mentions it\n\n"
        f"```python\n"
        f"def check_{number}():\n"
        f"    return True\n"
        f"```"
    )


def _by_name(items: tuple[Any, ...], name: str) -> int:
    return int(next(item.id for item in items if item.name == name))


def journal_entry(
    activity_id: int, version: int, user: int, comment: str, details: list[str], stamp: str
) -> dict[str, Any]:
    """An activity as stored: ``details`` are raw lines (their HTML is derived here)."""
    return {
        "id": activity_id,
        "version": version,
        "user": user,
        "comment": comment,
        "details": [detail_from_raw(d) for d in details],
        "createdAt": stamp,
        "updatedAt": stamp,
    }


def seed(
    users: tuple[OpenProjectUser, ...], fallback_author: int
) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """Seeded work packages (by id) and their activities (by work package id)."""
    first = users[0].id if users else None
    second = users[1].id if len(users) > 1 else first
    author = users[0].id if users else fallback_author
    work_packages: dict[int, dict[str, Any]] = {}
    activities: dict[int, list[dict[str, Any]]] = {}
    next_activity = 1
    for number, (project, type_name, status_name, priority_name, subject) in enumerate(_WORK_PACKAGES, start=1):
        created = SEED_EPOCH + timedelta(hours=5 * (number - 1))
        status = _by_name(STATUSES, status_name)
        assignee = first if number % 3 == 1 else second if number % 5 == 2 else None
        start = date(2026, 1, 12) + timedelta(days=2 * number) if number % 4 != 0 else None
        due = start + timedelta(days=7) if start is not None and number % 2 == 1 else None
        if type_name == "Milestone":  # a milestone has a single date
            due = start
        done = next(s for s in STATUSES if s.id == status).default_done_ratio
        work_packages[number] = {
            "id": number,
            "project": project,
            "type": _by_name(TYPES, type_name),
            "status": status,
            "priority": _by_name(PRIORITIES, priority_name),
            "author": author,
            "assignee": assignee,
            "subject": subject,
            "description": _description(subject, number),
            "startDate": start.isoformat() if start else None,
            "dueDate": due.isoformat() if due else None,
            "percentageDone": done,
            "createdAt": op_timestamp(created),
            "updatedAt": op_timestamp(created),
            "lockVersion": 0,
        }
        stamp = op_timestamp(created)
        activities[number] = [journal_entry(next_activity, 1, author, "", [], stamp)]
        next_activity += 1

    def add(wp_id: int, hours: int, user: int, comment: str, details: list[str]) -> None:
        nonlocal next_activity
        wp = work_packages[wp_id]
        stamp = op_timestamp(SEED_EPOCH + timedelta(hours=5 * (wp_id - 1) + hours))
        journal = activities[wp_id]
        journal.append(journal_entry(next_activity, len(journal) + 1, user, comment, details, stamp))
        next_activity += 1
        wp["updatedAt"] = stamp
        if details:
            wp["lockVersion"] += 1

    other = second if second is not None else author
    add(1, 2, author, "", ["Status changed from New to In progress"])
    add(1, 3, other, "Kick-off meeting is booked for **Monday**; agenda is in the wiki.", [])
    add(2, 1, author, "", ["Status changed from New to In progress"])
    add(2, 4, other, "Plan is done, see the attached Gantt chart.", ["Status changed from In progress to Closed"])
    add(4, 1, other, "The runner image needs `docker` *and* `buildx`.", [])
    add(5, 1, author, "I can reproduce this on staging.", ["Priority changed from High to Immediate"])
    add(21, 2, author, "", ["Status changed from New to In progress", "% Complete changed from 0 to 50"])
    add(24, 1, other, "Staging is up at `staging.example.com`.", ["Status changed from In progress to Closed"])
    return work_packages, activities


def detail_from_raw(raw: str) -> dict[str, str]:
    """A journal detail ``{"format": "custom", "raw", "html"}`` from its plain-text form."""
    return {"format": "custom", "raw": raw, "html": _detail_html(raw)}


def _detail_html(raw: str) -> str:
    for verb in (" changed from ", " set to ", " deleted "):
        if verb in raw:
            field, _, rest = raw.partition(verb)
            if verb == " changed from " and " to " in rest:
                old, _, new = rest.partition(" to ")
                changed = f"<strong>{_esc(field)}</strong> changed from <i>{_esc(old)}</i>"
                return f"{changed} <strong>to</strong> <i>{_esc(new)}</i>"
            if verb == " set to ":
                return f"<strong>{_esc(field)}</strong> set to <i>{_esc(rest)}</i>"
            return f"<strong>{_esc(field)}</strong> deleted (<strike><i>{_esc(rest.strip('()'))}</i></strike>)"
    return _esc(raw)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
