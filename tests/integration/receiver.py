"""Run the reference receiver as a real process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from feedsync.stack.pipeline import FEEDSYNC


@dataclass(frozen=True)
class Receiver:
    url: str
    db_path: Path

    def feed_url(self, feed: str) -> str:
        return f"{self.url}/feeds/{feed}"

    def set_faults(self, rules: list[dict[str, Any]]) -> None:
        httpx.put(f"{self.url}/_faults", json=rules, timeout=10).raise_for_status()

    def items(self, feed: str) -> dict[str, dict[str, Any]]:
        response = httpx.get(f"{self.url}/feeds/{feed}/items", timeout=30)
        response.raise_for_status()
        result: dict[str, dict[str, Any]] = response.json()
        return result

    def wipe(self, feed: str) -> int:
        response = httpx.delete(f"{self.url}/feeds/{feed}/items", timeout=30)
        response.raise_for_status()
        return int(response.json()["dropped"])

    def received_since(self, feed: str, since: float) -> dict[str, int]:
        """Times each item id reached the receiver since ``since`` (epoch seconds)."""
        response = httpx.get(f"{self.url}/feeds/{feed}/received?since={since}", timeout=30)
        response.raise_for_status()
        result: dict[str, int] = response.json()
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.url}/_stats", timeout=10).json()
        return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_receiver(tmp_path: Path, **settings: str) -> Iterator[Receiver]:
    port = free_port()
    db_path = tmp_path / "receiver.sqlite3"
    env = {
        **os.environ,
        "FEEDSYNC_RECEIVER__PORT": str(port),
        "FEEDSYNC_RECEIVER__DB_PATH": str(db_path),
        **{f"FEEDSYNC_RECEIVER__{k.upper()}": v for k, v in settings.items()},
    }
    log = (tmp_path / "receiver.log").open("wb")
    process = subprocess.Popen([FEEDSYNC, "receive"], env=env, stdout=log, stderr=log)
    receiver = Receiver(url=f"http://127.0.0.1:{port}", db_path=db_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{receiver.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "receiver did not start: " + (tmp_path / "receiver.log").read_text()
                )
            time.sleep(0.1)  # polling for readiness under a deadline
        yield receiver
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
