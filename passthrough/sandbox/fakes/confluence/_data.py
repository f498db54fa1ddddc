"""Static catalogs and seed content of the fake Confluence (no HTTP, no behaviour).

Seeded content ids are shared by pages and comments, as in Confluence: pages ``98305``-``98319``, comments
``98320``-``98322``; new content continues at ``131073``.  Page bodies are storage-format XHTML with the
constructs real pages have (headings, lists, code/info/warning/expand/status macros, tables, task lists,
page links, user mentions, an attachment image, entities and non-ASCII text).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

from .._atlassian import AtlassianUser

Deployment = Literal["server", "cloud"]
Page = dict[str, Any]
Comment = dict[str, Any]


class ConfluenceUser(AtlassianUser):
    """A Confluence user: ``name`` is the Server username, ``token`` a PAT (Server) or an API token (Cloud)."""


@dataclass(frozen=True)
class Space:
    id: str  # numeric, as a string (v2 sends it as a string, v1 as a number)
    key: str
    name: str
    homepage_id: str
    type: str = "global"


SPACES = (
    Space("65601", "DEMO", "Demo space", "98305"),
    Space("65602", "ENG", "Engineering", "98317"),
)

SEED_EPOCH = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)
SERVER_ZONE = timezone(timedelta(hours=1))  # Server answers in its local zone (CET), Cloud in UTC
FIRST_NEW_ID = 131073


def user_key(user: ConfluenceUser) -> str:
    """A stable Server user key (32 hex digits, like Confluence's)."""
    return hashlib.sha256(f"userkey:{user.name}".encode()).hexdigest()[:32]


def v1_timestamp(moment: datetime, cloud: bool) -> str:
    """v1 timestamps: ``2026-01-05T09:00:00.000Z`` on Cloud, the server's local offset on Server."""
    if cloud:
        moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    moment = moment.astimezone(SERVER_ZONE)
    return moment.isoformat(timespec="milliseconds")


def v2_timestamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --------------------------------------------------------------------------- seed bodies


def _code(language: str, text: str, title: str | None = None) -> str:
    title_param = f'<ac:parameter ac:name="title">{title}</ac:parameter>' if title else ""
    return (
        '<ac:structured-macro ac:name="code" ac:schema-version="1">'
        f'<ac:parameter ac:name="language">{language}</ac:parameter>{title_param}'
        f"<ac:plain-text-body><![CDATA[{text}]]></ac:plain-text-body>"
        "</ac:structured-macro>"
    )


def _panel(kind: str, inner: str, title: str | None = None) -> str:
    title_param = f'<ac:parameter ac:name="title">{title}</ac:parameter>' if title else ""
    return (
        f'<ac:structured-macro ac:name="{kind}" ac:schema-version="1">{title_param}'
        f"<ac:rich-text-body>{inner}</ac:rich-text-body></ac:structured-macro>"
    )


def _status(colour: str, text: str) -> str:
    return (
        '<ac:structured-macro ac:name="status" ac:schema-version="1">'
        f'<ac:parameter ac:name="colour">{colour}</ac:parameter>'
        f'<ac:parameter ac:name="title">{text}</ac:parameter></ac:structured-macro>'
    )


def _page_link(title: str, text: str | None = None, space: str | None = None) -> str:
    space_attr = f' ri:space-key="{space}"' if space else ""
    body = f"<ac:plain-text-link-body><![CDATA[{text}]]></ac:plain-text-link-body>" if text else ""
    return f'<ac:link><ri:page{space_attr} ri:content-title="{title}" />{body}</ac:link>'


def _mention(user: ConfluenceUser | None, cloud: bool) -> str:
    if user is None:
        return "someone"
    if cloud:
        return f'<ac:link><ri:user ri:account-id="{user.account_id}" /></ac:link>'
    return f'<ac:link><ri:user ri:userkey="{user_key(user)}" /></ac:link>'


def _table(header: tuple[str, ...], *rows: tuple[str, ...]) -> str:
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tbody><tr>{head}</tr>{body}</tbody></table>"


def _task(number: int, done: bool, text: str) -> str:
    status = "complete" if done else "incomplete"
    return (
        f"<ac:task><ac:task-id>{number}</ac:task-id><ac:task-status>{status}</ac:task-status>"
        f"<ac:task-body>{text}</ac:task-body></ac:task>"
    )


def _bodies(first: ConfluenceUser | None, second: ConfluenceUser | None, cloud: bool) -> dict[str, str]:
    """Seed bodies by page id."""
    return {
        "98305": (
            "<h1>Welcome to the Demo space</h1>"
            "<p>This space collects everything about the <strong>demo product</strong>. Start with "
            f"{_page_link('Getting started')} or read the {_page_link('Architecture overview', 'architecture')}.</p>"
            '<ac:structured-macro ac:name="children" ac:schema-version="2" />'
            "<h2>Useful links</h2>"
            "<ul><li>"
            f"{_page_link('Release checklist')}</li>"
            f"<li>{_page_link('On-call handbook')}</li>"
            f"<li>Engineering rules: {_page_link('Coding standards', space='ENG')}</li></ul>"
        ),
        "98306": (
            "<h1>Getting started</h1>"
            "<p>New here? Follow these steps in order:</p>"
            "<ol><li>Read the " + _page_link("Installation guide") + "</li>"
            "<li>Configure the service (see " + _page_link("Configuration reference") + ")</li>"
            "<li>Ask questions in <code>#demo-support</code></li></ol>"
        ),
        "98307": (
            "<h1>Installation guide</h1>"
            + _panel("info", "<p>You need Python 3.11 and a PostgreSQL database.</p>", "Before you begin")
            + "<h2>Install the package</h2>"
            "<p>Run the following in a fresh virtual environment:</p>"
            + _code("bash", "python -m venv .venv\n. .venv/bin/activate\npip install demo-server==2.4.1", "Shell")
            + "<h2>First start</h2>"
            "<ol><li>Create the database: <code>createdb demo</code></li>"
            "<li>Start the server with <code>demo-server --port 8080</code></li>"
            '<li>Open <a href="http://localhost:8080/">http://localhost:8080/</a></li></ol>'
            "<p>Troubleshooting is covered in the " + _page_link("On-call handbook") + ".</p>"
        ),
        "98308": (
            "<h1>Configuration reference</h1>"
            "<p>All settings live in <code>demo.toml</code>; environment variables override them "
            "(see "
            + _page_link("Environment variables")
            + ").</p>"
            + _table(
                ("Setting", "Default", "Description"),
                ("<code>port</code>", "8080", "TCP port to listen on"),
                ("<code>workers</code>", "4", "Number of worker processes"),
                ("<code>log_level</code>", "info", "One of debug, info, warning &amp; error"),
            )
        ),
        "98309": (
            "<h1>Environment variables</h1>"
            + _table(
                ("Variable", "Meaning"),
                ("<code>DEMO_DATABASE_URL</code>", "Connection string of the database"),
                ("<code>DEMO_SECRET_KEY</code>", "Signing key &ndash; never commit it"),
            )
            + _code("bash", 'export DEMO_DATABASE_URL="postgresql://demo@localhost/demo"')
        ),
        "98310": (
            "<h1>Architecture overview</h1>"
            + _panel(
                "info",
                "<p>This page describes the <em>target</em> architecture for 2026. "
                "Deployment steps are in the " + _page_link("Installation guide", "install guide") + ".</p>",
            )
            + "<h2>Components</h2>"
            "<ul><li>API gateway<ul><li>rate limiting</li><li>authentication</li></ul></li>"
            "<li>Worker pool</li><li>PostgreSQL 17</li></ul>"
            '<p><ac:image ac:width="600"><ri:attachment ri:filename="architecture-diagram.png" /></ac:image></p>'
            "<h2>Data flow</h2>"
            "<p>Requests enter the gateway, are queued, and are processed by workers. "
            "See " + _page_link("Data model") + " for the tables.</p>"
        ),
        "98311": (
            "<h1>Service catalog</h1>"
            + _table(
                ("Service", "Owner", "Status"),
                ("gateway", "Platform team", _status("Green", "LIVE")),
                ("billing", "Payments team", _status("Yellow", "BETA")),
                ("reports", "Data team", _status("Red", "DEPRECATED")),
            )
        ),
        "98312": (
            "<h1>Data model</h1>"
            "<p>The core tables:</p>"
            + _code(
                "sql",
                "CREATE TABLE account (\n  id bigserial PRIMARY KEY,\n  email text NOT NULL UNIQUE\n);\n"
                "CREATE TABLE invoice (\n  id bigserial PRIMARY KEY,\n  account_id bigint REFERENCES account(id)\n);",
            )
            + "<p>Amounts are stored in cents; never use <code>float</code> for money &lt;sic&gt;.</p>"
        ),
        "98313": (
            "<h1>Team processes</h1>"
            "<p>How we work: planning every second Monday, retrospectives every second Friday.</p>"
            '<ac:structured-macro ac:name="children" ac:schema-version="2" />'
        ),
        "98314": (
            "<h1>Release checklist</h1>"
            f"<p>Release manager: {_mention(first, cloud)}</p>"
            "<ac:task-list>"
            + _task(1, True, "Freeze the release branch")
            + _task(2, False, "Run the full regression suite")
            + _task(3, False, "Publish the release notes")
            + "</ac:task-list>"
            + _panel("warning", "<p>Never release on a Friday.</p>")
        ),
        "98315": (
            "<h1>On-call handbook</h1>"
            + _panel("note", "<p>The pager rotates every Monday at 10:00 CET.</p>")
            + "<h2>Common alerts</h2>"
            + _table(
                ("Alert", "First step"),
                ("Disk usage &gt; 90%", "Rotate the logs"),
                ("5xx rate high", "Check the gateway dashboard"),
            )
            + '<ac:structured-macro ac:name="expand" ac:schema-version="1">'
            '<ac:parameter ac:name="title">Escalation contacts</ac:parameter>'
            f"<ac:rich-text-body><p>Escalate to {_mention(second, cloud)} after 30 minutes.</p>"
            "</ac:rich-text-body></ac:structured-macro>"
        ),
        "98316": (
            "<h1>Meeting notes 2026-01-12</h1>"
            f"<p>Attendees: {_mention(first, cloud)}, {_mention(second, cloud)}</p>"
            "<h2>Discussion</h2>"
            "<ul><li>Größe der Release-Pakete reduziert &ndash; café-Bestellung für das Team \u2615</li>"
            "<li>Bob promised to say &quot;hi&quot; to the new release team.</li>"
            "<li>Decision: move the retro to Thursday</li></ul>"
            "<h2>Action items</h2>"
            "<ac:task-list>" + _task(1, False, "Update the " + _page_link("Release checklist")) + "</ac:task-list>"
        ),
        "98317": (
            "<h1>Engineering</h1>"
            "<p>Home of the engineering team. Demo product docs live in "
            + _page_link("Demo space Home", "the Demo space", space="DEMO")
            + ".</p>"
        ),
        "98318": (
            "<h1>Coding standards</h1>"
            "<ul><li>Type hints everywhere; <code>mypy --strict</code> must pass</li>"
            "<li>Format with ruff</li></ul>"
            + _code("python", 'def greet(name: str) -> str:\n    return f"Hello, {name}!"', "Example")
            + "<p>Architecture decisions: "
            + _page_link("Architecture overview", space="DEMO")
            + "</p>"
        ),
        "98319": (
            "<h1>Incident postmortem: API outage</h1>"
            + _table(
                ("Time (UTC)", "Event"),
                ("09:12", "Error rate rises above 20%"),
                ("09:30", "Gateway rolled back"),
            )
            + "<h2>Root cause</h2><p>A connection pool leak in the gateway.</p>"
        ),
    }


# (id, space, parent, title, version, labels)
_PAGES: tuple[tuple[str, str, str | None, str, int, tuple[str, ...]], ...] = (
    ("98305", "DEMO", None, "Demo space Home", 3, ()),
    ("98306", "DEMO", "98305", "Getting started", 1, ("onboarding",)),
    ("98307", "DEMO", "98306", "Installation guide", 2, ("howto", "setup")),
    ("98308", "DEMO", "98306", "Configuration reference", 1, ("reference",)),
    ("98309", "DEMO", "98308", "Environment variables", 1, ("reference", "config")),
    ("98310", "DEMO", "98305", "Architecture overview", 5, ("architecture",)),
    ("98311", "DEMO", "98310", "Service catalog", 2, ("architecture",)),
    ("98312", "DEMO", "98310", "Data model", 1, ()),
    ("98313", "DEMO", "98305", "Team processes", 1, ()),
    ("98314", "DEMO", "98313", "Release checklist", 4, ("process", "release")),
    ("98315", "DEMO", "98313", "On-call handbook", 1, ("process",)),
    ("98316", "DEMO", "98305", "Meeting notes 2026-01-12", 1, ("meeting-notes",)),
    ("98317", "ENG", None, "Engineering Home", 1, ()),
    ("98318", "ENG", "98317", "Coding standards", 2, ("standards",)),
    ("98319", "ENG", "98317", "Incident postmortem: API outage", 1, ("postmortem", "incident")),
)

_COMMENTS = (
    ("98320", "98307", 0, "<p>Works on macOS too, but use <code>brew install postgresql@17</code>.</p>"),
    ("98321", "98307", 1, "<p>Thanks! I added a note about the <strong>virtual environment</strong>.</p>"),
    ("98322", "98310", 1, "<p>Should we mention the cache layer here?</p>"),
)


def seed(users: tuple[ConfluenceUser, ...], cloud: bool) -> tuple[dict[str, Page], dict[str, list[Comment]]]:
    """Seeded pages (keyed by id) and comments (keyed by page id)."""
    first = users[0] if users else None
    second = users[1] if len(users) > 1 else first
    bodies = _bodies(first, second, cloud)
    pages: dict[str, Page] = {}
    for index, (page_id, space, parent, title, version, labels) in enumerate(_PAGES):
        created = SEED_EPOCH + timedelta(hours=5 * index)
        author = users[index % len(users)].name if users else None
        updater = users[(index + 1) % len(users)].name if users and version > 1 else author
        pages[page_id] = {
            "id": page_id,
            "type": "page",
            "status": "current",
            "space_key": space,
            "title": title,
            "body": bodies[page_id],
            "version": version,
            "version_message": "",
            "parent_id": parent,
            "position": index,
            "labels": list(labels),
            "created": created,
            "created_by": author,
            "updated": created + timedelta(days=version - 1, minutes=index),
            "updated_by": updater,
        }
    comments: dict[str, list[Comment]] = {page_id: [] for page_id in pages}
    for index, (comment_id, page_id, who, body) in enumerate(_COMMENTS):
        author = users[who % len(users)].name if users else None
        created = SEED_EPOCH + timedelta(days=2, hours=index)
        comments[page_id].append(
            {
                "id": comment_id,
                "type": "comment",
                "status": "current",
                "page_id": page_id,
                "body": body,
                "version": 1,
                "created": created,
                "created_by": author,
                "updated": created,
                "updated_by": author,
            }
        )
    return pages, comments
