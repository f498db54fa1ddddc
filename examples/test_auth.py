#!/usr/bin/env python3
"""Check a running passthrough: every header style against every configured provider, and the fallback policy.

Reads the same environment as the stdio shim: SSE_SERVER_URL (default http://127.0.0.1:8000),
JIRA_PERSONAL_TOKEN, CONFLUENCE_PERSONAL_TOKEN, OPENPROJECT_API_KEY, CLICKUP_API_TOKEN, JIRA_EMAIL,
CONFLUENCE_EMAIL, MCP_API_KEY. Prints a table (never a token) and exits 1 if any outcome differs from what the contract says.
"""

from __future__ import annotations

import itertools
import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

_ids = itertools.count(1)


@dataclass
class Row:
    provider: str
    style: str
    expected: str
    outcome: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.expected == self.outcome


def base_url() -> str:
    raw = os.environ.get("SSE_SERVER_URL", "").strip() or "http://127.0.0.1:8000"
    parts = urlsplit(raw)
    path = parts.path.rstrip("/")
    for suffix in ("/sse", "/mcp"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def whoami(http: httpx.Client, provider: str, headers: dict[str, str]) -> tuple[str, str]:
    """("ok", identity) or ("error", first line of the message)."""
    body = {
        "jsonrpc": "2.0",
        "id": next(_ids),
        "method": "tools/call",
        "params": {"name": f"{provider}_get_myself", "arguments": {}},
    }
    try:
        reply = http.post("/mcp", json=body, headers=headers)
    except httpx.HTTPError as exc:
        return "error", f"server unreachable: {type(exc).__name__}"
    if reply.status_code != 200:
        return "refused", f"HTTP {reply.status_code}"
    data = reply.json()
    if "error" in data:
        return "error", data["error"].get("message", "")
    result = data["result"]
    text = result["content"][0]["text"] if result.get("content") else ""
    if result.get("isError"):
        return "error", text.splitlines()[0] if text else "error"
    sc = result.get("structuredContent") or {}
    who = sc.get("display_name") or sc.get("name") or sc.get("username") or sc.get("login") or text
    return "ok", str(who)


def main() -> int:
    env = {
        k: os.environ.get(k, "").strip()
        for k in (
            "JIRA_PERSONAL_TOKEN",
            "CONFLUENCE_PERSONAL_TOKEN",
            "OPENPROJECT_API_KEY",
            "CLICKUP_API_TOKEN",
            "JIRA_EMAIL",
            "CONFLUENCE_EMAIL",
            "MCP_API_KEY",
        )
    }
    url = base_url()
    rows: list[Row] = []
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as http:
        try:
            health = http.get("/healthz").json()
        except httpx.HTTPError as exc:
            print(f"passthrough at {url} is not reachable: {type(exc).__name__}", file=sys.stderr)
            return 1
        policy, shared = health.get("fallback"), set(health.get("shared_credentials", []))
        print(
            f"passthrough at {url}: providers {', '.join(health['providers']) or 'none'}; fallback {policy}; "
            f"shared credentials for {', '.join(sorted(shared)) or 'none'}"
        )
        anonymous_ok = policy == "open"
        keyed_ok = policy in ("open", "apikey") and bool(env["MCP_API_KEY"])
        for provider in health["providers"]:
            token = {
                "jira": env["JIRA_PERSONAL_TOKEN"],
                "confluence": env["CONFLUENCE_PERSONAL_TOKEN"],
                "openproject": env["OPENPROJECT_API_KEY"],
                "clickup": env["CLICKUP_API_TOKEN"],
            }.get(provider, "")
            email = {"jira": env["JIRA_EMAIL"], "confluence": env["CONFLUENCE_EMAIL"]}.get(provider, "")
            header = {
                "jira": "X-Jira-Token",
                "confluence": "X-Confluence-Token",
                "openproject": "X-OpenProject-Key",
                "clickup": "X-ClickUp-Token",
            }.get(provider, f"X-{provider}-Token")
            styles: list[tuple[str, dict[str, str], str]] = []
            if token:
                own = {header: token}
                if email:
                    own[header.replace("Token", "Email")] = email
                styles.append((header + (" + email" if email else ""), own, "ok"))
                if provider in ("jira", "confluence"):  # never OpenProject or ClickUp
                    bearer = {"Authorization": f"Bearer {token}"}
                    if email:
                        bearer[header.replace("Token", "Email")] = email
                    styles.append(("Authorization: Bearer" + (" + email" if email else ""), bearer, "ok"))
                styles.append((header + " (wrong value)", {header: "passthrough-test-auth-wrong-token"}, "error"))
            if provider in shared:
                styles.append(("no credential (fallback)", {}, "ok" if anonymous_ok else "error"))
                if env["MCP_API_KEY"]:
                    styles.append(
                        ("X-MCP-API-Key only", {"X-MCP-API-Key": env["MCP_API_KEY"]}, "ok" if keyed_ok else "error")
                    )
            else:
                styles.append(("no credential", {}, "error"))
            identities: set[str] = set()
            for style, headers, expected in styles:
                outcome, detail = whoami(http, provider, headers)
                if outcome == "ok" and expected == "ok" and "fallback" not in style and "API-Key" not in style:
                    identities.add(detail)
                rows.append(Row(provider, style, expected, outcome, detail))
            if len(identities) > 1:
                rows.append(
                    Row(
                        provider,
                        "same identity for every own-credential style",
                        "ok",
                        "error",
                        " / ".join(sorted(identities)),
                    )
                )
    widths = [
        max(len(getattr(r, f)) for r in rows) if rows else 8 for f in ("provider", "style", "expected", "outcome")
    ]
    print(
        f"{'provider':<{widths[0]}}  {'header style':<{widths[1]}}  {'expected':<{widths[2]}}  "
        f"{'outcome':<{widths[3]}}  pass  identity / message"
    )
    for r in rows:
        print(
            f"{r.provider:<{widths[0]}}  {r.style:<{widths[1]}}  {r.expected:<{widths[2]}}  "
            f"{r.outcome:<{widths[3]}}  {'yes ' if r.ok else 'NO  '}  {r.detail[:100]}"
        )
    failures = [r for r in rows if not r.ok]
    print(f"result: {len(rows) - len(failures)} of {len(rows)} checks as expected")
    return 1 if failures or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
