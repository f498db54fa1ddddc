"""The fake ClickUp's users, its stored shapes and its seed (no HTTP, no behaviour).

ClickUp's hierarchy: a Workspace (``team`` in API v2) holds Spaces; a Space holds Folders and folderless
Lists; a Folder holds Lists; a List holds Tasks. Statuses belong to the Space unless a List overrides them.
Times are Unix milliseconds, sent as strings (``"1767225600000"``), as ClickUp sends them.

Seed (for users ``u0, u1, …`` in the order given): Workspace ``9010101`` "Acme Product" has every user
(the first its owner, the rest members) and custom task ids (``ENG-1`` …); Workspace ``9020202``
"Side Projects" has the first user only. Spaces, folders, lists with statuses, tasks with Markdown
descriptions, assignees, tags, comments and time entries follow; the "Bugs" list holds more than one
page (100) of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

PAGE_SIZE = 100
"""Tasks per page of a task list, as in ClickUp."""

ACME, SIDE = "9010101", "9020202"


@dataclass(frozen=True)
class ClickUpUser:
    """One ClickUp account: its personal token (``pk_…``, sent bare) and optionally an OAuth access token."""

    id: int
    username: str  # also the identity recorded for requests
    email: str
    token: str
    oauth_token: str | None = None
    color: str = "#7b68ee"

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.username.split()[:2]).upper()


def personal_token(user_id: int, key: str) -> str:
    """A token of ClickUp's personal form: ``pk_<user id>_<32 upper-case letters and digits>``."""
    return f"pk_{user_id}_{(key.upper() * 32)[:32]}"


@dataclass
class Status:
    status: str
    type: str  # "open", "custom", "done" or "closed"
    color: str
    orderindex: int


@dataclass
class Team:
    id: str
    name: str
    color: str
    members: list[tuple[int, int]]  # (user id, role: 1 owner, 2 admin, 3 member, 4 guest)
    custom_task_ids: bool = False


@dataclass
class Space:
    id: str
    team_id: str
    name: str
    statuses: list[Status]
    private: bool = False


@dataclass
class Folder:
    id: str
    space_id: str
    name: str
    hidden: bool = False


@dataclass
class TaskList:
    id: str
    space_id: str
    folder_id: str | None  # None: a folderless list
    name: str
    content: str = ""
    statuses: list[Status] | None = None  # None: the space's


@dataclass
class Task:
    id: str
    custom_id: str | None
    list_id: str
    name: str
    markdown: str  # the description as Markdown
    status: str
    creator: int
    assignees: list[int] = field(default_factory=list)
    watchers: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    priority: int | None = None  # 1 urgent, 2 high, 3 normal, 4 low
    due_date: int | None = None
    start_date: int | None = None
    parent: str | None = None
    time_estimate: int | None = None
    date_created: int = 0
    date_updated: int = 0
    date_closed: int | None = None
    archived: bool = False


@dataclass
class Comment:
    id: str
    task_id: str
    user: int
    text: str
    date: int
    resolved: bool = False
    assignee: int | None = None


@dataclass
class TimeEntry:
    id: str
    team_id: str
    task_id: str | None
    user: int
    start: int
    duration: int  # milliseconds
    description: str = ""
    billable: bool = False
    tags: list[str] = field(default_factory=list)


PRIORITIES = {1: ("urgent", "#f50000"), 2: ("high", "#ffcc00"), 3: ("normal", "#6fddff"), 4: ("low", "#d8d8d8")}


def ms(year: int, month: int, day: int, hour: int = 9) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp() * 1000)


def _statuses(*spec: tuple[str, str, str]) -> list[Status]:
    return [Status(name, kind, color, i) for i, (name, kind, color) in enumerate(spec)]


ENGINEERING = _statuses(
    ("to do", "open", "#d3d3d3"),
    ("in progress", "custom", "#4194f6"),
    ("in review", "custom", "#a875ff"),
    ("complete", "closed", "#6bc950"),
)
MARKETING = _statuses(("open", "open", "#d3d3d3"), ("planned", "custom", "#f9d900"), ("done", "closed", "#6bc950"))
HOME = _statuses(("to do", "open", "#d3d3d3"), ("done", "closed", "#6bc950"))
BUG_STATUSES = _statuses(("new", "open", "#e50000"), ("triaged", "custom", "#ff7800"), ("fixed", "closed", "#6bc950"))


@dataclass
class Seed:
    teams: dict[str, Team]
    spaces: dict[str, Space]
    folders: dict[str, Folder]
    lists: dict[str, TaskList]
    tasks: dict[str, Task]
    comments: dict[str, Comment]
    time_entries: dict[str, TimeEntry]


