"""Bad input to the local-stack scripts: each stops within its deadline, naming the cause."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors.debezium import delete_connector, register_connector
from feedsync.errors import StackError
from feedsync.settings import Settings, load_settings
from feedsync.stack.jars import Jars, check_java
from feedsync.stack.layout import Layout
from feedsync.stack.mariadb import MariaDb
from feedsync.stack.orchestrate import Stack
from feedsync.stack.pipeline import FEEDSYNC
from feedsync.stack.processes import Daemon
from tests.integration.receiver import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _isolated(tmp_path: Path, **sections: dict[str, object]) -> Settings:
    stack = {"state_dir": tmp_path / "state", **sections.pop("stack", {})}
    return load_settings(stack=stack, **sections)


def test_taken_port_stops_mariadb_start_naming_port_and_setting(
    tmp_path: Path, taken_port: int
) -> None:
    settings = _isolated(tmp_path, database={"port": taken_port})

    with pytest.raises(StackError) as failure:
        MariaDb(settings, Layout.of(settings)).start(timeout_s=30)

    assert f"127.0.0.1:{taken_port} is already taken" in str(failure.value)
    assert "FEEDSYNC_DATABASE__PORT" in str(failure.value)


def test_taken_port_stops_the_whole_stack_up_with_exit_code_and_message(
    tmp_path: Path, taken_port: int
) -> None:
    env = {
        **os.environ,
        "FEEDSYNC_STACK__STATE_DIR": str(tmp_path / "state"),
        "FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{taken_port}",
        "FEEDSYNC_DATABASE__PORT": str(free_port()),
    }
    result = subprocess.run(
        [FEEDSYNC, "stack", "up"], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 1
    assert f"port 127.0.0.1:{taken_port} is already taken" in result.stderr
    assert "FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS" in result.stderr
    assert "stack ready" not in result.stdout
    assert not (tmp_path / "state" / "run" / "mariadb.pid").exists(), "started half a stack"


def test_missing_java_is_named_with_the_setting_to_fix(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FEEDSYNC_STACK__STATE_DIR": str(tmp_path / "state"),
        "FEEDSYNC_STACK__JAVA": str(tmp_path / "no-such-java"),
    }
    result = subprocess.run(
        [FEEDSYNC, "stack", "up"], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert "Java was not found" in result.stderr
    assert "FEEDSYNC_STACK__JAVA" in result.stderr
    with pytest.raises(StackError, match="FEEDSYNC_STACK__JAVA"):
        check_java(str(tmp_path / "no-such-java"))


def test_failed_download_names_maven_error_and_log(tmp_path: Path) -> None:
    settings = _isolated(
        tmp_path,
        stack={
            "cache_dir": tmp_path / "cache",
            "maven_repo_url": f"http://127.0.0.1:{free_port()}/",
        },
    )
    jars = Jars(settings, Layout.of(settings))

    with pytest.raises(StackError) as failure:
        jars.resolve()

    message = str(failure.value)
    assert "downloading the Kafka/Connect/Debezium jars failed" in message
    assert str(jars.log) in message
    assert not jars.resolved()


def test_process_that_dies_while_starting_is_reported_with_its_log(tmp_path: Path) -> None:
    daemon = Daemon("doomed", tmp_path / "run", tmp_path / "doomed.log")
    daemon.start(["sh", "-c", "echo 'fatal: cannot bind'; exit 3"])

    with pytest.raises(StackError) as failure:
        daemon.wait_until(lambda: False, what="ready", timeout_s=30)

    assert "exited before it was ready" in str(failure.value)
    assert "fatal: cannot bind" in str(failure.value)
    assert str(tmp_path / "doomed.log") in str(failure.value)


def test_readiness_deadline_is_enforced(tmp_path: Path) -> None:
    daemon = Daemon("sleepy", tmp_path / "run", tmp_path / "sleepy.log")
    daemon.start(["sleep", "60"])
    try:
        with pytest.raises(StackError, match="was not ready within 1s"):
            daemon.wait_until(lambda: False, what="ready", timeout_s=1)
    finally:
        assert daemon.stop(timeout_s=10)
    assert daemon.pid() is None


def test_connect_shows_and_keeps_no_database_password(stack: Stack, settings: Settings) -> None:
    """The registered config refers to the password (Connect's env config provider); the
    CDC tests prove that Connect resolves it."""
    name = settings.connect.connector_name
    shown = httpx.get(f"{settings.connect.url}/connectors/{name}/config", timeout=10)
    shown.raise_for_status()
    secret = settings.database.debezium_password.get_secret_value()
    assert shown.json()["database.password"] == "${env:FEEDSYNC_DEBEZIUM_PASSWORD}"
    assert secret not in shown.text


def test_wrong_database_password_fails_the_connector_with_the_cause(
    stack: Stack, settings: Settings
) -> None:
    wrong = settings.model_copy(
        update={
            "connect": settings.connect.model_copy(
                update={"connector_name": "feedsync-test-wrong-password", "topic_prefix": "wrongpw"}
            )
        }
    )
    try:
        with pytest.raises(StackError) as failure:
            register_connector(wrong, timeout_s=60, **{"database.password": "not-the-password"})
        message = str(failure.value)
        assert "Access denied" in message
        assert "feedsync-test-wrong-password" in message
    finally:
        delete_connector(wrong)


def test_connector_with_bad_config_fails_to_start_with_the_cause(
    stack: Stack, settings: Settings
) -> None:
    broken = settings.model_copy(
        update={
            "connect": settings.connect.model_copy(
                update={"connector_name": "feedsync-test-broken", "topic_prefix": "broken"}
            )
        }
    )
    try:
        with pytest.raises(StackError) as failure:
            register_connector(broken, timeout_s=60, **{"snapshot.mode": "sometimes"})
        assert "snapshot.mode" in str(failure.value)
    finally:
        delete_connector(broken)
