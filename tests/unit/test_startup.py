"""What start-up spends: the server imports the SDK's wire types and inbound checks, never its client or server."""

from __future__ import annotations

import json
import subprocess
import sys


def test_serving_imports_neither_the_sdks_client_nor_its_server_and_builds_no_tool_validator() -> None:
    probe = (
        "import json, sys\n"
        "from passthrough.http import build_app\n"
        "from passthrough.settings import load_settings\n"
        "from passthrough.tools import all_tools\n"
        "build_app(load_settings({'JIRA_URL': 'http://127.0.0.1:9', 'JIRA_DEPLOYMENT': 'server'}))\n"
        "from pydantic._internal._mock_val_ser import MockValSer\n"
        "built = [t.name for t in all_tools() if not isinstance(t.arguments.__pydantic_validator__, MockValSer)]\n"
        "print(json.dumps({'modules': sorted(m for m in sys.modules if m.startswith('mcp')), 'built': built}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert "mcp.shared.inbound" in seen["modules"], seen["modules"]
    assert not [m for m in seen["modules"] if m.startswith(("mcp.client", "mcp.server")) or m == "mcp"], seen["modules"]
    assert seen["built"] == [], f"validators built at start-up: {seen['built'][:5]}"
