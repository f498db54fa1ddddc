"""Jira tools for ProForma forms: the forms on an issue, one form's questions and answers, saving answers.

Jira Cloud's forms API (through Atlassian's API gateway) serves all three. On Jira Server/Data Center the
ProForma app lists an issue's forms in the issue's `proforma.forms` property; its documented API has no call
that returns a form's questions and answers or saves them, which the tools say instead of guessing.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, time
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field

from passthrough.errors import InvalidArguments
from passthrough.providers.jira import JiraClient
from passthrough.tools._markdown import read_jira
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.jira._common import IssueKey

TOOLSET = "jira_forms"
MAX_ANSWERS = 100
MAX_TEXT = 32_768
MAX_CHOICES = 100
MAX_SHOWN_ERRORS = 10
MAX_LISTED = 30  # questions named in a refusal

STATUS = {"o": "open", "s": "submitted", "l": "locked"}
VISIBILITY = {"i": "internal", "e": "external"}
# ProForma's question type codes: the answer type a caller names, and what the question is, in words
TYPES = {
    "ts": ("TEXT", "short text"),
    "tl": ("TEXT", "long text"),
    "pg": ("TEXT", "paragraph"),
    "te": ("TEXT", "email"),
    "tu": ("TEXT", "URL"),
    "no": ("NUMBER", "number"),
    "da": ("DATE", "date"),
    "dt": ("DATETIME", "date and time"),
    "ti": ("TIME", "time"),
    "cd": ("SELECT", "dropdown"),
    "cs": ("SELECT", "single choice"),
    "cm": ("MULTI_SELECT", "checkboxes"),
    "cl": ("MULTI_SELECT", "multi-select dropdown"),
    "us": ("USER", "user"),
    "um": ("MULTI_USER", "users"),
    "at": ("ATTACHMENT", "attachment"),
}
# the answer types a caller may name for a question of each type (the peer's names, and some synonyms)
ACCEPTED = {
    "TEXT": {"TEXT", "STRING", "EMAIL", "URL", "PARAGRAPH"},
    "NUMBER": {"NUMBER"},
    "DATE": {"DATE"},
    "DATETIME": {"DATETIME", "DATE"},
    "TIME": {"TIME"},
    "SELECT": {"SELECT", "SINGLE_SELECT", "RADIO", "CHOICE", "DROPDOWN"},
    "MULTI_SELECT": {"MULTI_SELECT", "CHECKBOX", "CHECKBOXES", "MULTI_CHOICE"},
    "USER": {"USER"},
    "MULTI_USER": {"MULTI_USER", "USER", "USERS"},
}
SERVER_DETAILS = (
    "On Jira Server/Data Center, ProForma's API documents no call that returns a form's questions and answers, "
    "so only its name and status are shown; open the form on the issue in Jira to read it."
)
SERVER_ANSWERS = (
    "Saving form answers is not offered on Jira Server/Data Center: ProForma's Data Center API documents no call "
    "that saves answers, and writing its issue properties directly can corrupt the form; fill it in in Jira."
)


def _text_id(value: Any) -> Any:
    """Ids are strings in the schema (as in the peer); a number a model sends is taken as one."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


FormId = Annotated[
    str,
    BeforeValidator(_text_id),
    Field(
        pattern=r"^[A-Za-z0-9-]{1,64}$",
        description="The form's id on the issue: a UUID on Cloud, a number on Server/Data Center "
        "(see jira_get_issue_proforma_forms)",
    ),
]


