"""ClickUp task comments: read them (newest first, 25 at a time, older ones on request) and add one in Markdown.

Facts: ClickUp renders a comment's formatting only from its `comment` array of runs; `comment_text` is
plain text, and sent together with the array it is shown twice. So a comment goes as runs alone
(`_comment_format.markdown_to_comment`) and is read back from its runs (`comment_to_markdown`), its
`comment_text` when it has none. A custom task id (`ENG-1`) is resolved to the task first, in the token's
Workspaces (`custom_task_ids=true&team_id=…`, `TaskCalls.task`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from passthrough.errors import InvalidArguments
from passthrough.markup import convert
from passthrough.providers.clickup import ClickUpClient
from passthrough.providers.clickup._discussion import COMMENTS_PAGE
from passthrough.providers.clickup._tasks import is_custom_id
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.clickup._comment_format import comment_to_markdown, markdown_to_comment
from passthrough.tools.clickup._common import COMMENTS, TaskId

MAX_COMMENT = 100_000


def _text_id(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def moment(ms: Any) -> str | None:
    """ClickUp's Unix milliseconds (a number or a string of digits) as ISO 8601 in UTC; None for none."""
    text = str(ms) if isinstance(ms, int) and not isinstance(ms, bool) else ms
    if not isinstance(text, str) or not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 15:
        return None
    return datetime.fromtimestamp(int(text) / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def shown(iso: str | None) -> str:
    """`2026-03-03T09:00:00Z` as `2026-03-03 09:00 UTC`."""
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else "an unknown time"


async def task_ref(clickup: ClickUpClient, task_id: str) -> tuple[str, dict[str, Any] | None]:
    """ClickUp's own id for `task_id`, and the task when it had to be read (a custom id) to find it."""
    if not is_custom_id(task_id):
        return task_id, None
    task = await clickup.task(task_id)
    return str(task.get("id") or task_id), task


def _person(user: Any) -> dict[str, Any] | None:
    if not isinstance(user, dict):
        return None
    return {"id": user.get("id"), "username": user.get("username"), "email": user.get("email")}


def _name(person: dict[str, Any] | None) -> str:
    if person is None:
        return "someone"
    return str(person.get("username") or person.get("email") or f"user {person.get('id')}")


# ---------------------------------------------------------------------- read


CommentId = Annotated[
    str,
    BeforeValidator(_text_id),
    Field(pattern=r"^[0-9]{1,20}$", description="start_id: the id of the oldest comment seen (from next)"),
]


class GetCommentsArgs(Arguments):
    task_id: TaskId
    start: Annotated[
        int | None,
        Field(ge=0, le=10**14, description="For older comments: the date (ms) of the oldest comment seen (next)"),
    ] = None
    start_id: CommentId | None = None

    @model_validator(mode="after")
    def _both(self) -> GetCommentsArgs:
        if (self.start is None) != (self.start_id is None):
            raise ValueError("give start and start_id together (both from the answer's next), or neither")
        return self


def comment_row(comment: dict[str, Any], markdown: str) -> dict[str, Any]:
    replies = comment.get("reply_count")
    return {
        "id": str(comment.get("id", "")),
        "author": _person(comment.get("user")),
        "date": moment(comment.get("date")),
        "markdown": markdown,
        "resolved": comment.get("resolved") is True,
        "assignee": _person(comment.get("assignee")),
        "reply_count": replies if isinstance(replies, int) and not isinstance(replies, bool) else 0,
    }


@tool("clickup_get_comments", title="ClickUp: read task comments", toolset=COMMENTS)
async def get_comments(clickup: ClickUpClient, args: GetCommentsArgs) -> ToolResult:
    """Read a task's comments as Markdown, newest first, 25 at a time: author, date (UTC), text, resolved,
    assignee, replies. A task id or a custom task id (ENG-1). When there may be older comments the answer's
    next gives start and start_id: call again with them for the 25 before."""
    task_id, _ = await task_ref(clickup, args.task_id)
    found = await clickup.task_comments(task_id, args.start, args.start_id)
    rows = []
    for comment in (c for c in found if isinstance(c, dict)):
        markdown = await convert(comment_to_markdown, comment.get("comment"))
        if not markdown:
            markdown = comment_to_markdown(None, comment.get("comment_text"))
        rows.append(comment_row(comment, markdown))
    oldest = found[-1] if found and isinstance(found[-1], dict) else {}
    date = oldest.get("date")
    more = len(found) >= COMMENTS_PAGE and str(date).isdigit() and str(oldest.get("id", "")).isdigit()
    after = {"start": int(str(date)), "start_id": str(oldest.get("id"))} if more else None
    earlier = " earlier" if args.start is not None else ""
    if not rows:
        none = f"Task {args.task_id} has no{earlier} comments.\n"
        return ToolResult(none, {"task_id": task_id, "comments": [], "next": None})
    lines = [f"{len(rows)}{earlier} comment{'s' if len(rows) != 1 else ''} on task {args.task_id}, newest first:"]
    for row in rows:
        flags = [f"comment {row['id']}"]
        if row["resolved"]:
            flags.append("resolved")
        if row["assignee"] is not None:
            flags.append(f"assigned to {_name(row['assignee'])}")
        if row["reply_count"]:
            flags.append(f"{row['reply_count']} repl{'ies' if row['reply_count'] != 1 else 'y'}")
        lines += ["", f"**{_name(row['author'])}** · {shown(row['date'])} · {' · '.join(flags)}", row["markdown"]]
    if after is not None:
        lines += [
            "",
            f"Older comments may follow: call clickup_get_comments with start={after['start']} "
            f'and start_id="{after["start_id"]}".',
        ]
    return ToolResult("\n".join(lines) + "\n", {"task_id": task_id, "comments": rows, "next": after})


# ---------------------------------------------------------------------- write


class AddCommentArgs(Arguments):
    task_id: TaskId
    comment: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_COMMENT,
            description="The comment in Markdown (bold, italic, code, links, lists, checklists, code blocks)",
        ),
    ]
    notify_all: Annotated[
        bool, Field(description="Notify everyone on the task, the author included (ClickUp's notify_all)")
    ] = False


@tool("clickup_add_comment", title="ClickUp: comment on a task", toolset=COMMENTS, effect="create")
async def add_comment(clickup: ClickUpClient, args: AddCommentArgs) -> ToolResult:
    """Add a comment written in Markdown to a task (a task id or a custom task id such as ENG-1). Sent as
    ClickUp's rich comment: bold, italic, inline code, links, bullet, numbered and check lists and code
    blocks keep their formatting; a heading becomes a bold line and a table an aligned code block (ClickUp
    comments have neither). Returns the new comment's id and date."""
    runs = await convert(markdown_to_comment, args.comment)
    if not runs:
        raise InvalidArguments("The comment has no text to show; write what to say.")
    task_id, _ = await task_ref(clickup, args.task_id)
    created = await clickup.add_task_comment(task_id, {"comment": runs, "notify_all": args.notify_all})
    comment_id = str(created.get("id", ""))
    when = moment(created.get("date"))
    data = {
        "id": comment_id,
        "task_id": task_id,
        "date": when,
        "task_url": clickup.task_url(task_id),
        "markdown": comment_to_markdown(runs),
    }
    also = "; everyone on the task was notified" if args.notify_all else ""
    return ToolResult(f"Added comment {comment_id} to task {args.task_id} at {shown(when)}{also}.\n", data)
