"""Static catalogs and seed content of the fake Jira (no HTTP, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .._adf import wiki_to_adf
from .._atlassian import AtlassianUser


class JiraUser(AtlassianUser):
    """A Jira user: ``name`` is the Server username, ``token`` a PAT (Server) or an API token (Cloud)."""


@dataclass(frozen=True)
class Named:
    """A catalog entry: Jira refers to each by id or by name."""

    id: str
    name: str


@dataclass(frozen=True)
class Status(Named):
    category_id: int
    category_key: str
    category_color: str

    @property
    def category_name(self) -> str:
        return {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}[self.category_key]


@dataclass(frozen=True)
class IssueType(Named):
    description: str
    subtask: bool = False
    hierarchy_level: int = 0


class Priority(Named):
    """A priority is nothing but its id and name."""


@dataclass(frozen=True)
class Transition(Named):
    to: str  # status name


@dataclass(frozen=True)
class LinkType(Named):
    inward: str
    outward: str


@dataclass(frozen=True)
class Project:
    id: str
    key: str
    name: str


STATUSES = (
    Status("10000", "To Do", 2, "new", "blue-gray"),
    Status("3", "In Progress", 4, "indeterminate", "yellow"),
    Status("10001", "Done", 3, "done", "green"),
)
ISSUE_TYPES = (
    IssueType("10000", "Epic", "A big user story that needs to be broken down.", hierarchy_level=1),
    IssueType("10001", "Story", "Functionality or a feature expressed as a user goal."),
    IssueType("10002", "Task", "A small, distinct piece of work."),
    IssueType("10003", "Sub-task", "A small piece of work that's part of a larger task.", True, -1),
    IssueType("10004", "Bug", "A problem or error."),
)
PRIORITIES = (
    Priority("1", "Highest"),
    Priority("2", "High"),
    Priority("3", "Medium"),
    Priority("4", "Low"),
    Priority("5", "Lowest"),
)
TRANSITIONS = (
    Transition("11", "To Do", "To Do"),
    Transition("21", "In Progress", "In Progress"),
    Transition("31", "Done", "Done"),
)
LINK_TYPES = (
    LinkType("10000", "Blocks", "is blocked by", "blocks"),
    LinkType("10001", "Cloners", "is cloned by", "clones"),
    LinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
    LinkType("10003", "Relates", "relates to", "relates to"),
)
PROJECTS = (
    Project("10000", "DEMO", "Demo project"),
    Project("10001", "OPS", "Operations"),
)
RESOLUTION_DONE = {"id": "10000", "name": "Done", "description": "Work has been completed on this issue."}

SEED_EPOCH = datetime(2026, 1, 15, 10, 20, 30, tzinfo=UTC)

_DEMO_SUMMARIES = (
    "Set up the CI pipeline for the web client",
    "Login page returns 500 on an empty password",
    "As a user I can reset my password by email",
    "Write the onboarding guide",
    "Search results are not sorted by relevance",
    "Export reports as CSV",
    "Upgrade the HTTP library",
    "Dark mode toggle forgets its state",
    "As an admin I can deactivate accounts",
    "Billing epic: invoices and receipts",
    "Add rate limiting to the public API",
    "Profile picture upload fails for PNG files",
    "As a user I can pin favourite dashboards",
    "Remove the deprecated v1 endpoints",
    "Timezone shown wrong in notification emails",
    "Translate the settings page into German",
    "Audit log for permission changes",
    "Pagination breaks after page 10",
    "As a manager I can see team workload",
    "Improve test coverage of the payment module",
    "Session expires while typing a long comment",
    "Keyboard shortcuts for the issue view",
    "Clean up feature flags from last quarter",
    "Markdown preview renders tables incorrectly",
    "Write unit tests for the login validator",
)
_OPS_SUMMARIES = (
    "Rotate the TLS certificates before they expire",
    "Nightly backup failed on db-02",
    "Upgrade PostgreSQL to version 17",
    "Tune the disk usage alerts to reduce noise",
    "Document the on-call handover",
)
_TYPE_CYCLE = ("Task", "Bug", "Story", "Task", "Bug")
_PRIORITY_CYCLE = ("Medium", "High", "Low", "Medium", "Highest", "Lowest")
_STATUS_CYCLE = ("To Do", "In Progress", "Done")
_LABEL_CYCLE: tuple[tuple[str, ...], ...] = (("backend",), (), ("frontend", "ux"), (), ("tech-debt",))


def jira_timestamp(moment: datetime) -> str:
    """Jira's timestamp format, e.g. ``2026-01-15T10:20:30.000+0000``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _description(summary: str, number: int) -> str | None:
    if number % 5 == 4:
        return None
    return (
        f"h2. Context\n"
        f"{summary}. This came up in the last planning meeting.\n"
        f"\n"
        f"h3. Acceptance criteria\n"
        f"* The change is covered by tests\n"
        f"* The documentation mentions it\n"
        f"\n"
        f"{{code:python}}\n"
        f"def check_{number}():\n"
        f"    return True\n"
        f"{{code}}"
    )


