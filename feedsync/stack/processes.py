"""Background processes with a pid file, a log file and readiness waits with deadlines."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from feedsync.errors import StackError

POLL_INTERVAL_S = 0.25

# Daemons are launched through a shell that backgrounds them and exits, so they are not
# our children: they outlive the command that started them, and no Popen object lingers.
_LAUNCH = 'exec </dev/null; "$@" >>"$FEEDSYNC_DAEMON_LOG" 2>&1 & echo $!'


@dataclass(frozen=True)
class Daemon:
    """A long-running component of the stack: where its pid and its log live."""

    name: str
    run_dir: Path
    log_file: Path

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    def pid(self) -> int | None:
        """The pid of the running process, or None when it is not running."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def start(
        self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> int:
        """Launch the process detached, in its own session, its output appended to the log."""
        if shutil.which(argv[0]) is None:
            raise StackError(
                f"cannot start {self.name}: {argv[0]!r} was not found",
                hint="install it, or point the matching FEEDSYNC_STACK__* setting at it",
            )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("a") as log:
            log.write(f"\n=== feedsync: starting {self.name}: {' '.join(argv)}\n")
        launcher = subprocess.run(
            ["sh", "-c", _LAUNCH, "feedsync-launch", *argv],
            env={**os.environ, **(env or {}), "FEEDSYNC_DAEMON_LOG": str(self.log_file)},
            cwd=cwd,
            capture_output=True,
            text=True,
            start_new_session=True,
            timeout=30,
            check=False,
        )
        if launcher.returncode != 0 or not launcher.stdout.strip().isdigit():
            raise StackError(
                f"cannot launch {self.name}: {launcher.stderr.strip() or 'no pid returned'}",
                log=str(self.log_file),
            )
        pid = int(launcher.stdout.strip())
        self.pid_file.write_text(str(pid))
        return pid

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Stop the process (SIGTERM, then SIGKILL after the timeout). True if it was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL_S)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(POLL_INTERVAL_S)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 12) -> str:
        """The last lines of the log, to put the component's own words into an error."""
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    def wait_until(self, ready: Callable[[], bool], *, what: str, timeout_s: float) -> None:
        """Poll ``ready`` until it holds; fail fast if the process dies, or at the deadline."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.pid() is None:
                raise StackError(
                    f"{self.name} exited before it was {what}; its last words:\n"
                    + _indent(self.log_tail()),
                    log=str(self.log_file),
                )
            with contextlib.suppress(Exception):
                if ready():
                    return
            if time.monotonic() >= deadline:
                raise StackError(
                    f"{self.name} was not {what} within {timeout_s:.0f}s; its last words:\n"
                    + _indent(self.log_tail()),
                    hint="raise FEEDSYNC_STACK__START_TIMEOUT_S if the machine is just slow",
                    log=str(self.log_file),
                )
            time.sleep(POLL_INTERVAL_S)


def ensure_port_free(host: str, port: int, *, component: str, setting: str) -> None:
    """Refuse to start a component whose port another process already holds."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StackError(
                f"cannot start {component}: port {host}:{port} is already taken ({exc.strerror})",
                hint=f"stop what holds it (`ss -ltnp 'sport = :{port}'`) or set {setting}",
            ) from exc


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it is not running.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines()) or "    (the log is empty)"
