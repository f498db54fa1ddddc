"""The fake Jira's ProForma forms (Jira forms), and the Atlassian gateway's view of them on Cloud.

Seeded on the HELP service desk: HELP-2 (a monitor request) carries an open "Hardware request" form with
text, number, single-choice, date, checkbox, long-text and date-time questions, some answered, and a
submitted "Cost centre approval"; HELP-1 carries a locked "VPN diagnostics" form.

Cloud keeps a form as the forms API shows it (``design`` with ``questions`` keyed by id, ``state`` with
``status`` o/s/l, ``visibility`` i/e and ``answers`` keyed by question id) under a UUID; Server/Data Center
lists an issue's forms in its ``proforma.forms`` issue property, by number.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from ._agile_state import agile_timestamp
from ._data import SEED_EPOCH

CLOUD_ID = "5e0c7a1d-2f4b-4c8e-9a6d-3b1f0e2d4c6a"
"""The fake Cloud site's cloud id, as ``/_edge/tenant_info`` tells it and the gateway's paths name it."""

ANSWER_PARTS = frozenset({"text", "date", "time", "choices", "users", "files", "adf"})
_CHOICE_TYPES = frozenset({"cd", "cs", "cm", "cl"})
_USER_TYPES = frozenset({"us", "um"})


class FormsError(Exception):
    """An error answer of the forms API: ``{"errors": [{"status", "code", "title", "detail", "context"}]}``."""

    def __init__(self, status: int, code: str, title: str, detail: str, context: list[dict[str, str]]) -> None:
        super().__init__(status, code)
        self.status = status
        self.body = {"errors": [{"status": status, "code": code, "title": title, "detail": detail, "context": context}]}


def _question(qtype: str, label: str, *, required: bool = False, **extra: Any) -> dict[str, Any]:
    question: dict[str, Any] = {"type": qtype, "label": label, "validation": {"rq": True} if required else {}}
    question.update(extra)
    return question


def _choices(*labels: str) -> list[dict[str, str]]:
    return [{"id": str(n), "label": label} for n, label in enumerate(labels, start=1)]


def _layout(question_ids: list[str]) -> list[dict[str, Any]]:
    """The form's layout: an ADF document placing each question (ProForma's question extensions)."""
    content = [
        {
            "type": "extension",
            "attrs": {
                "extensionType": "com.atlassian.proforma",
                "extensionKey": "question",
                "parameters": {"id": int(qid)},
            },
        }
        for qid in question_ids
    ]
    return [{"version": 1, "type": "doc", "content": content}]


@dataclass
class Form:
    uuid: str  # its id on Cloud
    number: int  # its id on Server/Data Center
    template: int
    name: str
    status: str  # "o" open, "s" submitted, "l" locked
    visibility: str  # "i" internal, "e" external
    questions: dict[str, dict[str, Any]]
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    updated: str = ""

    def entry(self, cloud: bool) -> dict[str, Any]:
        """The form as an issue's list of forms shows it (the forms API on Cloud, ``proforma.forms`` on Server)."""
        if cloud:
            return {
                "id": self.uuid,
                "formTemplate": {"id": str(self.template)},
                "internal": self.visibility == "i",
                "submitted": self.status in ("s", "l"),
                "lock": self.status == "l",
                "name": self.name,
                "updated": self.updated,
            }
        return {
            "id": self.number,
            "projectFormId": self.template,
            "internal": self.visibility == "i",
            "submitted": self.status in ("s", "l"),
            "name": self.name,
            "updated": self.updated,
        }

    def whole(self) -> dict[str, Any]:
        """The form as the Cloud forms API's GET answers: design and state."""
        return {
            "id": self.uuid,
            "updated": self.updated,
            "design": {
                "conditions": {},
                "layout": _layout(list(self.questions)),
                "questions": copy.deepcopy(self.questions),
                "sections": {},
                "settings": {
                    "templateId": self.template,
                    "name": self.name,
                    "submit": {"lock": self.status == "l", "pdf": False},
                    "language": "en",
                },
            },
            "state": {"visibility": self.visibility, "status": self.status, "answers": copy.deepcopy(self.answers)},
        }


