"""The pipeline's own processes in the local stack: the reference receiver and a worker."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from feedsync.settings import Settings
from feedsync.stack.layout import Layout
from feedsync.stack.processes import Daemon, ensure_port_free

FEEDSYNC = str(Path(sys.executable).with_name("feedsync"))
WORKER_READY = "[^Worker]: Ready"


class ReceiverProcess:
    """``feedsync receive`` on ``receiver.port``, items in ``receiver.db_path``."""

    def __init__(self, settings: Settings, layout: Layout) -> None:
        self.settings = settings
        self.daemon = Daemon("receiver", layout.run, layout.log("receiver"))

    @property
    def url(self) -> str:
        return f"http://{self.settings.receiver.host}:{self.settings.receiver.port}"

    def start(self, timeout_s: float) -> bool:
        if self.daemon.pid() is not None:
            return False
        receiver = self.settings.receiver
        ensure_port_free(
            receiver.host,
            receiver.port,
            component="the receiver",
            setting="FEEDSYNC_RECEIVER__PORT",
        )
        self.daemon.start([FEEDSYNC, "receive"])
        self.daemon.wait_until(self.ready, what="answering /healthz", timeout_s=timeout_s)
        return True

    def ready(self) -> bool:
        return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200

    def stop(self) -> bool:
        return self.daemon.stop(timeout_s=30)


class WorkerProcess:
    """One ``feedsync worker``; ready once faust reports its worker ready."""

    def __init__(self, settings: Settings, layout: Layout) -> None:
        self.settings = settings
        self.daemon = Daemon("worker", layout.run, layout.log("worker"))
        self._log_offset = 0  # readiness is read from what this start wrote

    def start(self, timeout_s: float) -> bool:
        if self.daemon.pid() is not None:
            return False
        log = self.daemon.log_file
        self._log_offset = log.stat().st_size if log.exists() else 0
        self.daemon.start([FEEDSYNC, "worker"])
        self.daemon.wait_until(self.ready, what="ready (consuming)", timeout_s=timeout_s)
        return True

    def ready(self) -> bool:
        with self.daemon.log_file.open("rb") as log:
            log.seek(self._log_offset)
            return WORKER_READY.encode() in log.read()

    def stop(self) -> bool:
        return self.daemon.stop(timeout_s=60)