def seed(users: tuple[ClickUpUser, ...]) -> Seed:
    ids = [u.id for u in users] or [1]
    first, second = ids[0], ids[1] if len(ids) > 1 else ids[0]
    teams = {
        ACME: Team(ACME, "Acme Product", "#7b68ee", [(first, 1), *((i, 3) for i in ids[1:])], custom_task_ids=True),
        SIDE: Team(SIDE, "Side Projects", "#ff7800", [(first, 1)]),
    }
    spaces = {
        "90110001": Space("90110001", ACME, "Engineering", ENGINEERING),
        "90110002": Space("90110002", ACME, "Marketing", MARKETING),
        "90120001": Space("90120001", SIDE, "Home", HOME, private=True),
    }
    folders = {
        "90130001": Folder("90130001", "90110001", "Backend"),
        "90130002": Folder("90130002", "90110001", "Frontend"),
        "90130003": Folder("90130003", "90110002", "Campaigns"),
    }
    lists = {
        "901400001": TaskList("901400001", "90110001", "90130001", "Sprint 12", "Backend work for sprint 12"),
        "901400002": TaskList("901400002", "90110001", "90130001", "Bugs", "Reported defects", BUG_STATUSES),
        "901400003": TaskList("901400003", "90110001", "90130002", "UI Backlog"),
        "901400004": TaskList("901400004", "90110002", "90130003", "Q3 Launch"),
        "901400005": TaskList("901400005", "90110002", None, "Ideas"),
        "901400006": TaskList("901400006", "90120001", None, "Chores"),
    }
    created = ms(2026, 3, 2)
    tasks: dict[str, Task] = {}

    def add(
        task_id: str, custom: str | None, list_id: str, name: str, markdown: str, status: str, **more: object
    ) -> None:
        task = Task(task_id, custom, list_id, name, markdown, status, first, date_created=created, **more)  # type: ignore[arg-type]
        task.date_updated = task.date_updated or created
        tasks[task_id] = task

    add(
        "86b1aa001",
        "ENG-1",
        "901400001",
        "Rate-limit the public API",
        "## Goal\nReject callers above **100 requests a minute** with a `429`.\n\n"
        "- add a token bucket\n- send `Retry-After`",
        "in progress",
        assignees=[first],
        tags=["backend", "api"],
        priority=2,
        due_date=ms(2026, 4, 15, 17),
        time_estimate=8 * 3600_000,
    )
    add(
        "86b1aa002",
        "ENG-2",
        "901400001",
        "Migrate sessions to Redis",
        "Move the session store off the database.\n\n1. dual-write\n2. switch reads\n3. drop the table",
        "to do",
        assignees=[second],
        tags=["backend"],
        priority=3,
    )
    add(
        "86b1aa003",
        "ENG-3",
        "901400001",
        "Write the migration runbook",
        "A *step by step* runbook for the on-call engineer.",
        "in review",
        assignees=[first, second],
        tags=["docs"],
        parent="86b1aa002",
    )
    add(
        "86b1aa004",
        "ENG-4",
        "901400001",
        "Upgrade the database driver",
        "Done in [PR 412](https://example.com/pr/412).",
        "complete",
        assignees=[second],
        date_closed=ms(2026, 3, 9),
    )
    add(
        "86b1aa005",
        "ENG-5",
        "901400003",
        "Dark mode for the settings page",
        "Follow the design tokens; no hard-coded colours.",
        "to do",
        tags=["frontend", "design"],
        priority=4,
    )
    add(
        "86b1aa006",
        "ENG-6",
        "901400004",
        "Launch blog post",
        "Draft, review, publish. **Embargo** until the launch day.",
        "planned",
        assignees=[first],
        tags=["content"],
        due_date=ms(2026, 7, 1, 10),
    )
    add("86b1aa007", "ENG-7", "901400005", "Podcast sponsorship", "Ask two podcasts for rates.", "open")
    add(
        "86b1aa008",
        None,
        "901400006",
        "Fix the garden fence",
        "Buy *four* posts and a bag of concrete.",
        "to do",
        assignees=[first],
        tags=["home"],
    )
    for n in range(1, 106):  # more than one page of 100
        add(
            f"86b1bb{n:03d}",
            f"ENG-{100 + n}",
            "901400002",
            f"Bug {n}: {('crash on save', 'wrong total', 'slow search')[n % 3]}",
            f"Steps to reproduce bug {n}:\n\n1. open the app\n2. try it",
            ("new", "triaged", "fixed")[n % 3],
            assignees=[(first, second)[n % 2]],
            tags=["bug"],
            priority=(n % 4) + 1,
            date_updated=created + n * 60_000,
        )
    comments = {
        "90090001": Comment(
            "90090001", "86b1aa001", second, "Should the limit be per token or per IP?", ms(2026, 3, 3)
        ),
        "90090002": Comment("90090002", "86b1aa001", first, "Per token, like ClickUp itself does.", ms(2026, 3, 3, 11)),
        "90090003": Comment("90090003", "86b1aa003", second, "First draft is in the wiki.", ms(2026, 3, 6)),
    }
    entries = {
        "4001": TimeEntry("4001", ACME, "86b1aa001", first, ms(2026, 3, 3), 90 * 60_000, "token bucket spike"),
        "4002": TimeEntry("4002", ACME, "86b1aa001", second, ms(2026, 3, 4), 45 * 60_000, "review"),
        "4003": TimeEntry("4003", ACME, "86b1aa003", second, ms(2026, 3, 5), 2 * 3600_000, "runbook", billable=True),
        "4004": TimeEntry("4004", SIDE, "86b1aa008", first, ms(2026, 3, 7, 14), 3600_000, "measuring"),
    }
    return Seed(teams, spaces, folders, lists, tasks, comments, entries)
