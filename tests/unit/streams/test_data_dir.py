"""Each worker process claims a local state directory of its own (streams/app.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from feedsync.errors import ConfigError
from feedsync.settings import Settings, load_settings
from streams import app


@pytest.fixture(autouse=True)
def released() -> Iterator[None]:
    yield
    while app._claimed:
        os.close(app._claimed.pop())


def _settings(tmp_path: Path, **env: str) -> Settings:
    values = {"FEEDSYNC_STREAMS__DATA_DIR": str(tmp_path), "FEEDSYNC_STREAMS__APP_ID": "a", **env}
    with mock.patch.dict(os.environ, values):
        return load_settings()


def test_workers_without_an_instance_id_take_the_first_free_slots(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    here = tmp_path / "a" / "cluster-c1"
    assert app.claim_data_dir(settings, "c1") == here / "slot-0"
    assert app.claim_data_dir(settings, "c1") == here / "slot-1"
    os.close(app._claimed.pop(0))  # the first worker stopped: its slot is free again
    assert app.claim_data_dir(settings, "c1") == here / "slot-0"
    # another Kafka cluster's changelogs: nothing of the state kept for this one
    assert app.claim_data_dir(settings, "c2") == tmp_path / "a" / "cluster-c2" / "slot-0"


def test_an_instance_id_is_a_directory_one_worker_holds(tmp_path: Path) -> None:
    settings = _settings(tmp_path, FEEDSYNC_STREAMS__INSTANCE_ID="pod-0")
    assert app.claim_data_dir(settings, "c1") == tmp_path / "a" / "cluster-c1" / "pod-0"
    with pytest.raises(ConfigError, match="holds"):
        app.claim_data_dir(settings, "c1")
