"""The fake Jira's Jira Service Management: one service desk project (HELP) with its queues, request types,
fields and customer requests (no HTTP here).

JSM answers errors as ``{"errorMessage": "...", "i18nErrorMessage": {"i18nKey", "parameters"}}``, pages as
``{"size", "start", "limit", "isLastPage", "values"}``, and refuses its experimental methods without the
``X-ExperimentalApi: opt-in`` header.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .._adf import is_adf, wiki_to_adf
from ._data import SEED_EPOCH, Project, jira_timestamp
from ._errors import JiraError

if TYPE_CHECKING:
    from ._state import Issue, JiraState

HELP = Project("10002", "HELP", "IT Help Desk")
PAGE_LIMIT = 50
EXPERIMENTAL = (
    "This API is experimental. Experimental APIs are not guaranteed to be stable within the preview period. "
    "You must set the header 'X-ExperimentalApi: opt-in' to opt into using this API."
)
TEXTAREA = "com.atlassian.jira.plugin.system.customfieldtypes:textarea"
SELECT = "com.atlassian.jira.plugin.system.customfieldtypes:select"


class ServiceDeskError(JiraError):
    """An error answer in JSM's own shape (one message, with its i18n key)."""

    def __init__(self, status: int, message: str, key: str, *parameters: str) -> None:
        super().__init__(status, [message])
        self.message = message
        self.key = key
        self.parameters = list(parameters)

    @property
    def body(self) -> dict[str, Any]:
        return {"errorMessage": self.message, "i18nErrorMessage": {"i18nKey": self.key, "parameters": self.parameters}}


def experimental_refused() -> ServiceDeskError:
    return ServiceDeskError(412, EXPERIMENTAL, "sd.api.experimental.required")


@dataclass(frozen=True)
class RequestField:
    field_id: str
    name: str
    required: bool
    schema: Mapping[str, Any]
    description: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (id, label) of a select field

    @property
    def rich(self) -> bool:
        return self.schema.get("system") == "description" or self.schema.get("custom") == TEXTAREA


@dataclass(frozen=True)
class RequestType:
    id: str
    name: str
    description: str
    help_text: str
    issue_type: str  # the Jira issue type its requests are (a name of _data.ISSUE_TYPES)
    fields: tuple[RequestField, ...]
    group_ids: tuple[str, ...] = ("1",)


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    jql: str
    holds: Callable[[Issue, str | None], bool]  # (issue, current user) -> in this queue
    fields: tuple[str, ...] = ("issuetype", "summary", "reporter", "assignee", "status", "priority", "created")


@dataclass
class CustomerRequest:
    """What JSM keeps about an issue raised as a request: which desk and type, and who takes part."""

    service_desk_id: str
    request_type_id: str
    participants: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # field id -> value as sent (rich text as stored)


