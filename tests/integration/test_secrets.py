"""No secret appears in any output or log: a distinct value is planted in every secret
setting (the database passwords are the stack's own), a sync runs through bearer tokens,
signatures and Kafka's SASL_SSL listener as a SCRAM user, every command runs with them,
and everything they printed or logged, with Connect's configs topic, is searched for each
value."""

from __future__ import annotations

import base64
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from feedsync.settings import REPO_ROOT, Settings
from feedsync.stack.orchestrate import Stack
from feedsync.stack.pipeline import FEEDSYNC
from tests.integration.kafka_tools import end_offset, read_until
from tests.integration.pipeline import Pipeline, running_pipeline
from tests.integration.receiver import free_port

pytestmark = pytest.mark.integration
FEEDS = ("scopesWebsite", "categories")
CONVERGE_S = 240


def planted() -> dict[str, str]:
    """Secret settings → a value found nowhere else."""
    tag = uuid.uuid4().hex[:8]
    token, dashboard = f"pl4nted-token-{tag}", f"pl4nted-dashboard-{tag}"
    signing = "whsec_" + base64.b64encode(f"pl4nted-signing-{tag}".encode()).decode()
    return {
        "FEEDSYNC_RECEIVER__BEARER_TOKEN": token,
        "FEEDSYNC_RECEIVER__WEBHOOK_SECRET": signing,
        "FEEDSYNC_DELIVERY__DEFAULTS__BEARER_TOKEN": token,
        "FEEDSYNC_DELIVERY__DEFAULTS__WEBHOOK_SECRET": signing,
        "FEEDSYNC_DASHBOARD__TOKEN": dashboard,
        "FEEDSYNC_KAFKA__SASL_PASSWORD": f"pl4nted-kafka-{tag}",
    }


def through_sasl_ssl(stack: Stack, settings: Settings, password: str) -> dict[str, str]:
    """The Kafka settings of a new SCRAM user with ``password`` on the SASL_SSL listener."""
    user = f"secrets-{uuid.uuid4().hex[:6]}"
    stack.kafka.add_scram_user(user, password)
    return {
        "FEEDSYNC_KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
        "FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{settings.kafka.secure_port}",
        "FEEDSYNC_KAFKA__SASL_USERNAME": user,
        "FEEDSYNC_KAFKA__SSL_CAFILE": str(stack.kafka.tls_dir / "ca.pem"),
    }


@pytest.fixture
def secret_pipeline(
    stack: Stack, settings: Settings, tmp_path: Path
) -> Iterator[tuple[Pipeline, dict[str, str]]]:
    secrets = planted()
    kafka = through_sasl_ssl(stack, settings, secrets["FEEDSYNC_KAFKA__SASL_PASSWORD"])
    receiver_side = {
        "bearer_token": secrets["FEEDSYNC_RECEIVER__BEARER_TOKEN"],
        "webhook_secret": secrets["FEEDSYNC_RECEIVER__WEBHOOK_SECRET"],
    }
    with running_pipeline(
        tmp_path,
        receiver_settings=receiver_side,
        FEEDSYNC_STREAMS__FEEDS=",".join(FEEDS),
        FEEDSYNC_DELIVERY__ALLOW_PLAIN_HTTP_LOOPBACK="true",  # the receiver is on loopback
        FEEDSYNC_LOG_PAYLOADS="1",
        **kafka,
        **secrets,
    ) as pipeline:
        pipeline.wait_clean(FEEDS, timeout_s=CONVERGE_S)  # verify reads with the token
        yield pipeline, secrets


def test_no_secret_in_any_output_or_log(
    secret_pipeline: tuple[Pipeline, dict[str, str]], settings: Settings, tmp_path: Path
) -> None:
    pipeline, secrets = secret_pipeline
    env = pipeline.worker.env
    outputs = [
        _run(env, "--help"),
        _run(env, "worker", "--help"),
        _run(env, "status"),
        _run(env, "status", "--json"),
        _run(env, "verify", "--feed", "categories"),
        _run(env, "estimate"),
        _run(env, "dlq", "list"),
        _run(env, "stack", "status"),
        # a secret under a mistyped name: refused, its value not shown
        _run({**env, "FEEDSYNC_DELIVERY__DEFAULTS__BEARER_TOKN": secrets[_TOKEN]}, "status"),
        _dashboard_session(env, secrets["FEEDSYNC_DASHBOARD__TOKEN"], tmp_path),
    ]
    logs = [
        path.read_text(errors="replace")
        for folder in (tmp_path, REPO_ROOT / ".state" / "logs")
        for path in folder.rglob("*.log")
    ]
    configs_topic = "feedsync-connect-configs"  # Connect's stored connector configs
    stored = end_offset(settings, configs_topic)
    connect_configs = [
        (record.raw or b"").decode(errors="replace")
        for record in read_until(settings, configs_topic, lambda seen: len(seen) >= stored)
    ]
    assert any("database.password" in text for text in connect_configs)
    database = settings.database
    searched = {
        **secrets,
        "FEEDSYNC_DATABASE__PASSWORD": database.password.get_secret_value(),
        "FEEDSYNC_DATABASE__DEBEZIUM_PASSWORD": database.debezium_password.get_secret_value(),
    }
    assert any("categories" in text for text in logs), "the worker's log was not searched"
    for name, value in searched.items():
        for text in (*outputs, *logs, *connect_configs):
            assert value not in text, f"{name}'s value appears in:\n{_around(text, value)}"


_TOKEN = "FEEDSYNC_DELIVERY__DEFAULTS__BEARER_TOKEN"


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [FEEDSYNC, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    return f"$ feedsync {' '.join(args)} -> {done.returncode}\n{done.stdout}{done.stderr}"


def _dashboard_session(env: dict[str, str], token: str, tmp_path: Path) -> str:
    """The dashboard, served and asked for its overview with its token; what it printed."""
    port = free_port()
    log = tmp_path / "dashboard-secrets.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [FEEDSYNC, "dashboard", "--port", str(port)],
            env={**env, "FEEDSYNC_DASHBOARD__PORT": str(port)},
            stdout=out,
            stderr=out,
        )
    try:
        url = f"http://127.0.0.1:{port}/api/overview"
        overview = _first_answer(url, token)
        assert httpx.get(url, timeout=10).status_code == 401  # the token is needed
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return overview + log.read_text(errors="replace")


def _first_answer(url: str, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 90
    while True:
        try:
            response = httpx.get(url, headers=headers, timeout=70)
            if response.status_code == 200:
                return response.text
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the dashboard did not answer {url}")
        time.sleep(0.2)  # polling for readiness under a deadline


def _around(text: str, value: str) -> str:
    at = text.index(value)
    return text[max(0, at - 200) : at + 200]
