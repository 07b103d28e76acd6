"""Kafka over SASL_SSL: the stack's broker serves it (its own CA, SCRAM users), a worker
and the commands use it from settings alone, and a wrong password or an untrusted broker
is refused with an error naming the setting to fix."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from feedsync.settings import Settings
from feedsync.stack.orchestrate import Stack
from feedsync.stack.pipeline import FEEDSYNC
from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline, running_pipeline

pytestmark = pytest.mark.integration
FEEDS = ("scopesWebsite", "categories")
CONVERGE_S = 240


@pytest.fixture(scope="module")
def secured(stack: Stack, settings: Settings) -> dict[str, str]:
    """The settings of a client of the SASL_SSL listener, as a new SCRAM user."""
    user, password = f"feedsync-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(18)
    stack.kafka.add_scram_user(user, password)
    return {
        "FEEDSYNC_KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
        "FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{settings.kafka.secure_port}",
        "FEEDSYNC_KAFKA__SASL_USERNAME": user,
        "FEEDSYNC_KAFKA__SASL_PASSWORD": password,
        "FEEDSYNC_KAFKA__SSL_CAFILE": str(stack.kafka.tls_dir / "ca.pem"),
    }


@pytest.fixture
def secured_pipeline(secured: dict[str, str], tmp_path: Path) -> Iterator[Pipeline]:
    with running_pipeline(tmp_path, FEEDSYNC_STREAMS__FEEDS=",".join(FEEDS), **secured) as pipe:
        yield pipe


def test_a_rename_reaches_the_receiver_through_sasl_ssl(
    secured_pipeline: Pipeline, secured: dict[str, str], sql: Any
) -> None:
    pipeline = secured_pipeline
    # The worker's only address is the SASL_SSL listener, whose metadata names only itself.
    assert pipeline.settings.kafka.security_protocol == "SASL_SSL"
    assert pipeline.settings.kafka.bootstrap_servers.endswith(f":{_port(secured)}")
    pipeline.wait_clean(FEEDS, timeout_s=CONVERGE_S)

    with sql.cursor() as cursor:
        cursor.execute(
            "SELECT v.value_id, v.entity_id FROM catalog_category_entity_varchar v "
            "JOIN eav_attribute a ON a.attribute_id = v.attribute_id "
            "JOIN catalog_category_entity c ON c.entity_id = v.entity_id "
            "WHERE a.entity_type_id = 3 AND a.attribute_code = 'name' AND v.store_id = 0 "
            "AND c.level >= 2 ORDER BY v.entity_id LIMIT 1"  # below a root: a feed item
        )
        value_id, category = cursor.fetchone()
    renamed = f"Secured {uuid.uuid4().hex[:8]}"
    execute(
        sql,
        "UPDATE catalog_category_entity_varchar SET value = %s WHERE value_id = %s",
        renamed,
        value_id,
    )

    def arrived() -> bool:
        return any(
            item.get("name") == renamed and not item.get("deleted")
            for item in pipeline.receiver.items("categories").values()
            if item.get("categoryId") == str(category)
        )

    pipeline.wait_until(arrived, f"category {category} renamed to {renamed!r} at the receiver")
    pipeline.wait_clean(FEEDS, timeout_s=CONVERGE_S)

    # The operator's commands take the same settings: status reads every topic through it.
    # (Its exit code is the whole pipeline's health: this worker runs two feeds of eleven.)
    status = _feedsync(pipeline.worker.env, "status", "--feed", "categories", "--json")
    assert status.returncode in (0, 1), status.stderr
    (categories,) = json.loads(status.stdout)["feeds"]
    assert categories["feed"] == "categories"
    assert categories["states"].get("delivered", 0) > 0, categories
    assert categories["problems"] == []


def test_a_worker_with_a_wrong_password_stops_naming_the_credentials(
    secured: dict[str, str], tmp_path: Path
) -> None:
    """The worker's start; the commands share its refusal (``feedsync.brokers.unreachable``),
    which the CA test below sees through ``status``. Each waits out the bootstrap timeout,
    so one each (5 s here: ``_base_env``)."""
    env = {
        **_base_env(),
        **secured,
        "FEEDSYNC_KAFKA__SASL_PASSWORD": "not-the-password",
        "FEEDSYNC_STREAMS__DATA_DIR": str(tmp_path),
        "FEEDSYNC_METRICS__PORT": "0",
    }
    done = _feedsync(env, "worker")
    assert done.returncode != 0
    assert "FEEDSYNC_KAFKA__SASL_PASSWORD" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert "not-the-password" not in done.stdout + done.stderr


def test_a_broker_whose_ca_is_not_trusted_is_refused_naming_the_ca_setting(
    secured: dict[str, str],
) -> None:
    env = {**_base_env(), **secured}
    del env["FEEDSYNC_KAFKA__SSL_CAFILE"]  # the system's CAs do not know the stack's
    done = _feedsync(env, "status")
    assert done.returncode != 0
    assert "FEEDSYNC_KAFKA__SSL_CAFILE" in done.stderr, done.stderr
    assert "certificate" in done.stderr


def _port(secured: dict[str, str]) -> str:
    return secured["FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS"].rsplit(":", 1)[1]


def _base_env() -> dict[str, str]:
    """This process's environment without its Kafka settings (the plain stack's), giving up
    on unreachable brokers after 5 s instead of 30."""
    plain = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSYNC_KAFKA__")}
    return {**plain, "FEEDSYNC_KAFKA__CONNECT_TIMEOUT_S": "5"}


def _feedsync(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FEEDSYNC, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
