"""The pipeline's own processes in the local stack: the reference receiver, a worker (and
one per configured destination) and the ops dashboard."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from feedsync.settings import Settings
from feedsync.stack.layout import Layout
from feedsync.stack.processes import Daemon, ensure_port_free

FEEDSYNC = str(Path(sys.executable).with_name("feedsync"))
WORKER_READY = "[^Worker]: Ready"


class _HttpProcess:
    """A pipeline process that serves HTTP on a port of its settings: started once the port
    is free, ready once ``ready_path`` answers 200."""

    name: str
    command: str
    port_setting: str
    ready_path = "/"

    def __init__(self, settings: Settings, layout: Layout, host: str, port: int) -> None:
        self.settings = settings
        self.host, self.port = host, port
        self.daemon = Daemon(self.name, layout.run, layout.log(self.name))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float) -> bool:
        if self.daemon.pid() is not None:
            return False
        ensure_port_free(
            self.host, self.port, component=f"the {self.name}", setting=self.port_setting
        )
        self.daemon.start([FEEDSYNC, self.command])
        self.daemon.wait_until(self.ready, what=f"answering {self.ready_path}", timeout_s=timeout_s)
        return True

    def ready(self) -> bool:
        return httpx.get(f"{self.url}{self.ready_path}", timeout=2).status_code == 200

    def stop(self) -> bool:
        return self.daemon.stop(timeout_s=30)


class ReceiverProcess(_HttpProcess):
    """``feedsync receive`` on ``receiver.port``, items in ``receiver.db_path``."""

    name, command, port_setting = "receiver", "receive", "FEEDSYNC_RECEIVER__PORT"
    ready_path = "/healthz"

    def __init__(self, settings: Settings, layout: Layout) -> None:
        super().__init__(settings, layout, settings.receiver.host, settings.receiver.port)


LOCAL_INSTANCE_ID = "local-worker-1"


class WorkerProcess:
    """One ``feedsync worker`` (with ``destination``: that destination's worker, ``feedsync
    worker --destination NAME``); ready once faust reports its worker ready."""

    def __init__(self, settings: Settings, layout: Layout, destination: str | None = None) -> None:
        self.settings = settings
        self.destination = destination
        name = f"worker-to-{destination}" if destination else "worker"
        self.daemon = Daemon(name, layout.run, layout.log(name))
        self._log_offset = 0  # readiness is read from what this start wrote

    def start(self, timeout_s: float) -> bool:
        if self.daemon.pid() is not None:
            return False
        log = self.daemon.log_file
        self._log_offset = log.stat().st_size if log.exists() else 0
        errors = self.daemon.log_file.with_name(f"{self.daemon.name}-errors.log")
        # Static membership (unless another id is set): the stack's one worker, killed and
        # restarted, takes its partitions back at once instead of after the session timeout.
        instance = self.settings.streams.instance_id or LOCAL_INSTANCE_ID
        command = [FEEDSYNC, "worker"]
        if self.destination:
            command += ["--destination", self.destination]
            instance = f"{instance}-to-{self.destination}"
        env = {"FEEDSYNC_LOG_ERRORS_FILE": str(errors), "FEEDSYNC_STREAMS__INSTANCE_ID": instance}
        self.daemon.start(command, env=env)
        self.daemon.wait_until(self.ready, what="ready (consuming)", timeout_s=timeout_s)
        return True

    def ready(self) -> bool:
        with self.daemon.log_file.open("rb") as log:
            log.seek(self._log_offset)
            return WORKER_READY.encode() in log.read()

    def stop(self) -> bool:
        return self.daemon.stop(timeout_s=60)


class DashboardProcess(_HttpProcess):
    """``feedsync dashboard`` on ``dashboard.port``, reading the worker's ``/metrics``."""

    name, command, port_setting = "dashboard", "dashboard", "FEEDSYNC_DASHBOARD__PORT"

    def __init__(self, settings: Settings, layout: Layout) -> None:
        super().__init__(settings, layout, settings.dashboard.host, settings.dashboard.port)