def _plain(value: Any) -> str:
    """A label or name on one line."""
    return " ".join(str(value or "").split())


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object from an answer, or an empty one when it is something else."""
    return value if isinstance(value, dict) else {}


def _id_order(qid: str) -> tuple[int, int, str]:
    return (0, int(qid), "") if qid.isascii() and qid.isdigit() and len(qid) < 19 else (1, 0, qid)


# ---------------------------------------------------------------------- the forms on an issue


def _cloud_entry(form: dict[str, Any]) -> dict[str, Any]:
    template = form.get("formTemplate")
    template_id = template.get("id") if isinstance(template, dict) else template
    status = "locked" if form.get("lock") else "submitted" if form.get("submitted") else "open"
    return {
        "id": str(form.get("id", "")),
        "name": _plain(form.get("name")),
        "status": status,
        "internal": form.get("internal") if isinstance(form.get("internal"), bool) else None,
        "template_id": str(template_id) if template_id not in (None, "") else None,
        "updated": form.get("updated"),
    }


def _server_entry(form: dict[str, Any]) -> dict[str, Any]:
    template_id = form.get("projectFormId")
    return {
        "id": str(form.get("id", "")),
        "name": _plain(form.get("name")),
        "status": "locked" if form.get("lock") else "submitted" if form.get("submitted") else "open",
        "internal": form.get("internal") if isinstance(form.get("internal"), bool) else None,
        "template_id": str(template_id) if template_id not in (None, "") else None,
        "updated": form.get("updated"),
    }


def _visibility(internal: bool | None) -> str | None:
    return None if internal is None else "internal" if internal else "external"


def _entry_line(row: dict[str, Any]) -> str:
    seen = _visibility(row["internal"])
    line = f"- {row['name'] or '(no name)'} (id {row['id']}, {row['status']}{', ' + seen if seen else ''})"
    return line + (f" — updated {row['updated']}" if row["updated"] else "")


def _head(issue_key: str, form_id: str, name: str, status: str, visibility: str | None, updated: Any) -> list[str]:
    seen = {"internal": ", internal", "external": ", external (the customer sees it on the portal)"}
    when = f", updated {updated}" if updated else ""
    return [
        f"# {name or '(no name)'}",
        f"Form {form_id} on {issue_key}: {status}{seen.get(visibility or '', '')}{when}.",
    ]


async def _entries(jira: JiraClient, key: str) -> list[dict[str, Any]]:
    if jira.cloud:
        return [_cloud_entry(f) for f in await jira.issue_forms(key)]
    return [_server_entry(f) for f in await jira.proforma_index(key)]


class IssueForms(Arguments):
    issue_key: IssueKey


@tool("jira_get_issue_proforma_forms", title="Jira: forms on an issue", toolset=TOOLSET)
async def get_issue_proforma_forms(jira: JiraClient, args: IssueForms) -> ToolResult:
    """List the ProForma forms (Jira forms) attached to an issue: each form's id, name, status (open,
    submitted, locked) and whether it is internal. Read one with jira_get_proforma_form_details."""
    rows = await _entries(jira, args.issue_key)
    if rows:
        lines = [f"{len(rows)} form{'s' if len(rows) != 1 else ''} on {args.issue_key}:", *map(_entry_line, rows)]
    else:
        lines = [f"No forms on {args.issue_key}."]
    return ToolResult("\n".join(lines) + "\n", {"issue_key": args.issue_key, "forms": rows, "count": len(rows)})


# ---------------------------------------------------------------------- one form


async def _answer_text(answer: dict[str, Any], choices: list[dict[str, str]]) -> str | None:
    """What an answer says, in words: chosen labels, text, date and time, users; None for no answer."""
    labels = {c["id"]: c["label"] for c in choices}
    parts: list[str] = []
    chosen = answer.get("choices")
    if isinstance(chosen, list) and chosen:
        parts.append(", ".join(labels.get(str(c), str(c)) for c in chosen))
    text = answer.get("text")
    if isinstance(text, str) and text:
        parts.append(text)
    when = " ".join(str(answer[k]) for k in ("date", "time") if isinstance(answer.get(k), str) and answer[k])
    if when:
        parts.append(when)
    users = answer.get("users")
    if isinstance(users, list) and users:
        parts.append(", ".join(_plain(u.get("name") or u.get("id")) if isinstance(u, dict) else str(u) for u in users))
    if isinstance(answer.get("adf"), dict):
        rich = await read_jira(answer["adf"])
        if rich.strip():
            parts.append(rich.strip())
    return "; ".join(parts) if parts else None


async def _questions(form: dict[str, Any]) -> list[dict[str, Any]]:
    design = _obj(form.get("design"))
    questions = _obj(design.get("questions"))
    state = _obj(form.get("state"))
    answers = _obj(state.get("answers"))
    rows: list[dict[str, Any]] = []
    for qid in sorted((str(k) for k in questions), key=_id_order):
        question = questions[qid]
        if not isinstance(question, dict):
            continue
        code = str(question.get("type") or "")
        kind, words = TYPES.get(code, (code.upper() or "UNKNOWN", code or "unknown"))
        choices = [
            {"id": str(c.get("id", "")), "label": _plain(c.get("label"))}
            for c in question.get("choices") or []
            if isinstance(c, dict)
        ]
        answer = _obj(answers.get(qid))
        validation = _obj(question.get("validation"))
        rows.append(
            {
                "id": qid,
                "label": _plain(question.get("label")),
                "type": kind,
                "kind": words,
                "code": code,
                "required": bool(validation.get("rq")),
                "description": _plain(question.get("description")) or None,
                "choices": choices or None,
                "jira_field": question.get("jiraField") or None,
                "answer": await _answer_text(answer, choices),
                "raw_answer": answer,
            }
        )
    return rows


async def _form_row(form: dict[str, Any]) -> dict[str, Any]:
    design = _obj(form.get("design"))
    settings = _obj(design.get("settings"))
    state = _obj(form.get("state"))
    visibility = VISIBILITY.get(str(state.get("visibility")), None)
    return {
        "id": str(form.get("id", "")),
        "name": _plain(settings.get("name")),
        "status": STATUS.get(str(state.get("status")), str(state.get("status") or "unknown")),
        "visibility": visibility,
        "updated": form.get("updated"),
        "questions": await _questions(form),
    }


def _question_lines(rows: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for q in rows:
        facts = [f"id {q['id']}", f"{q['type']}: {q['kind']}"]
        if q["required"]:
            facts.append("required")
        if q["choices"]:
            facts.append("choices " + ", ".join(f"{c['id']} = {c['label']}" for c in q["choices"]))
        lines.append(f"- **{q['label'] or '(no label)'}** ({'; '.join(facts)})")
        if q["description"]:
            lines.append(f"  {q['description']}")
        answer = q["answer"]
        lines.append("  Answer: " + (answer.replace("\n", "\n  ") if answer is not None else "(none)"))
    return lines


def _form_text(issue_key: str, row: dict[str, Any]) -> list[str]:
    lines = _head(issue_key, row["id"], row["name"], row["status"], row["visibility"], row["updated"])
    questions = row["questions"]
    if not questions:
        return [*lines, "", "It has no questions."]
    count = f"{len(questions)} question{'s' if len(questions) != 1 else ''}"
    return [*lines, "", f"{count} (answers are saved by question id):", *_question_lines(questions)]


class FormDetails(Arguments):
    issue_key: IssueKey
    form_id: FormId


async def _server_entry_for(jira: JiraClient, key: str, form_id: str) -> dict[str, Any]:
    rows = await _entries(jira, key)
    wanted = form_id[1:] if form_id[:1] in ("i", "I") and form_id[1:].isdigit() else form_id
    found = next((r for r in rows if r["id"] == wanted), None)
    if found is None:
        known = ", ".join(f"{r['id']} ({r['name']})" for r in rows) or "none"
        raise InvalidArguments(f"{key} has no form with id {form_id}; its forms: {known}.")
    return found


@tool("jira_get_proforma_form_details", title="Jira: form questions and answers", toolset=TOOLSET)
async def get_proforma_form_details(jira: JiraClient, args: FormDetails) -> ToolResult:
    """Read one ProForma form on an issue: its name, status (open, submitted, locked) and each question's
    id, label, type (TEXT, NUMBER, DATE, SELECT …), choices and current answer. Questions and answers come
    from Jira Cloud; on Server/Data Center only the form's name and status can be read."""
    if not jira.cloud:
        entry = await _server_entry_for(jira, args.issue_key, args.form_id)
        seen = _visibility(entry["internal"])
        head = _head(args.issue_key, entry["id"], entry["name"], entry["status"], seen, entry["updated"])
        text = "\n".join([*head, "", SERVER_DETAILS])
        form = {**entry, "visibility": seen, "questions": None}
        structured = {"issue_key": args.issue_key, "form": form, "note": SERVER_DETAILS}
        return ToolResult(text + "\n", structured)
    row = await _form_row(await jira.issue_form(args.issue_key, args.form_id))
    return ToolResult("\n".join(_form_text(args.issue_key, row)) + "\n", {"issue_key": args.issue_key, "form": row})


