"""Start the simulated upstreams and describe them as the environment passthrough reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from passthrough.sandbox.fakes import (
    ClickUpUser,
    ConfluenceUser,
    FakeClickUp,
    FakeConfluence,
    FakeJira,
    FakeOpenProject,
    JiraUser,
    OpenProjectUser,
)
from passthrough.sandbox.fakes.clickup import personal_token


@dataclass(frozen=True)
class DemoAccount:
    """One person known to all four simulated products (their tokens are public demo values)."""

    jira: JiraUser
    confluence: ConfluenceUser
    openproject: OpenProjectUser
    clickup: ClickUpUser


def _account(uid: int, name: str, display: str) -> DemoAccount:
    email = f"{name}@example.com"
    return DemoAccount(
        jira=JiraUser(
            name=name, display_name=display, email=email, account_id=f"sandbox-{name}", token=f"sandbox-jira-{name}"
        ),
        confluence=ConfluenceUser(
            name=name,
            display_name=display,
            email=email,
            account_id=f"sandbox-{name}",
            token=f"sandbox-confluence-{name}",
        ),
        openproject=OpenProjectUser(
            id=uid, login=name, name=display, email=email, api_key=f"sandbox-openproject-{name}"
        ),
        clickup=ClickUpUser(id=uid, username=display, email=email, token=personal_token(uid, f"sandbox{name}")),
    )


DEMO = _account(5, "demo", "Dana Demo")
SAM = _account(6, "sam", "Sam Sample")
DEMO_USERS = (DEMO, SAM)


@asynccontextmanager
async def sandbox_environment() -> AsyncIterator[dict[str, str]]:
    """Run the simulated products; yield the environment that points passthrough at them.

    Dana is configured as the shared fallback with the fallback open, so a client
    with no headers sees every tool work; sending Sam's tokens shows per-request
    credentials (the same server then acts as Sam).
    """
    jira = FakeJira("server", [DEMO.jira, SAM.jira])
    confluence = FakeConfluence("cloud", [DEMO.confluence, SAM.confluence])
    openproject = FakeOpenProject([DEMO.openproject, SAM.openproject])
    clickup = FakeClickUp([DEMO.clickup, SAM.clickup])
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(jira.serve())
        await stack.enter_async_context(confluence.serve())
        await stack.enter_async_context(openproject.serve())
        await stack.enter_async_context(clickup.serve())
        yield {
            "JIRA_URL": jira.url,
            "JIRA_DEPLOYMENT": "server",
            "JIRA_PERSONAL_TOKEN": DEMO.jira.token,
            "CONFLUENCE_URL": confluence.base_url,
            "CONFLUENCE_DEPLOYMENT": "cloud",
            "CONFLUENCE_USERNAME": DEMO.confluence.email,
            "CONFLUENCE_API_TOKEN": DEMO.confluence.token,
            "ATLASSIAN_MEDIA_URL": confluence.media_url,
            "OPENPROJECT_URL": openproject.url,
            "OPENPROJECT_API_KEY": DEMO.openproject.api_key,
            "CLICKUP_URL": clickup.url,
            "CLICKUP_API_TOKEN": DEMO.clickup.token,
            "PASSTHROUGH_FALLBACK": "open",
        }


def sandbox_guide(base_url: str, policy: str = "open") -> list[str]:
    """What to do with the sandbox, true to the fallback policy in effect (the operator may have set one)."""
    anonymous = {
        "open": "with no headers: you act as Dana Demo (the shared fallback, PASSTHROUGH_FALLBACK=open).",
        "apikey": "with an X-MCP-API-Key whose digest is in PASSTHROUGH_API_KEY_HASHES to act as Dana Demo "
        "(PASSTHROUGH_FALLBACK=apikey); without one, every tool asks for credentials.",
        "off": "with the headers below: PASSTHROUGH_FALLBACK=off, so a request without its own credentials "
        "gets none (no tool acts as Dana Demo).",
    }[policy]
    return [
        "Sandbox: simulated Jira (Server), Confluence (Cloud), OpenProject and ClickUp are running on loopback.",
        f"Connect any MCP client to {base_url}/mcp (or {base_url}/sse) {anonymous}",
        f"Send X-Jira-Token: {SAM.jira.token}, X-Confluence-Token: {SAM.confluence.token} with "
        f"X-Confluence-Email: {SAM.confluence.email}, X-OpenProject-Key: {SAM.openproject.api_key}, "
        f"X-ClickUp-Token: {SAM.clickup.token} to act as Sam.",
        "These are public demo values; the sandbox holds no real data.",
    ]
