"""Run the reference receiver as a real process on a free loopback port."""

from __future__ import annotations

import os
import socket
import ssl
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
    bearer_token: str | None = None  # the receiver's, which every route but /healthz needs
    verify: ssl.SSLContext | bool = True  # for https: trusting the CA that signed its cert

    def feed_url(self, feed: str) -> str:
        return f"{self.url}/feeds/{feed}"

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.bearer_token}"} if self.bearer_token else {}
        url = f"{self.url}{path}"
        response = httpx.request(method, url, headers=headers, verify=self.verify, **kwargs)
        response.raise_for_status()
        return response

    def set_faults(self, rules: list[dict[str, Any]]) -> None:
        self.request("PUT", "/_faults", json=rules, timeout=10)

    def items(self, feed: str) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self.request(
            "GET", f"/feeds/{feed}/items", timeout=30
        ).json()
        return result

    def wipe(self, feed: str) -> int:
        return int(self.request("DELETE", f"/feeds/{feed}/items", timeout=30).json()["dropped"])

    def received_since(self, feed: str, since: float) -> dict[str, int]:
        """Times each item id reached the receiver since ``since`` (epoch seconds)."""
        path = f"/feeds/{feed}/received?since={since}"
        result: dict[str, int] = self.request("GET", path, timeout=30).json()
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", "/_stats", timeout=10).json()
        return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_receiver(
    tmp_path: Path, *, ca: Path | None = None, **settings: str
) -> Iterator[Receiver]:
    """The receiver, as a process; ``settings`` are its ``FEEDSYNC_RECEIVER__<KEY>``s (with
    ``tls_cert`` and ``tls_key`` it serves https, whose CA file ``ca`` is)."""
    verify = True if ca is None else ssl.create_default_context(cafile=str(ca))
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
    url = f"{'https' if 'tls_cert' in settings else 'http'}://127.0.0.1:{port}"
    token = settings.get("bearer_token")
    receiver = Receiver(url=url, db_path=db_path, bearer_token=token, verify=verify)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{receiver.url}/healthz", timeout=1, verify=verify)
                if health.status_code == 200:
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