# ---------------------------------------------------------------------- saving answers


class FormAnswer(Arguments):
    question_id: Annotated[
        str,
        BeforeValidator(_text_id),
        Field(
            pattern=r"^[A-Za-z0-9_-]{1,64}$",
            validation_alias=AliasChoices("questionId", "question_id"),
            description="The question's id (see jira_get_proforma_form_details)",
        ),
    ]
    type: Annotated[
        str | None,
        Field(
            max_length=32,
            pattern=r"^[A-Za-z_ -]+$",
            description="TEXT, NUMBER, DATE, DATETIME, TIME, SELECT, MULTI_SELECT (or CHECKBOX), USER, MULTI_USER; "
            "checked against the question's own type (left out: the question's type)",
        ),
    ] = None
    value: Annotated[
        Any,
        Field(
            description="TEXT: text; NUMBER: a number; DATE: 2026-02-02 (or an ISO date-time, or epoch ms); "
            "DATETIME: 2026-02-02T14:30; TIME: 14:30; SELECT: a choice's id or label; MULTI_SELECT: a list of "
            "them; USER / MULTI_USER: account id(s)"
        ),
    ]


class UpdateAnswers(Arguments):
    issue_key: IssueKey
    form_id: FormId
    answers: Annotated[
        list[FormAnswer],
        Field(
            min_length=1,
            max_length=MAX_ANSWERS,
            description="One object per question: {questionId, type, value}",
        ),
    ]