def _seed(epoch: str) -> dict[str, list[Form]]:
    hardware = Form(
        uuid="7d3f1c2a-9b4e-4f6a-8c1d-2e5b6a7c8d90",
        number=1,
        template=4,
        name="Hardware request",
        status="o",
        visibility="e",
        questions={
            "1": _question("ts", "Who is the equipment for?", required=True),
            "2": _question("no", "How many monitors?", required=True, validation={"rq": True, "wh": True}),
            "3": _question("cs", "Screen size", choices=_choices('24"', '27"', '32"')),
            "4": _question("da", "Needed by", description="The day the equipment must be at the desk"),
            "5": _question("cm", "Accessories", choices=_choices("Keyboard", "Mouse", "Webcam")),
            "6": _question("tl", "Anything else we should know?"),
            "7": _question("dt", "Preferred delivery slot"),
        },
        answers={
            "1": {"text": "Design team, desk 4.12"},
            "2": {"text": "2"},
            "3": {"choices": ["2"]},
            "4": {"date": "2026-02-02"},
        },
        updated=epoch,
    )
    approval = Form(
        uuid="b2c4e6f8-1a3c-4e5f-9b7d-0c2e4f6a8b1c",
        number=2,
        template=7,
        name="Cost centre approval",
        status="s",
        visibility="i",
        questions={"1": _question("ts", "Cost centre", required=True), "2": _question("us", "Approved by")},
        answers={"1": {"text": "CC-4410"}, "2": {"users": ["acc-bob"]}},
        updated=epoch,
    )
    vpn = Form(
        uuid="c9e1a3b5-7d2f-4a6c-8e0b-1d3f5a7c9e2b",
        number=1,
        template=9,
        name="VPN diagnostics",
        status="l",
        visibility="e",
        questions={"1": _question("cd", "Operating system", choices=_choices("Windows", "macOS", "Linux"))},
        answers={"1": {"choices": ["2"]}},
        updated=epoch,
    )
    return {"HELP-2": [hardware, approval], "HELP-1": [vpn]}


class FormsState:
    """The forms on each issue, by issue key."""

    def __init__(self, cloud: bool) -> None:
        self.cloud = cloud
        self.forms = _seed(agile_timestamp(SEED_EPOCH - timedelta(days=1)))

    def on_issue(self, key: str) -> list[Form]:
        return self.forms.get(key, [])

    def find(self, key: str, form_id: str) -> Form:
        found = next((f for f in self.on_issue(key) if f.uuid == form_id), None)
        if found is None:
            raise FormsError(
                404,
                "FORM_NOT_FOUND",
                "Form Not Found",
                "The provided form ID was not found.",
                [{"type": "issue", "id": key}, {"type": "form", "id": form_id}],
            )
        return found

    def save_answers(self, key: str, form: Form, body: Mapping[str, Any], when: str) -> None:
        """Save the answers a PUT names (the others stay); every one is checked before any is kept."""
        context = [{"type": "issue", "id": key}, {"type": "form", "id": form.uuid}]
        answers = body.get("answers")
        if not isinstance(answers, dict):
            raise FormsError(400, "INVALID_REQUEST", "Invalid Request", "The request needs an answers object.", context)
        if form.status != "o":
            raise FormsError(
                400,
                "FORM_NOT_OPEN",
                "Form Not Open",
                "Answers can only be saved on an open form; reopen the form first.",
                context,
            )
        for qid, answer in answers.items():
            question = form.questions.get(qid)
            problem = _answer_problem(question, answer)
            if problem:
                raise FormsError(
                    400,
                    "INVALID_ANSWER",
                    "Invalid Answer",
                    f"Question {qid}: {problem}",
                    [*context, {"type": "question", "id": qid}],
                )
        for qid, answer in answers.items():
            form.answers[qid] = dict(answer)
        form.updated = when


def _answer_problem(question: dict[str, Any] | None, answer: Any) -> str | None:
    if question is None:
        return "no such question on this form."
    if not isinstance(answer, dict) or not answer or not set(answer) <= ANSWER_PARTS:
        return f"an answer is an object of {', '.join(sorted(ANSWER_PARTS))}."
    qtype = question["type"]
    if qtype in _CHOICE_TYPES:
        known = {c["id"] for c in question.get("choices") or []}
        chosen = answer.get("choices")
        if not isinstance(chosen, list) or not all(isinstance(c, str) and c in known for c in chosen):
            return "choices must be the ids of the question's choices."
        if qtype in ("cd", "cs") and len(chosen) > 1:
            return "a single-choice question takes one choice."
    elif qtype in _USER_TYPES:
        users = answer.get("users")
        if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
            return "users must be a list of account ids."
    elif qtype in ("da", "dt", "ti"):
        day, hour = answer.get("date"), answer.get("time")
        if not (isinstance(day, str) or isinstance(hour, str)):
            return "a date or time question takes date (yyyy-MM-dd) and/or time (HH:mm)."
        try:
            if isinstance(day, str):
                date.fromisoformat(day)
            if isinstance(hour, str) and len(hour) != 5:
                raise ValueError(hour)
            if isinstance(hour, str):
                time.fromisoformat(hour)
        except ValueError:
            return "dates are yyyy-MM-dd and times HH:mm."
    elif not isinstance(answer.get("text"), str):
        return "a text or number question takes text."
    if qtype == "no":
        try:
            float(answer["text"])
        except ValueError:
            return "not a number."
    return None


_STATES: WeakKeyDictionary[object, FormsState] = WeakKeyDictionary()


def forms_of(state: Any) -> FormsState:
    """The forms that go with a fake Jira's state (``JiraState``), seeded on first use."""
    found = _STATES.get(state)
    if found is None:
        found = _STATES[state] = FormsState(state.cloud)
    return found
