import hashlib
import re
import subprocess
import sys

import pytest

from passthrough.cli import describe, main, warnings
from passthrough.settings import load_settings


def test_keygen_prints_a_key_and_its_digest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen"]) == 0
    out = capsys.readouterr().out
    key_match = re.search(r"(mcp_[0-9a-f]{64})", out)
    assert key_match is not None, out
    key = key_match.group(1)
    digest_match = re.search(r"\b([0-9a-f]{64})\b", out.replace(key, ""))
    assert digest_match is not None, out
    digest = digest_match.group(1)
    assert hashlib.sha256(key.encode()).hexdigest() == digest


def test_config_report_names_no_secret() -> None:
    env = {
        "JIRA_URL": "https://acme.atlassian.net",
        "JIRA_USERNAME": "bot@acme.com",
        "JIRA_API_TOKEN": "tok-secret-123",
        "OPENPROJECT_URL": "https://op.example.com",
        "OPENPROJECT_API_KEY": "op-secret-456",
        "PASSTHROUGH_FALLBACK": "open",
        "PASSTHROUGH_HOST": "0.0.0.0",
    }
    settings = load_settings(env)
    text = "\n".join(describe(settings) + warnings(settings))
    assert "jira: https://acme.atlassian.net (cloud), a shared fallback credential" in text
    assert "Fallback policy: open" in text and "non-loopback" in text
    assert "tok-secret-123" not in text and "op-secret-456" not in text


def test_no_provider_says_so() -> None:
    text = "\n".join(describe(load_settings({})))
    assert "No provider configured" in text and "Fallback policy: open (default)" in text


def _config_process(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m passthrough config` with only `env` (and an empty PATH): as a user's shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "passthrough", "config"],
        env={**env, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bad_configuration_exits_2_with_the_variable_named() -> None:
    proc = _config_process({"JIRA_URL": "ftp://nope"})
    assert proc.returncode == 2 and "JIRA_URL" in proc.stderr


def test_a_port_out_of_range_is_refused_before_anything_starts(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("99999", "-1", "http"):
        try:
            main(["serve", "--port", bad])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"--port {bad} was accepted")
        assert "--port" in capsys.readouterr().err
    proc = _config_process({"PASSTHROUGH_PORT": "70000"})
    assert proc.returncode == 2 and "PASSTHROUGH_PORT" in proc.stderr and "65535" in proc.stderr


def test_a_port_in_use_is_reported_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # the sandbox would start three fake products first: the check comes before them
        assert main(["serve", "--sandbox", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "in use" in err.lower(), err
    assert "Traceback" not in err