def seed(users: tuple[JiraUser, ...], adf: bool) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Seeded issues (keyed by issue key) and comments (keyed by issue key).

    Rich text is stored as ADF when ``adf`` (Cloud) and as wiki markup otherwise (Server).
    """
    first = users[0].name if users else None
    reporter = users[1].name if len(users) > 1 else first
    issues: dict[str, dict[str, Any]] = {}
    next_id = 10001
    for project, summaries, epoch in (
        ("DEMO", _DEMO_SUMMARIES, SEED_EPOCH),
        ("OPS", _OPS_SUMMARIES, SEED_EPOCH + timedelta(days=9)),
    ):
        for number, summary in enumerate(summaries, start=1):
            created = epoch + timedelta(hours=7 * (number - 1))
            issue_type = _TYPE_CYCLE[(number - 1) % len(_TYPE_CYCLE)]
            parent = None
            if project == "DEMO" and number == 10:
                issue_type = "Epic"
            if project == "DEMO" and number == 25:
                issue_type, parent = "Sub-task", "DEMO-2"
            status = _STATUS_CYCLE[(number - 1) % len(_STATUS_CYCLE)]
            updated = created + timedelta(hours=2, minutes=number)
            description = _description(summary, number)
            key = f"{project}-{number}"
            issues[key] = {
                "id": str(next_id),
                "key": key,
                "project": project,
                "summary": summary,
                "issuetype": issue_type,
                "status": status,
                "priority": _PRIORITY_CYCLE[(number - 1) % len(_PRIORITY_CYCLE)],
                "resolution": RESOLUTION_DONE["name"] if status == "Done" else None,
                "resolutiondate": jira_timestamp(updated) if status == "Done" else None,
                "assignee": first if number % 4 == 1 else None,
                "reporter": reporter,
                "creator": reporter,
                "created": jira_timestamp(created),
                "updated": jira_timestamp(updated),
                "labels": list(_LABEL_CYCLE[(number - 1) % len(_LABEL_CYCLE)]),
                "description": wiki_to_adf(description) if adf and description else description,
                "parent": parent,
            }
            next_id += 1

    comment_texts = (
        "I can reproduce this on *staging*; logs are attached to the incident.",
        "Fixed in the branch {{fix/ci-pipeline}}, please review.",
    )
    comments: dict[str, list[dict[str, Any]]] = {key: [] for key in issues}
    for index, text in enumerate(comment_texts):
        author = users[index % len(users)].name if users else None
        stamp = jira_timestamp(SEED_EPOCH + timedelta(days=1, hours=index))
        comments["DEMO-1"].append(
            {
                "id": str(10000 + index),
                "author": author,
                "update_author": author,
                "body": wiki_to_adf(text) if adf else text,
                "created": stamp,
                "updated": stamp,
            }
        )
    return issues, comments
