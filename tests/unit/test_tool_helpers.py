import pytest

from passthrough.tools.confluence._common import cql_string, to_cql
from passthrough.tools.jira._write import choose_transition


@pytest.mark.parametrize(
    ("query", "cloud", "expected"),
    [
        ("release notes", True, 'siteSearch ~ "release notes"'),
        ("release notes", False, 'text ~ "release notes"'),
        ('say "hi" now', False, 'text ~ "say \\"hi\\" now"'),
        ('x" OR space = SECRET OR title ~ "', False, 'text ~ "x\\" OR space = SECRET OR title ~ \\""'),
        ("back\\slash\\", False, 'text ~ "back\\\\slash\\\\"'),
        ("space = ENG AND title ~ plan", True, "space = ENG AND title ~ plan"),
        ("type IN (page, blogpost)", True, "type IN (page, blogpost)"),
        ("(space.key = ENG)", True, "(space.key = ENG)"),
    ],
    ids=["plain-cloud", "plain-server", "quotes", "injection", "backslashes", "cql", "cql-in", "cql-paren"],
)
def test_plain_text_becomes_a_safe_cql_text_search(query: str, cloud: bool, expected: str) -> None:
    assert to_cql(query, cloud) == expected


def _unquote(literal: str) -> str:
    """Read a CQL string literal back the way the CQL lexer does."""
    assert literal[0] == literal[-1] == '"'
    out, i, body = [], 0, literal[1:-1]
    while i < len(body):
        if body[i] == "\\":
            i += 1
        elif body[i] == '"':
            raise AssertionError("an unescaped quote ends the literal early")
        out.append(body[i])
        i += 1
    return "".join(out)


@pytest.mark.parametrize("text", ['a"b', '"', "\\", '\\"', "end\\", "plain", '""""', "ü ß 漢字"])
def test_cql_string_round_trips_exactly(text: str) -> None:
    assert _unquote(cql_string(text)) == text


ROWS = [
    {"id": "11", "name": "To Do", "to_status": "To Do"},
    {"id": "21", "name": "Start work", "to_status": "In Progress"},
    {"id": "31", "name": "Done", "to_status": "Done"},
]


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [("21", "21"), ("start WORK", "21"), ("in progress", "21"), ("done", "31"), ("teleport", None), ("99", None)],
)
def test_transition_by_id_name_or_target_status(wanted: str, chosen: str | None) -> None:
    row = choose_transition(wanted, ROWS)
    assert (row["id"] if row else None) == chosen