def _moment(value: Any, what: str) -> datetime:
    """An ISO 8601 date or date-time, or epoch milliseconds, as a datetime (the wall-clock time it names)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    elif isinstance(value, str) and 8 <= len(value.strip()) <= 40:
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            pass
    raise ValueError(f"give {what}")


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("give a number")
    if isinstance(value, str):
        raw = value.strip()
        try:
            parsed = float(raw) if len(raw) <= 40 else math.nan
        except ValueError:
            parsed = math.nan
        if not math.isfinite(parsed):
            raise ValueError(f"'{raw[:40]}' is not a number")
        return raw
    if not math.isfinite(value):
        raise ValueError("give a finite number")
    return str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else str(value)


def _time(value: Any) -> str:
    if isinstance(value, str) and len(value.strip()) <= 20:
        try:
            return time.fromisoformat(value.strip()).strftime("%H:%M")
        except ValueError:
            pass
    raise ValueError("give a time such as 14:30")


def _choice_ids(value: Any, choices: list[dict[str, str]], many: bool) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not many and len(items) != 1:
        raise ValueError("give one choice")
    if len(items) > MAX_CHOICES:
        raise ValueError(f"give at most {MAX_CHOICES} choices")
    ids: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            raise ValueError("give choices by id or label")
        ref = str(item).strip()
        if not choices:  # the choices come from a Jira field and are not in the form: the id as given
            found: str | None = ref
        else:
            found = next((c["id"] for c in choices if c["id"] == ref), None) or next(
                (c["id"] for c in choices if c["label"].casefold() == ref.casefold()), None
            )
        if found is None:
            offered = ", ".join(f"{c['id']} = {c['label']}" for c in choices)
            raise ValueError(f"'{ref[:80]}' is not one of its choices ({offered})")
        if found not in ids:
            ids.append(found)
    return ids


def _user_ids(value: Any, many: bool) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not many and len(items) != 1:
        raise ValueError("give one user")
    if len(items) > MAX_CHOICES:
        raise ValueError(f"give at most {MAX_CHOICES} users")
    for item in items:
        if not isinstance(item, str) or not 1 <= len(item) <= 128 or not item.isprintable() or " " in item:
            raise ValueError("give users by account id")
    return list(dict.fromkeys(items))


def _payload(kind: str, value: Any, choices: list[dict[str, str]], given: str) -> dict[str, Any]:
    """The forms API's answer object for a value of this answer type."""
    if value is None:
        raise ValueError("give a value")
    if kind == "TEXT":
        if not isinstance(value, str):
            raise ValueError("give text")
        if len(value) > MAX_TEXT:
            raise ValueError(f"give at most {MAX_TEXT} characters")
        return {"text": value}
    if kind == "NUMBER":
        return {"text": _number(value)}
    if kind == "DATE" or (kind == "DATETIME" and given == "DATE"):
        return {"date": _moment(value, "a date such as 2026-02-02").date().isoformat()}
    if kind == "DATETIME":
        moment = _moment(value, "a date and time such as 2026-02-02T14:30")
        return {"date": moment.date().isoformat(), "time": moment.strftime("%H:%M")}
    if kind == "TIME":
        return {"time": _time(value)}
    if kind in ("SELECT", "MULTI_SELECT"):
        return {"choices": _choice_ids(value, choices, kind == "MULTI_SELECT")}
    if kind in ("USER", "MULTI_USER"):
        return {"users": _user_ids(value, kind == "MULTI_USER")}
    raise ValueError(f"{kind} questions cannot be answered through this tool")


