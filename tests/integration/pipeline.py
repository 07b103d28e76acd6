"""A worker and a receiver of their own for pipeline tests, isolated by a random app id."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from feedsync.settings import Settings, load_settings
from feedsync.stack.pipeline import FEEDSYNC
from feedsync.verify import Report, run
from tests.integration.kafka_tools import drop_apps
from tests.integration.receiver import Receiver, running_receiver

PIPELINE_FEEDS = ("scopesWebsite", "scopesCustomerGroup", "products")
# Tests that failed so far (conftest's report hook): a pipeline shared by a module keeps its
# app's topics when one of its tests failed, to be read afterwards (a test's failure does
# not reach a module fixture's exit).
FAILED_TESTS: list[str] = []


@dataclass
class Worker:
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None)
    args: tuple[str, ...] = ()  # after ``feedsync worker``, e.g. ("--destination", "b")

    def start(self) -> None:
        log = self.log_path.open("ab")
        command = [FEEDSYNC, "worker", *self.args]
        self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        log.close()

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@dataclass
class Pipeline:
    receiver: Receiver
    worker: Worker
    settings: Settings  # the test's view: its receiver, its app id

    @property
    def app_id(self) -> str:
        return self.settings.streams.app_id

    def wait_clean(self, feeds: tuple[str, ...] = PIPELINE_FEEDS, timeout_s: float = 240) -> None:
        """Wait until verify is clean for every feed; fail with the last reports."""
        deadline = time.monotonic() + timeout_s
        reports: list[Report] = []
        while time.monotonic() < deadline:
            reports = [run(self.settings, feed, examples=3) for feed in feeds]
            self.log_verify(reports)
            if all(report.clean for report in reports):
                return
            assert self.worker.process is not None
            if self.worker.process.poll() is not None:
                break
            time.sleep(1)  # polling a condition under a deadline
        rendered = "\n".join(report.render() for report in reports)
        raise AssertionError(f"not converged:\n{rendered}\nworker log:\n{self.worker.log_tail()}")

    def log_verify(self, reports: list[Report]) -> None:
        """Append what each unclean report found to ``verify.log`` beside the worker's log,
        so that a wait cut short by the test's timeout still shows how it went."""
        # A report's head names the counts and a few items; settle's renders every item.
        unclean = [
            "\n".join(report.render().splitlines()[:8]) for report in reports if not report.clean
        ]
        stamp = time.strftime("%H:%M:%S")
        with (self.worker.log_path.parent / "verify.log").open("a") as log:
            log.write(f"--- {stamp}: {len(unclean)} of {len(reports)} feeds not clean\n")
            log.writelines(f"{text}\n" for text in unclean)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.5)  # polling a condition under a deadline
        raise AssertionError(f"timed out waiting for {what}\nworker log:\n{self.worker.log_tail()}")


@contextmanager
def running_pipeline(
    tmp_path: Path,
    *,
    start: bool = True,
    receiver_settings: dict[str, str] | None = None,
    **extra_env: str,
) -> Iterator[Pipeline]:
    """A receiver and a worker of a fresh app id; ``start=False`` leaves the worker for the
    test to start (after planting records in the app's topics, say); ``receiver_settings``
    are the receiver's (``FEEDSYNC_RECEIVER__<KEY>``)."""
    app_id = f"t{uuid.uuid4().hex[:10]}"
    with running_receiver(tmp_path, **(receiver_settings or {})) as receiver:
        port = receiver.url.rsplit(":", 1)[1]
        env = {
            **os.environ,
            "FEEDSYNC_STREAMS__APP_ID": app_id,
            "FEEDSYNC_STREAMS__PARTITIONS": "2",
            "FEEDSYNC_STREAMS__REFERENCE_DEBOUNCE_S": "0.5",
            "FEEDSYNC_DELIVERY__ENDPOINT_BASE": f"{receiver.url}/feeds",
            "FEEDSYNC_RECEIVER__PORT": port,  # what verify reads (the worker does not)
            # A short retry budget, so that a long outage ends in will-retry dead letters,
            # and a short re-drive interval, so that the tests see them re-driven.
            "FEEDSYNC_DELIVERY__DEFAULTS__RETRY_BUDGET_S": "8",
            "FEEDSYNC_DELIVERY__DEFAULTS__RETRY_ATTEMPTS": "60",
            "FEEDSYNC_STREAMS__DLQ_REDRIVE_INTERVAL_S": "3",
            # A SIGKILLed worker's restart waits for its dead member's session to expire
            # (unless it is a static member): 15 s, not the default 60 s, for the kill tests.
            "FEEDSYNC_STREAMS__SESSION_TIMEOUT_S": "15",
            # Several workers run at once: each serves /metrics on a port of its own.
            "FEEDSYNC_METRICS__PORT": "0",
            "FEEDSYNC_LOG_ERRORS_FILE": str(tmp_path / "worker-errors.log"),
            **extra_env,
        }
        worker = Worker(env=env, log_path=tmp_path / "worker.log")
        with mock.patch.dict(os.environ, env, clear=True):
            settings = load_settings()  # the test's view is the worker's, with its receiver
        if start:
            worker.start()
        try:
            failed_before = len(FAILED_TESTS)
            yield Pipeline(receiver=receiver, worker=worker, settings=settings)
        except BaseException:
            worker.stop()
            raise  # the app's topics stay, to be read when the test failed
        worker.stop()
        if len(FAILED_TESTS) > failed_before:
            print(f"kept the topics of app {app_id}: {', '.join(FAILED_TESTS[failed_before:])}")
        else:
            drop_apps(settings, [app_id])


@contextmanager
def static_member_pipeline(
    tmp_path: Path, feeds: tuple[str, ...], *, timeout_s: float = 300
) -> Iterator[Pipeline]:
    """``running_pipeline`` of ``feeds`` whose worker is a static member of its group (a
    restart rejoins at once, without waiting for the session to expire), converged."""
    instance = f"test-{uuid.uuid4().hex[:8]}"
    with running_pipeline(
        tmp_path, FEEDSYNC_STREAMS__FEEDS=",".join(feeds), FEEDSYNC_STREAMS__INSTANCE_ID=instance
    ) as pipeline:
        pipeline.wait_clean(feeds, timeout_s=timeout_s)
        yield pipeline


@contextmanager
def converged_pipeline(
    tmp_path: Path, feeds: tuple[str, ...], **extra_env: str
) -> Iterator[Pipeline]:
    """A pipeline running only ``feeds``, once verify is clean for each of them."""
    with running_pipeline(
        tmp_path, FEEDSYNC_STREAMS__FEEDS=",".join(feeds), **extra_env
    ) as pipeline:
        pipeline.wait_clean(feeds, timeout_s=300)
        yield pipeline