_SUMMARY = RequestField("summary", "Summary", True, {"type": "string", "system": "summary"})
_DESCRIPTION = RequestField(
    "description", "Description", False, {"type": "string", "system": "description"}, "Tell us what happened."
)
_URGENCY = RequestField(
    "customfield_10060",
    "Urgency",
    False,
    {"type": "option", "custom": SELECT, "customId": 10060},
    "How soon do you need this?",
    (("10100", "Low"), ("10101", "Medium"), ("10102", "High")),
)
_STEPS = RequestField(
    "customfield_10061",
    "Steps to reproduce",
    True,
    {"type": "string", "custom": TEXTAREA, "customId": 10061},
    "What did you do before it broke?",
)
_DEVICE = RequestField(
    "customfield_10062",
    "Device",
    True,
    {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield", "customId": 10062},
    "The laptop or phone this is for.",
)

REQUEST_TYPES = (
    RequestType(
        "10", "Get IT help", "Ask a question or get help with IT.", "We answer within a day.", "Task",
        (_SUMMARY, _DESCRIPTION, _URGENCY),
    ),
    RequestType(
        "11", "Report a system problem", "Something is broken or not working.", "", "Bug",
        (_SUMMARY, _STEPS, _DESCRIPTION, _URGENCY), ("1", "2"),
    ),
    RequestType(
        "12", "Request new hardware", "A new laptop, monitor or phone.", "Needs a manager's approval.", "Task",
        (_SUMMARY, _DEVICE, _DESCRIPTION), ("2",),
    ),
)  # fmt: skip


def _open(issue: Issue) -> bool:
    return bool(issue["status"] != "Done")


QUEUES = (
    Queue("1", "All open", "project = HELP AND resolution = Unresolved ORDER BY created DESC", lambda i, _: _open(i)),
    Queue(
        "2",
        "Assigned to me",
        "project = HELP AND assignee = currentUser() AND resolution = Unresolved",
        lambda i, me: _open(i) and i.get("assignee") == me,
    ),
    Queue(
        "3",
        "Unassigned",
        "project = HELP AND assignee IS EMPTY AND resolution = Unresolved",
        lambda i, _: _open(i) and i.get("assignee") is None,
    ),
    Queue("4", "Resolved", "project = HELP AND resolution IS NOT EMPTY", lambda i, _: not _open(i)),
)

_SEED = (  # summary, request type, status, urgency, description (wiki markup)
    ("VPN drops every few minutes", "11", "In Progress", "10102", "The VPN client disconnects on the office Wi-Fi."),
    ("New monitor for the design team", "12", "To Do", None, "Two 27 inch monitors, please."),
    ("How do I share a calendar?", "10", "Done", "10100", "I want my team to see my calendar."),
    ("Printer on floor 3 jams", "11", "To Do", "10101", "It jams on every double-sided job."),
)


class ServiceDeskState:
    """The HELP service desk; part of ``JiraState`` (as ``state.service_desk``), which it seeds on creation."""

    def __init__(self, state: JiraState) -> None:
        self.state = state
        self.id = "1"
        self.project = HELP
        self.request_types = REQUEST_TYPES
        self.queues = QUEUES
        self.requests: dict[str, CustomerRequest] = {}  # by issue key
        state.projects[HELP.key] = HELP
        users = state.users
        reporter = users[1].name if len(users) > 1 else (users[0].name if users else None)
        agent = users[0].name if users else None
        for number, (summary, type_id, status, urgency, text) in enumerate(_SEED, start=1):
            created = SEED_EPOCH + timedelta(days=20, hours=5 * number)
            key = f"{HELP.key}-{number}"
            state.issues[key] = {
                "id": str(10500 + number),
                "key": key,
                "project": HELP.key,
                "summary": summary,
                "issuetype": self.request_type(type_id).issue_type,
                "status": status,
                "priority": "Medium",
                "resolution": "Done" if status == "Done" else None,
                "resolutiondate": jira_timestamp(created + timedelta(hours=3)) if status == "Done" else None,
                "assignee": agent if number in (1, 3) else None,
                "reporter": reporter,
                "creator": reporter,
                "created": jira_timestamp(created),
                "updated": jira_timestamp(created + timedelta(hours=1)),
                "labels": [],
                "description": wiki_to_adf(text) if state.cloud else text,
                "parent": None,
            }
            state.comments[key] = []
            values: dict[str, Any] = {"summary": summary, "description": text}
            if urgency:
                values[_URGENCY.field_id] = {"id": urgency}
            self.requests[key] = CustomerRequest(self.id, type_id, [], values)

    # ------------------------------------------------------------------ lookups

    def find(self, ref: str) -> bool:
        """Whether ``ref`` names this service desk: its id, or (as Cloud allows) its project's id or key."""
        if ref == self.id:
            return True
        return self.state.cloud and ref.upper() in (HELP.id, HELP.key)

    def desk(self, ref: str) -> None:
        if not self.find(ref):
            raise ServiceDeskError(
                404, "The service desk you are trying to view does not exist.", "sd.servicedesk.error.notfound"
            )

    def request_type(self, ref: str) -> RequestType:
        found = next((t for t in self.request_types if t.id == ref), None)
        if found is None:
            raise ServiceDeskError(
                404, "The request type you are trying to view does not exist.", "sd.requesttype.error.notfound"
            )
        return found

    def queue(self, ref: str) -> Queue:
        found = next((q for q in self.queues if q.id == ref), None)
        if found is None:
            raise ServiceDeskError(404, "The queue you are trying to view does not exist.", "sd.queue.error.notfound")
        return found

    def queue_issues(self, queue: Queue, current: str | None) -> list[Issue]:
        held = [i for i in self.state.issues.values() if i["project"] == HELP.key and queue.holds(i, current)]
        return sorted(held, key=lambda i: str(i["created"]), reverse=True)

    # ------------------------------------------------------------------ creating a request

    def create(self, payload: Mapping[str, Any], *, actor: str | None) -> Issue:
        """POST /request: the fields checked against the request type, as JSM does, then the issue created."""
        desk_ref = payload.get("serviceDeskId")
        type_ref = payload.get("requestTypeId")
        if not desk_ref or not type_ref:
            raise ServiceDeskError(
                400,
                "The serviceDeskId and requestTypeId are required to create a request.",
                "sd.request.create.error.missing.ids",
            )
        self.desk(str(desk_ref))
        request_type = self.request_type(str(type_ref))
        values = payload.get("requestFieldValues") or {}
        if not isinstance(values, Mapping):
            raise ServiceDeskError(400, "requestFieldValues must be an object.", "sd.request.create.error.fields")
        adf = payload.get("isAdfRequest") is True
        known = {f.field_id: f for f in request_type.fields}
        problems: list[str] = []
        for name in values:
            if name not in known:
                problems.append(f"The field '{name}' is not valid for this request type")
        stored: dict[str, Any] = {}
        for definition in request_type.fields:
            value = values.get(definition.field_id)
            if value is None or value == "" or value == {} or value == []:
                if definition.required:
                    problems.append(f"{definition.name} is required.")
                continue
            problem = _check(definition, value, adf)
            if problem:
                problems.append(problem)
            else:
                stored[definition.field_id] = value
        on_behalf = payload.get("raiseOnBehalfOf")
        reporter = actor
        if on_behalf is not None:
            user = self._user(on_behalf)
            if user is None:
                problems.append(f"The user '{on_behalf}' does not exist, so no request can be raised on their behalf.")
            reporter = user
        participants: list[str] = []
        for ref in payload.get("requestParticipants") or []:
            user = self._user(ref)
            if user is None:
                problems.append(f"The request participant '{ref}' does not exist.")
            elif user not in participants:
                participants.append(user)
        if problems:
            raise ServiceDeskError(
                400,
                "Your request could not be created. Please check the fields have been correctly filled in. "
                + " ".join(problems),
                "sd.validation.request.creation.failure",
                *problems,
            )
        issue = self.state.create_issue(
            {
                "project": {"key": HELP.key},
                "issuetype": {"name": request_type.issue_type},
                "summary": stored["summary"],
            },
            adf=self.state.cloud,
            reporter=reporter,
        )
        description = stored.get("description")
        if isinstance(description, str) and self.state.cloud:
            description = wiki_to_adf(description)  # JSM Cloud stores text it gets as wiki markup as a document
        issue["description"] = description
        self.requests[issue["key"]] = CustomerRequest(self.id, request_type.id, participants, stored)
        return issue

    def _user(self, ref: object) -> str | None:
        """A customer as the deployment names one: an account id on Cloud, a username (or key) on Server."""
        if not isinstance(ref, str):
            return None
        if self.state.cloud:
            found = next((u for u in self.state.users if u.account_id == ref), None)
        else:
            found = next(
                (u for u in self.state.users if ref.lower() in (u.name.lower(), self.state.user_key(u).lower())),
                None,
            )
        return found.name if found else None


def _check(definition: RequestField, value: object, adf: bool) -> str | None:
    """What JSM says of one value for its field, or None when it takes it."""
    if definition.options:
        ref = value.get("id", value.get("value")) if isinstance(value, Mapping) else None
        if not any(str(ref) in pair for pair in definition.options):
            allowed = ", ".join(label for _, label in definition.options)
            return f"Specify a valid value for {definition.name} (one of: {allowed})."
        return None
    if definition.rich and adf:
        return None if is_adf(value) else f"{definition.name}: the value must be an Atlassian Document."
    if not isinstance(value, str):
        return f"{definition.name}: the value must be a string."
    if definition.field_id == "summary" and len(value) > 255:
        return "Summary must be less than 255 characters."
    return None


def page(values: Sequence[Any], query: Mapping[str, str], base: str, path: str) -> dict[str, Any]:
    """One page of a JSM list, as ``start``/``limit`` ask (``limit`` at most 50)."""
    start = _number(query, "start", 0)
    limit = min(_number(query, "limit", PAGE_LIMIT), PAGE_LIMIT) or PAGE_LIMIT
    chunk = list(values[start : start + limit])
    last = start + len(chunk) >= len(values)
    links: dict[str, str] = {"base": base, "context": "", "self": f"{base}/rest/servicedeskapi{path}"}
    if not last:
        links["next"] = f"{links['self']}?start={start + limit}&limit={limit}"
    if start:
        links["prev"] = f"{links['self']}?start={max(0, start - limit)}&limit={limit}"
    return {"_expands": [], "size": len(chunk), "start": start, "limit": limit, "isLastPage": last, "values": chunk,
            "_links": links}  # fmt: skip


def _number(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ServiceDeskError(400, f"The value '{raw}' is not valid for the parameter '{name}'.", "sd.paging.error")
    return int(raw)
