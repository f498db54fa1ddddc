import re
from pathlib import Path

from passthrough.cli import tools_markdown
from passthrough.tools import all_tools

README = Path(__file__).resolve().parents[2] / "README.md"
SERVE_URL = "http://127.0.0.1:8000"
"""Where `./run serve` listens; the runnable snippets talk to it (tests/e2e/test_examples.py runs them)."""


def code_blocks(text: str | None = None) -> list[tuple[str, str]]:
    """Every fenced block of the README as (language, code)."""
    text = README.read_text() if text is None else text
    return [(m.group(1).lower(), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)]


def runnable_blocks() -> dict[str, list[str]]:
    """The snippets that talk to a running server: Python blocks, and shell blocks made of a curl command."""
    out: dict[str, list[str]] = {"python": [], "curl": []}
    for lang, code in code_blocks():
        if SERVE_URL not in code:
            continue
        if lang == "python":
            out["python"].append(code)
        elif lang in ("sh", "bash", "shell", "console") and code.lstrip().startswith("curl "):
            out["curl"].append(code)
    return out


def test_readme_has_runnable_python_and_curl_snippets_for_the_sandbox() -> None:
    blocks = runnable_blocks()
    assert blocks["python"] and blocks["curl"]
    for code in blocks["python"] + blocks["curl"]:
        assert "PROJ-1" not in code, "the sandbox has DEMO-1, not PROJ-1"
    for code in blocks["curl"]:
        assert "Content-Type: application/json" in code, "a bare curl -d sends a form and gets 415"


def test_readme_tells_people_to_run_client_config() -> None:
    text = README.read_text()
    section = text[text.index("## Connecting clients") : text.index("## What a client sends")]
    for client in ("claude", "cursor", "vscode", "inspector"):
        assert f"passthrough client-config {client}" in section, client


def test_readme_tool_list_matches_the_code() -> None:
    text = README.read_text()
    section = re.search(r"<!-- tools:start -->\n(.*?)\n<!-- tools:end -->", text, re.S)
    assert section, "README.md lost its generated tool list"
    assert section.group(1).strip() == tools_markdown().strip(), "run `passthrough tools` and paste it into README.md"


def test_every_contract_tool_exists_with_its_required_arguments() -> None:
    contract = {
        "jira_get_myself": set(),
        "jira_get_issue": {"issue_key"},
        "jira_search": {"jql"},
        "jira_create_issue": {"project_key", "summary"},
        "jira_update_issue": {"issue_key", "fields"},
        "jira_add_comment": {"issue_key", "body"},
        "jira_get_transitions": {"issue_key"},
        "jira_transition_issue": {"issue_key", "transition"},
        "jira_list_projects": set(),
        "jira_get_my_issues": set(),
        "confluence_get_myself": set(),
        "confluence_search": {"query"},
        "confluence_get_page": set(),
        "confluence_create_page": {"space_key", "title", "body"},
        "confluence_update_page": {"page_id", "body"},
        "confluence_add_comment": {"page_id", "body"},
        "confluence_list_spaces": set(),
        "confluence_get_page_children": {"page_id"},
        "openproject_get_myself": set(),
        "openproject_list_projects": set(),
        "openproject_search_work_packages": set(),
        "openproject_get_work_package": {"work_package_id"},
        "openproject_create_work_package": {"project", "subject"},
        "openproject_update_work_package": {"work_package_id"},
        "openproject_add_comment": {"work_package_id", "comment"},
        "openproject_list_statuses": set(),
        "openproject_list_types": set(),
    }
    tools = {t.name: t for t in all_tools()}
    for name, required in contract.items():
        assert name in tools, name
        assert set(tools[name].input_schema.get("required", [])) == required, name
    optional = {
        "jira_search": {"max_results", "page_token"},
        "confluence_search": {"limit", "cursor"},
        "openproject_search_work_packages": {"project", "query", "status", "page_size", "offset"},
        "confluence_get_page": {"page_id", "space_key", "title"},
    }
    for name, names in optional.items():
        assert names <= set(tools[name].input_schema["properties"]), name
