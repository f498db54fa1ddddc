#!/usr/bin/env python3
"""Call passthrough with a bare JSON-RPC post: no MCP client library, no handshake, no session.

Against `./run serve`'s sandbox no credential is needed (you act as the demo user Dana):

    python examples/direct_httpx.py              # DEMO-1
    SSE_SERVER_URL=https://passthrough.example.com JIRA_PERSONAL_TOKEN=... python examples/direct_httpx.py PROJ-7

JIRA_PERSONAL_TOKEN, when set, goes as `Authorization: Bearer <token>`; without it the server's shared
credential answers, if its fallback policy allows. Exits 1 if the server or the tool reports an error.
"""

import os
import sys

import httpx

url = os.environ.get("SSE_SERVER_URL", "http://127.0.0.1:8000").rstrip("/")
for suffix in ("/mcp", "/sse"):
    url = url.removesuffix(suffix)
token = os.environ.get("JIRA_PERSONAL_TOKEN", "").strip()
headers = {"Authorization": f"Bearer {token}"} if token else {}
issue_key = sys.argv[1] if len(sys.argv) > 1 else "DEMO-1"


def rpc(rid: int, method: str, params: dict) -> dict:
    """The JSON-RPC result; a JSON-RPC or HTTP error ends the script with its message."""
    reply = httpx.post(
        url + "/mcp", json={"jsonrpc": "2.0", "id": rid, "method": method, "params": params}, headers=headers, timeout=60
    )
    try:
        body = reply.json()
    except ValueError:
        sys.exit(f"{method}: HTTP {reply.status_code}: {reply.text[:200]}")
    if "error" in body:
        sys.exit(f"{method}: {body['error'].get('message', body['error'])} (HTTP {reply.status_code})")
    return body["result"]


tools = rpc(1, "tools/list", {})
print("tools:", ", ".join(tool["name"] for tool in tools["tools"]))

result = rpc(2, "tools/call", {"name": "jira_get_issue", "arguments": {"issue_key": issue_key}})
print(result["content"][0]["text"])
sys.exit(1 if result.get("isError") else 0)
