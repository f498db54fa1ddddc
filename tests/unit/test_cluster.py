"""The cluster's small parts: session ids naming their owner, Redis URLs fit for a log line, the settings and
`serve --workers` refusals, and `passthrough config` saying how sessions are routed (never a password)."""

from __future__ import annotations

import pytest

from passthrough.cli import describe, main
from passthrough.cluster import NODE_CHARS, Cluster, owner_of, shown_redis_url
from passthrough.credentials import Presented
from passthrough.errors import ConfigError
from passthrough.http._sessions import LegacySessions, McpSessions
from passthrough.settings import Limits, load_settings


def test_session_ids_carry_their_owner_and_nothing_else_names_one() -> None:
    node = Cluster.alone().node
    assert len(node) == NODE_CHARS and int(node, 16) >= 0
    mcp = McpSessions(10, 5, 60, 4, node=node)
    legacy = LegacySessions(10, 5, 4, 1000, node=node)
    presented = Presented()
    ids = {mcp.open(presented, "b", "c", "2025-06-18").id for _ in range(50)}
    ids |= {legacy.open(presented, "c").id for _ in range(5)}
    assert len(ids) == 55 and {owner_of(i) for i in ids} == {node}
    for foreign in ("", "ab" * 16, "zz" * 20, "ab" * 20 + "0", "é" * 40, "-1" * 20, "0x" + "ab" * 19, "ab_c" * 10):
        assert owner_of(foreign) is None, foreign
    assert owner_of("AB" * 20) == "abababab"


def test_redis_urls_are_shown_without_credentials() -> None:
    assert shown_redis_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert shown_redis_url("redis://:s3cret@cache.internal:6380/2") == "redis://cache.internal:6380/2"
    assert shown_redis_url("rediss://ops:s3cret@cache.internal/0?ssl_cert_reqs=none") == "rediss://cache.internal/0"


def test_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ConfigError, match="PASSTHROUGH_WORKERS must be 1 to 64"):
        load_settings({"PASSTHROUGH_WORKERS": "0"})
    with pytest.raises(ConfigError, match="PASSTHROUGH_REDIS_URL must be a redis://"):
        load_settings({"PASSTHROUGH_REDIS_URL": "http://cache:6379"})
    with pytest.raises(ConfigError, match="PASSTHROUGH_PEER_PORT must be a TCP port"):
        load_settings({"PASSTHROUGH_PEER_PORT": "70000"})
    settings = load_settings({"PASSTHROUGH_WORKERS": "3", "PASSTHROUGH_REDIS_URL": "redis://c:1/0"})
    assert (settings.workers, settings.redis_url, settings.peer_port) == (3, "redis://c:1/0", 0)
    alone = Cluster.of(None, None, Limits())
    assert not alone.routes and alone.health() == {"node": alone.node, "mode": "single"}


def test_config_says_how_sessions_are_routed_and_never_the_password() -> None:
    routed = describe(load_settings({"PASSTHROUGH_REDIS_URL": "redis://:hunter2-redis@cache:6379/0"}))
    line = next(x for x in routed if x.startswith("Processes:"))
    assert "redis://cache:6379/0" in line and "hunter2-redis" not in "\n".join(routed)
    alone = next(x for x in describe(load_settings({})) if x.startswith("Processes:"))
    assert "no session routing" in alone
    workers = next(x for x in describe(load_settings({"PASSTHROUGH_WORKERS": "2"})) if x.startswith("Processes:"))
    assert "socket files" in workers and "one host only" in workers


def test_workers_refuse_the_sandbox_and_a_bad_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "2", "--sandbox", "--port", "0"]) == 2
    assert "--sandbox runs in one process" in capsys.readouterr().err
    assert main(["serve", "--workers", "99", "--port", "0"]) == 2
    assert "--workers must be 1 to 64" in capsys.readouterr().err
