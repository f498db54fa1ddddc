"""The ProForma (Jira forms) tools against the fake Jira: Cloud's forms API through the gateway, and
Server/Data Center's proforma.forms issue property."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from passthrough.sandbox.fakes.jira._forms_state import CLOUD_ID, forms_of
from tests.conftest import ALICE, SHARED, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira, Fault

Call = Any
HARDWARE = "7d3f1c2a-9b4e-4f6a-8c1d-2e5b6a7c8d90"  # open, on HELP-2
APPROVAL = "b2c4e6f8-1a3c-4e5f-9b7d-0c2e4f6a8b1c"  # submitted, on HELP-2
GATEWAY = f"/jira/forms/cloud/{CLOUD_ID}"
TENANT = "/_edge/tenant_info"
PROPERTY = "/rest/api/2/issue/HELP-2/properties/proforma.forms"


def forms_env(jira: FakeJira, **extra: str) -> dict[str, str]:
    """The fake serves the gateway's forms paths too, so the gateway is the fake itself."""
    return jira_env(jira, ATLASSIAN_API_URL=jira.url, **extra)


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[Call]:
    async with serve(make_settings(forms_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, jira_headers(ALICE, jira.deployment))


@pytest.fixture
async def cloud_jira() -> AsyncIterator[FakeJira]:
    fake = FakeJira("cloud", [ALICE, SHARED])
    async with fake.serve():
        yield fake


@pytest.fixture
async def cloud_tool(cloud_jira: FakeJira) -> AsyncIterator[Call]:
    async with (
        serve(make_settings(forms_env(cloud_jira))) as url,
        httpx.AsyncClient(base_url=url, timeout=20) as http,
    ):
        yield tool_caller(http, jira_headers(ALICE, "cloud"))


# ---------------------------------------------------------------------- the forms on an issue


async def test_forms_on_an_issue(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_issue_proforma_forms", {"issue_key": "HELP-2"})
    assert not r["isError"], r["text"]
    forms = r["structuredContent"]["forms"]
    assert [(f["name"], f["status"], f["internal"]) for f in forms] == [
        ("Hardware request", "open", False),
        ("Cost centre approval", "submitted", True),
    ]
    assert r["structuredContent"]["count"] == 2 and r["text"].startswith("2 forms on HELP-2:")
    if jira.cloud:
        sent = jira.last_request("GET", f"{GATEWAY}/issue/HELP-2/form")
        assert sent.path == f"{GATEWAY}/issue/HELP-2/form" and sent.identity == "alice" and sent.auth_via == "basic"
        discovered = jira.last_request("GET", TENANT)
        assert "authorization" not in discovered.headers and discovered.identity is None, "no credential for it"
        assert [f["id"] for f in forms] == [HARDWARE, APPROVAL] and forms[0]["template_id"] == "4"
        assert f"- Hardware request (id {HARDWARE}, open, external) — updated 2026-01-14" in r["text"]
        again = await tool("jira_get_issue_proforma_forms", {"issue_key": "HELP-1"})
        assert again["structuredContent"]["forms"][0]["status"] == "locked"
        assert len(jira.requests_to(TENANT)) == 1, "the site's cloud id is asked once"
        assert not jira.requests_to("/properties/")
    else:
        sent = jira.last_request("GET", PROPERTY)
        assert sent.identity == "alice" and not jira.requests_to("/jira/forms")
        assert [f["id"] for f in forms] == ["1", "2"] and forms[1]["template_id"] == "7"
        assert "- Cost centre approval (id 2, submitted, internal)" in r["text"]


async def test_an_issue_without_forms_and_an_unknown_issue(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_issue_proforma_forms", {"issue_key": "DEMO-1"})
    assert not r["isError"], r["text"]
    assert r["text"] == "No forms on DEMO-1.\n" and r["structuredContent"]["forms"] == []
    if not jira.cloud:  # the property's 404, then the issue itself to tell "no forms" from "no issue"
        assert jira.last_request("GET", "/rest/api/2/issue/DEMO-1/properties/proforma.forms").status == 404
        assert jira.last_request("GET", "/rest/api/2/issue/DEMO-1").query == {"fields": "summary"}

    r = await tool("jira_get_issue_proforma_forms", {"issue_key": "NOPE-9"})
    assert r["isError"] and "404" in r["text"]
    assert ("Issue Not Found" if jira.cloud else "Issue does not exist") in r["text"]


# ---------------------------------------------------------------------- one form


async def test_form_details_on_cloud(cloud_jira: FakeJira, cloud_tool: Call) -> None:
    r = await cloud_tool("jira_get_proforma_form_details", {"issue_key": "HELP-2", "form_id": HARDWARE})
    assert not r["isError"], r["text"]
    sent = cloud_jira.last_request("GET", f"{GATEWAY}/issue/HELP-2/form/{HARDWARE}")
    assert sent.identity == "alice"
    form = r["structuredContent"]["form"]
    assert (form["id"], form["name"], form["status"], form["visibility"]) == (
        HARDWARE,
        "Hardware request",
        "open",
        "external",
    )
    questions = {q["id"]: q for q in form["questions"]}
    assert [q["id"] for q in form["questions"]] == ["1", "2", "3", "4", "5", "6", "7"]
    assert (questions["1"]["type"], questions["1"]["required"], questions["1"]["answer"]) == (
        "TEXT",
        True,
        "Design team, desk 4.12",
    )
    assert (questions["2"]["type"], questions["2"]["answer"]) == ("NUMBER", "2")
    assert questions["3"]["type"] == "SELECT" and questions["3"]["answer"] == '27"'
    assert questions["3"]["choices"] == [
        {"id": "1", "label": '24"'},
        {"id": "2", "label": '27"'},
        {"id": "3", "label": '32"'},
    ]
    assert questions["3"]["raw_answer"] == {"choices": ["2"]}
    assert (questions["4"]["type"], questions["4"]["answer"]) == ("DATE", "2026-02-02")
    assert (questions["5"]["type"], questions["5"]["answer"]) == ("MULTI_SELECT", None)
    assert questions["7"]["type"] == "DATETIME"
    text = r["text"]
    assert text.startswith(f"# Hardware request\nForm {HARDWARE} on HELP-2: open, external (the customer sees it")
    assert '- **Screen size** (id 3; SELECT: single choice; choices 1 = 24", 2 = 27", 3 = 32")\n  Answer: 27"' in text
    assert "- **How many monitors?** (id 2; NUMBER: number; required)\n  Answer: 2" in text
    assert (
        "- **Accessories** (id 5; MULTI_SELECT: checkboxes; choices 1 = Keyboard, 2 = Mouse, 3 = Webcam)\n"
        "  Answer: (none)" in text
    )
    assert "The day the equipment must be at the desk" in text

    submitted = await cloud_tool("jira_get_proforma_form_details", {"issue_key": "HELP-2", "form_id": APPROVAL})
    approver = submitted["structuredContent"]["form"]["questions"][1]
    assert submitted["structuredContent"]["form"]["status"] == "submitted"
    assert (approver["type"], approver["answer"]) == ("USER", "acc-bob")


async def test_an_unknown_form_is_said(jira: FakeJira, tool: Call) -> None:
    missing = "0d0d0d0d-0000-4000-8000-000000000000" if jira.cloud else "9"
    r = await tool("jira_get_proforma_form_details", {"issue_key": "HELP-2", "form_id": missing})
    assert r["isError"]
    if jira.cloud:
        assert "404" in r["text"] and "Form Not Found" in r["text"]
        assert jira.last_request("GET", f"{GATEWAY}/issue/HELP-2/form/{missing}").status == 404
    else:
        assert "HELP-2 has no form with id 9; its forms: 1 (Hardware request), 2 (Cost centre approval)" in r["text"]
    bad = await tool("jira_get_proforma_form_details", {"issue_key": "HELP-2", "form_id": "../../myself"})
    assert bad["isError"] and "form_id" in bad["text"]
    assert not jira.requests_to("myself")


async def test_form_details_on_server_say_what_is_missing(server_jira: FakeJira) -> None:
    async with (
        serve(make_settings(jira_env(server_jira))) as url,
        httpx.AsyncClient(base_url=url, timeout=20) as http,
    ):
        tool = tool_caller(http, jira_headers(ALICE, "server"))
        r = await tool("jira_get_proforma_form_details", {"issue_key": "HELP-2", "form_id": "i1"})
    assert not r["isError"], r["text"]
    assert server_jira.last_request("GET", PROPERTY).identity == "alice"
    form = r["structuredContent"]["form"]
    assert (form["id"], form["name"], form["status"], form["questions"]) == ("1", "Hardware request", "open", None)
    assert r["text"].startswith(
        "# Hardware request\nForm 1 on HELP-2: open, external (the customer sees it on the portal)"
    )
    assert "ProForma's API documents no call that returns a form's questions and answers" in r["text"]


# ---------------------------------------------------------------------- saving answers


async def test_saving_answers_on_cloud(cloud_jira: FakeJira, cloud_tool: Call) -> None:
    answers = [
        {"questionId": "1", "type": "TEXT", "value": "Research team, desk 2.01"},
        {"questionId": 2, "type": "NUMBER", "value": 3},
        {"questionId": "3", "type": "SELECT", "value": '32"'},
        {"questionId": "4", "type": "DATE", "value": "2026-03-01T10:00:00Z"},
        {"questionId": "5", "type": "CHECKBOX", "value": ["Keyboard", "3"]},
        {"question_id": "7", "value": "2026-02-03T14:30"},
    ]
    r = await cloud_tool(
        "jira_update_proforma_form_answers", {"issue_key": "HELP-2", "form_id": HARDWARE, "answers": answers}
    )
    assert not r["isError"], r["text"]
    read = cloud_jira.last_request("GET", f"{GATEWAY}/issue/HELP-2/form/{HARDWARE}")
    sent = cloud_jira.last_request("PUT", f"{GATEWAY}/issue/HELP-2/form/{HARDWARE}")
    assert read.identity == sent.identity == "alice" and sent.auth_via == "basic"
    assert sent.json == {
        "answers": {
            "1": {"text": "Research team, desk 2.01"},
            "2": {"text": "3"},
            "3": {"choices": ["3"]},
            "4": {"date": "2026-03-01"},
            "5": {"choices": ["1", "3"]},
            "7": {"date": "2026-02-03", "time": "14:30"},
        }
    }
    kept = forms_of(cloud_jira.state).find("HELP-2", HARDWARE).answers
    assert kept["3"] == {"choices": ["3"]} and kept["2"] == {"text": "3"} and "6" not in kept
    assert r["text"].startswith(f"Saved 6 answers on form 'Hardware request' ({HARDWARE}) of HELP-2:")
    assert "- **Screen size** (id 3; SELECT: single choice;" in r["text"] and '  Answer: 32"' in r["text"]
    assert "  Answer: Keyboard, Webcam" in r["text"] and "  Answer: 2026-02-03 14:30" in r["text"]
    assert "Anything else" not in r["text"], "only what was saved is listed"
    saved = r["structuredContent"]
    assert saved["saved"] == ["1", "2", "3", "4", "5", "7"] and saved["form_id"] == HARDWARE
    assert {q["id"]: q["answer"] for q in saved["form"]["questions"]}["1"] == "Research team, desk 2.01"

    again = await cloud_tool("jira_get_proforma_form_details", {"issue_key": "HELP-2", "form_id": HARDWARE})
    assert {q["id"]: q["answer"] for q in again["structuredContent"]["form"]["questions"]}["4"] == "2026-03-01"


async def test_wrong_answers_are_refused_before_anything_is_saved(cloud_jira: FakeJira, cloud_tool: Call) -> None:
    answers = [
        {"questionId": "99", "type": "TEXT", "value": "x"},
        {"questionId": "2", "type": "TEXT", "value": "two"},
        {"questionId": "3", "type": "SELECT", "value": "huge"},
        {"questionId": "2", "type": "NUMBER", "value": "a lot"},
        {"questionId": "4", "value": "next week"},
        {"questionId": "1", "type": "TEXT", "value": 42},
    ]
    r = await cloud_tool(
        "jira_update_proforma_form_answers", {"issue_key": "HELP-2", "form_id": HARDWARE, "answers": answers}
    )
    assert r["isError"]
    text = r["text"]
    assert "Nothing was saved" in text
    assert "the form has no question 99 (its questions: 1 (Who is the equipment for?), 2 (How many monitors?)" in text
    assert "question 2 (How many monitors?) is a NUMBER question (number), not TEXT" in text
    assert 'question 3 (Screen size): \'huge\' is not one of its choices (1 = 24", 2 = 27", 3 = 32")' in text
    assert "question 2 (How many monitors?): 'a lot' is not a number" in text
    assert "question 4 (Needed by): give a date such as 2026-02-02" in text
    assert "question 1 (Who is the equipment for?): give text" in text
    assert cloud_jira.requests_to(f"/form/{HARDWARE}") and not [r for r in cloud_jira.requests if r.method == "PUT"]
    assert forms_of(cloud_jira.state).find("HELP-2", HARDWARE).answers["2"] == {"text": "2"}

    cloud_jira.clear_requests()
    for args in (
        {"issue_key": "HELP-2", "form_id": HARDWARE, "answers": []},
        {"issue_key": "HELP-2", "form_id": "a/b", "answers": [{"questionId": "1", "value": "x"}]},
        {"issue_key": "HELP-2", "form_id": HARDWARE, "answers": [{"questionId": "1"}]},
        {"issue_key": "HELP-2", "form_id": HARDWARE, "answers": [{"questionId": "1", "value": "x", "file_path": "/x"}]},
    ):
        refused = await cloud_tool("jira_update_proforma_form_answers", args)
        assert refused["isError"], args
    assert not cloud_jira.requests, "arguments are checked before anything is sent"


async def test_a_submitted_form_is_not_changed(cloud_jira: FakeJira, cloud_tool: Call) -> None:
    answers = [{"questionId": "1", "type": "TEXT", "value": "CC-0001"}]
    r = await cloud_tool(
        "jira_update_proforma_form_answers", {"issue_key": "HELP-2", "form_id": APPROVAL, "answers": answers}
    )
    assert r["isError"] and "Form 'Cost centre approval' on HELP-2 is submitted" in r["text"]
    assert "reopen it in Jira first" in r["text"]
    assert not [r for r in cloud_jira.requests if r.method == "PUT"]
    assert forms_of(cloud_jira.state).find("HELP-2", APPROVAL).answers["1"] == {"text": "CC-4410"}


async def test_saving_answers_on_server_says_what_is_missing(server_jira: FakeJira) -> None:
    async with (
        serve(make_settings(jira_env(server_jira))) as url,
        httpx.AsyncClient(base_url=url, timeout=20) as http,
    ):
        tool = tool_caller(http, jira_headers(ALICE, "server"))
        args = {"issue_key": "HELP-2", "form_id": "1", "answers": [{"questionId": "1", "type": "TEXT", "value": "x"}]}
        r = await tool("jira_update_proforma_form_answers", args)
    assert r["isError"] and "not offered on Jira Server/Data Center" in r["text"]
    assert "documents no call that saves answers" in r["text"]
    assert not server_jira.requests, "nothing reaches Jira"


async def test_read_only_withholds_saving_answers(jira: FakeJira) -> None:
    env = forms_env(jira, PASSTHROUGH_READ_ONLY="true")
    headers = jira_headers(ALICE, jira.deployment)
    args = {"issue_key": "HELP-2", "form_id": HARDWARE, "answers": [{"questionId": "1", "type": "TEXT", "value": "x"}]}
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        tools = {t["name"]: t for t in listed["result"]["tools"]}
        assert "jira_get_issue_proforma_forms" in tools and "jira_get_proforma_form_details" in tools
        assert "jira_update_proforma_form_answers" not in tools
        body = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "jira_update_proforma_form_answers", "arguments": args},
        }
        r = (await http.post("/mcp", json=body, headers=headers)).json()
    assert "read-only" in r["error"]["message"]
    assert not jira.requests, "nothing reaches Jira"


async def test_the_update_tool_is_marked_destructive(jira: FakeJira) -> None:
    async with serve(make_settings(forms_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    tools = {t["name"]: t for t in listed["result"]["tools"]}
    update = tools["jira_update_proforma_form_answers"]
    assert update["annotations"]["destructiveHint"] is True and update["annotations"]["readOnlyHint"] is False
    assert set(update["inputSchema"]["required"]) == {"issue_key", "form_id", "answers"}
    assert tools["jira_get_proforma_form_details"]["annotations"]["readOnlyHint"] is True


# ---------------------------------------------------------------------- the cloud id, and where the credential goes


async def test_a_known_cloud_id_skips_discovery(cloud_jira: FakeJira) -> None:
    headers = jira_headers(ALICE, "cloud")
    async with (
        serve(make_settings(forms_env(cloud_jira, ATLASSIAN_OAUTH_CLOUD_ID=CLOUD_ID))) as url,
        httpx.AsyncClient(base_url=url, timeout=20) as http,
    ):
        tool = tool_caller(http, headers)
        r = await tool("jira_get_issue_proforma_forms", {"issue_key": "HELP-2"})
        assert not r["isError"], r["text"]
        other = await tool(
            "jira_get_issue_proforma_forms",
            {"issue_key": "HELP-2"},
            {**headers, "X-Atlassian-Cloud-Id": "other-site-1"},
        )
    assert not cloud_jira.requests_to(TENANT)
    assert cloud_jira.last_request("GET", f"{GATEWAY}/issue/HELP-2/form").identity == "alice"
    # the request's own cloud id wins for its own credential: this fake is not that site
    assert other["isError"] and "No site with the provided cloud ID" in other["text"]
    assert cloud_jira.last_request("GET", "/jira/forms/cloud/other-site-1/issue/HELP-2/form").identity == "alice"


async def test_no_cloud_id_is_a_clear_message(cloud_jira: FakeJira, cloud_tool: Call) -> None:
    cloud_jira.add_fault(Fault(404, path_contains=TENANT))
    r = await cloud_tool("jira_get_issue_proforma_forms", {"issue_key": "HELP-2"})
    assert r["isError"]
    assert "Jira Cloud's forms API is addressed by the site's cloud id" in r["text"]
    assert "X-Atlassian-Cloud-Id" in r["text"] and "ATLASSIAN_OAUTH_CLOUD_ID" in r["text"]
    assert f"{cloud_jira.url}{TENANT} did not tell it (Jira answered 404 Not Found" in r["text"]
    assert not cloud_jira.requests_to("/jira/forms")


async def test_a_cloud_id_from_an_answer_never_picks_where_the_credential_goes(
    cloud_jira: FakeJira, cloud_tool: Call
) -> None:
    cloud_jira.add_fault(Fault(200, body={"cloudId": "https://evil.example/steal"}, path_contains=TENANT))
    r = await cloud_tool("jira_get_issue_proforma_forms", {"issue_key": "HELP-2"})
    assert r["isError"] and "answered without one" in r["text"]
    assert [req.path for req in cloud_jira.requests] == [TENANT]


async def test_the_shared_credential_keeps_to_its_own_site(cloud_jira: FakeJira) -> None:
    env = forms_env(cloud_jira, JIRA_USERNAME=SHARED.email, JIRA_API_TOKEN=SHARED.token, PASSTHROUGH_FALLBACK="open")
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        tool = tool_caller(http, {"X-Atlassian-Cloud-Id": "someone-elses-site"})
        r = await tool("jira_get_issue_proforma_forms", {"issue_key": "HELP-2"})
    assert not r["isError"], r["text"]
    sent = cloud_jira.last_request("GET", f"{GATEWAY}/issue/HELP-2/form")
    assert sent.identity == "svc" and not cloud_jira.requests_to("someone-elses-site")


class Gateway:
    """Atlassian's API gateway as an OAuth 2.0 client reaches it: records each forms call."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.any)

    async def any(self, request: web.Request) -> web.Response:
        self.seen.append((request.method, request.path, request.headers.get("Authorization", "")))
        return web.json_response([{"id": HARDWARE, "name": "Hardware request", "submitted": False, "lock": False}])


async def test_an_oauth_token_reaches_the_forms_api_through_the_configured_gateway() -> None:
    gateway = Gateway()
    runner = web.AppRunner(gateway.app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    api_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    cloud_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    try:
        env = {"JIRA_URL": "https://example.atlassian.net", "ATLASSIAN_API_URL": api_url, "PASSTHROUGH_FALLBACK": "off"}
        async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
            tool = tool_caller(http, {"Authorization": "Bearer oauth-access-1", "X-Atlassian-Cloud-Id": cloud_id})
            r = await tool("jira_get_issue_proforma_forms", {"issue_key": "HELP-2"})
    finally:
        await runner.cleanup()
    assert not r["isError"], r["text"]
    assert r["structuredContent"]["forms"][0]["name"] == "Hardware request"
    assert gateway.seen == [("GET", f"/jira/forms/cloud/{cloud_id}/issue/HELP-2/form", "Bearer oauth-access-1")]
