import re
from pathlib import Path

from passthrough.cli import tools_markdown
from passthrough.tools import all_tools

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_tool_list_matches_the_code():
    text = README.read_text()
    section = re.search(r"<!-- tools:start -->\n(.*?)\n<!-- tools:end -->", text, re.S)
    assert section, "README.md lost its generated tool list"
    assert section.group(1).strip() == tools_markdown().strip(), "run `passthrough tools` and paste it into README.md"


def test_every_contract_tool_exists_with_its_required_arguments():
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
