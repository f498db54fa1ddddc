"""The fake Jira's attachments (real bytes), status histories and development information (no HTTP here)."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._data import SEED_EPOCH, STATUSES, JiraUser, jira_timestamp

if TYPE_CHECKING:
    from ._render import JiraRenderer


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small, valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


SCREENSHOT_PNG = _png(4, 3, (0x26, 0x84, 0xFF))
NOTES_TEXT = (
    b"Reproduction notes for the login outage\n"
    b"1. Open the staging login page with a fresh browser profile.\n"
    b"2. Sign in with SSO; the redirect loops back to /login after the consent screen.\n"
    b"3. The identity provider logs show an expired signing certificate since 09:12 UTC.\n"
)


@dataclass
class Attachment:
    id: str
    issue: str
    filename: str
    mime_type: str
    content: bytes
    author: str | None
    created: str


@dataclass
class ExtrasState:
    """Attachments by id, the bytes served of each, and development information by issue key."""

    attachments: dict[str, Attachment] = field(default_factory=dict)
    served: dict[str, int] = field(default_factory=dict)  # attachment id -> bytes sent (tests count them)
    development: dict[str, dict[str, Any]] = field(default_factory=dict)
    transitioned_at: list[str] = field(default_factory=list)  # the time of each of JiraState.transitions
    _next_id: int = 10400

    @classmethod
    def seeded(
        cls, users: tuple[JiraUser, ...], issues: dict[str, dict[str, Any]], links: list[dict[str, Any]]
    ) -> ExtrasState:
        """DEMO-1's attachments and development panel; due dates; the epic DEMO-10's stories; links to OPS."""
        state = cls()
        for child in ("DEMO-11", "DEMO-12", "DEMO-13"):
            if child in issues and "DEMO-10" in issues:
                issues[child]["parent"] = "DEMO-10"
        for link_id, kind, inward, outward in (
            ("10190", "Blocks", "OPS-5", "DEMO-12"),
            ("10191", "Relates", "DEMO-14", "OPS-2"),
        ):
            if inward in issues and outward in issues:
                links.append({"id": link_id, "type": kind, "inward": inward, "outward": outward, "by": None})
        for key, due in (("DEMO-1", "2026-01-20"), ("DEMO-2", "2026-02-27"), ("DEMO-3", "2026-01-16")):
            if key in issues:
                issues[key]["duedate"] = due
        author = users[1].name if len(users) > 1 else (users[0].name if users else None)
        stamp = jira_timestamp(SEED_EPOCH + timedelta(hours=3))
        state.add("DEMO-1", "login-loop.png", "image/png", SCREENSHOT_PNG, author, stamp)
        state.add("DEMO-1", "reproduction-notes.txt", "text/plain", NOTES_TEXT, author, stamp)
        state.development["DEMO-1"] = _development()
        return state

    def add(self, issue: str, filename: str, mime: str, content: bytes, author: str | None, created: str) -> Attachment:
        attachment = Attachment(str(self._next_id), issue, filename, mime, content, author, created)
        self._next_id += 1
        self.attachments[attachment.id] = attachment
        return attachment

    def of_issue(self, key: str) -> list[Attachment]:
        return [a for a in self.attachments.values() if a.issue == key]

    def serve(self, attachment: Attachment) -> bytes:
        self.served[attachment.id] = self.served.get(attachment.id, 0) + len(attachment.content)
        return attachment.content

    @property
    def served_bytes(self) -> int:
        return sum(self.served.values())


def render_attachment(renderer: JiraRenderer, attachment: Attachment) -> dict[str, Any]:
    """An attachment as the issue's `attachment` field and GET /attachment/{id} show it."""
    if renderer.cloud:
        content = f"{renderer.api}/attachment/content/{attachment.id}"
    else:
        content = f"{renderer.base}/secure/attachment/{attachment.id}/{attachment.filename}"
    return {
        "self": f"{renderer.api}/attachment/{attachment.id}",
        "id": attachment.id,
        "filename": attachment.filename,
        "author": renderer.user(attachment.author),
        "created": attachment.created,
        "size": len(attachment.content),
        "mimeType": attachment.mime_type,
        "content": content,
    }


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z")


