#!/usr/bin/env python3
"""Call passthrough with a bare JSON-RPC post: no MCP client library, no handshake, no session.

SSE_SERVER_URL=http://127.0.0.1:8000 JIRA_PERSONAL_TOKEN=... python examples/direct_httpx.py PROJ-1
"""

import os
import sys

import httpx

url = os.environ.get("SSE_SERVER_URL", "http://127.0.0.1:8000").rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['JIRA_PERSONAL_TOKEN']}"}

tools = httpx.post(
    url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}, headers=headers
)
print("tools:", ", ".join(tool["name"] for tool in tools.json()["result"]["tools"]))

call = {
    "jsonrpc": "2.0",
    "id": 2,
    "method": "tools/call",
    "params": {"name": "jira_get_issue", "arguments": {"issue_key": sys.argv[1] if len(sys.argv) > 1 else "PROJ-1"}},
}
result = httpx.post(url + "/mcp", json=call, headers=headers, timeout=60).json()["result"]
print(result["content"][0]["text"])
sys.exit(1 if result["isError"] else 0)