def _answers(row: dict[str, Any], given: list[FormAnswer]) -> dict[str, dict[str, Any]]:
    """The answers to send, each checked against its question; an InvalidArguments listing every problem."""
    questions = {q["id"]: q for q in row["questions"]}
    out: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for answer in given:
        q = questions.get(answer.question_id)
        if q is None:
            listed = row["questions"][:MAX_LISTED]
            known = ", ".join(f"{q['id']} ({q['label']})" for q in listed) or "none"
            known += ", …" if len(row["questions"]) > len(listed) else ""
            problems.append(f"the form has no question {answer.question_id} (its questions: {known})")
            continue
        where = f"question {q['id']} ({q['label']})"
        if q["id"] in out:
            problems.append(f"{where} is answered twice")
            continue
        named = (answer.type or q["type"]).strip().upper().replace("-", "_").replace(" ", "_")
        if named not in ACCEPTED.get(q["type"], set()):
            problems.append(f"{where} is a {q['type']} question ({q['kind']}), not {named}")
            continue
        try:
            out[q["id"]] = _payload(q["type"], answer.value, q["choices"] or [], named)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        shown = problems[:MAX_SHOWN_ERRORS]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise InvalidArguments("Nothing was saved: " + "; ".join(shown) + more + ".")
    return out


@tool(
    "jira_update_proforma_form_answers",
    title="Jira: save form answers",
    toolset=TOOLSET,
    effect="update",
)
async def update_proforma_form_answers(jira: JiraClient, args: UpdateAnswers) -> ToolResult:
    """Save answers on an open ProForma form of an issue (Jira Cloud), replacing those questions' answers and
    leaving the others as they are. Each answer is {questionId, type, value}; the question ids and types are
    checked against the form first (jira_get_proforma_form_details shows them), and nothing is saved if any
    is wrong. A submitted or locked form must be reopened in Jira first."""
    if not jira.cloud:
        raise InvalidArguments(SERVER_ANSWERS)
    before = await _form_row(await jira.issue_form(args.issue_key, args.form_id))
    if before["status"] != "open":
        raise InvalidArguments(
            f"Form '{before['name']}' on {args.issue_key} is {before['status']}: answers can only be changed "
            "while it is open; reopen it in Jira first. Nothing was saved."
        )
    answers = _answers(before, args.answers)
    saved = await jira.save_form_answers(args.issue_key, args.form_id, answers)
    if isinstance(saved.get("design"), dict):
        after = await _form_row(saved)
    else:  # an answer without the form: what was sent, over what was there
        after = dict(before)
        after["questions"] = []
        for q in before["questions"]:
            if q["id"] in answers:
                sent = answers[q["id"]]
                q = q | {"raw_answer": sent, "answer": await _answer_text(sent, q["choices"] or [])}
            after["questions"].append(q)
    changed = [q for q in after["questions"] if q["id"] in answers]
    count = f"{len(answers)} answer{'s' if len(answers) != 1 else ''}"
    lines = [f"Saved {count} on form '{after['name']}' ({after['id']}) of {args.issue_key}:", *_question_lines(changed)]
    structured = {"issue_key": args.issue_key, "form_id": after["id"], "saved": list(answers), "form": after}
    return ToolResult("\n".join(lines) + "\n", structured)