def changelog(renderer: JiraRenderer, issue: dict[str, Any]) -> dict[str, Any]:
    """The issue's status history: seeded steps to its seeded status, then the transitions made since."""
    status_ids = {s.name: s.id for s in STATUSES}
    created = _parse(issue["created"])
    steps: list[tuple[str, str, str, str | None]] = []  # (when, from, to, who)
    stamps = renderer.state.extras.transitioned_at
    logged = renderer.state.transitions
    made = [
        {**t, "at": stamps[i] if i < len(stamps) else None} for i, t in enumerate(logged) if t["issue"] == issue["key"]
    ]
    seeded_status = made[0]["from"] if made else issue["status"]
    path = {"To Do": [], "In Progress": ["In Progress"], "Done": ["In Progress", "Done"]}.get(seeded_status, [])
    previous = STATUSES[0].name
    finished = issue.get("resolutiondate") or issue["updated"]
    moments = (jira_timestamp(created + timedelta(hours=1)), finished)  # started an hour in; done when resolved
    for when, status in zip(moments, path, strict=False):
        steps.append((when, previous, status, issue.get("assignee")))
        previous = status
    for t in made:
        steps.append((t.get("at") or issue["updated"], t["from"], t["to"], t.get("by")))
    histories = [
        {
            "id": str(20000 + int(issue["id"]) * 10 + index),
            "author": renderer.user(who),
            "created": when,
            "items": [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    **({"fieldId": "status"} if renderer.cloud else {}),
                    "from": status_ids.get(old),
                    "fromString": old,
                    "to": status_ids.get(new),
                    "toString": new,
                }
            ],
        }
        for index, (when, old, new, who) in enumerate(steps)
    ]
    return {"startAt": 0, "maxResults": len(histories), "total": len(histories), "histories": histories}


def _development() -> dict[str, Any]:
    """DEMO-1's development panel: one GitHub repository with a branch, a commit and an open pull request."""
    repo = {"id": "4711", "name": "acme/login-service", "url": "https://github.com/acme/login-service"}
    commit = {
        "id": "9f2c1e7a4b5d6c8e0f1a2b3c4d5e6f708192a3b4",
        "displayId": "9f2c1e7",
        "message": "DEMO-1 rotate the SSO signing certificate",
        "author": {"name": "Alice Example"},
        "authorTimestamp": "2026-01-16T09:40:00.000+0000",
        "url": "https://github.com/acme/login-service/commit/9f2c1e7",
        "fileCount": 3,
        "merge": False,
    }
    branch = {
        "name": "fix/DEMO-1-sso-loop",
        "url": "https://github.com/acme/login-service/tree/fix/DEMO-1-sso-loop",
        "repository": repo,
        "lastCommit": commit,
    }
    pull_request = {
        "id": "#42",
        "name": "DEMO-1: rotate the SSO signing certificate",
        "url": "https://github.com/acme/login-service/pull/42",
        "status": "OPEN",
        "author": {"name": "Alice Example"},
        "source": {"branch": branch["name"]},
        "destination": {"branch": "main"},
        "reviewers": [{"name": "Bob Builder", "approved": False}],
        "commentCount": 2,
        "lastUpdate": "2026-01-16T10:05:00.000+0000",
        "repositoryName": repo["name"],
    }
    instance = {"id": "github", "name": "GitHub", "type": "GitHub", "typeName": "GitHub", "singleInstance": True}
    return {
        "GitHub": {
            "_instance": instance,
            "pullrequest": {"pullRequests": [pull_request]},
            "branch": {"branches": [branch], "repositories": [{**repo, "commits": []}]},
            "repository": {"repositories": [{**repo, "commits": [commit]}]},
        }
    }
