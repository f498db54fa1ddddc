"""`python -m passthrough.sse_client`: a stdio MCP server that relays to a running passthrough over HTTP.

Claude Desktop (or any client that launches MCP servers as subprocesses) talks
newline-delimited JSON-RPC to this process; every message is relayed unchanged
to passthrough, and every message passthrough sends back is written to stdout.
The credential headers come from this process's environment:

| variable | header |
| --- | --- |
| `JIRA_PERSONAL_TOKEN` | `X-Jira-Token` |
| `CONFLUENCE_PERSONAL_TOKEN` | `X-Confluence-Token` |
| `OPENPROJECT_API_KEY` | `X-OpenProject-Key` |
| `CLICKUP_API_TOKEN` | `X-ClickUp-Token` |
| `JIRA_EMAIL` | `X-Jira-Email` |
| `CONFLUENCE_EMAIL` | `X-Confluence-Email` |
| `MCP_API_KEY` | `X-MCP-API-Key` |

`SSE_SERVER_URL` names the server: a base URL (`http://127.0.0.1:8000`, the
default) or a full `/mcp` URL uses Streamable HTTP; a full `/sse` URL uses the
legacy HTTP+SSE transport. `PASSTHROUGH_LOG_LEVEL` sets the stderr log level
(default `INFO`). No credential value is ever written to stdout or stderr.
"""

from passthrough.sse_client._main import main, run

__all__ = ["main", "run"]
