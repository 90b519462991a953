"""Child processes of the local cloud: start, wait until ready, stop."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

#: seconds between two readiness checks
POLL = 0.1


class StartError(RuntimeError):
    """A service did not come up; the message ends with its log's tail."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url: str) -> Callable[[], bool]:
    """Readiness check: ``url`` answers with any HTTP status below 500."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError as exc:
            return exc.code < 500
        except OSError:
            return False

    return check


def log_tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of ``path`` ('' if it does not exist)."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class Process:
    """One child process in its own process group, logging to a file."""

    def __init__(self, name: str, cmd: list[str], log: Path,
                 env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.name = name
        self.cmd = cmd
        self.log = log
        child_env = dict(os.environ)
        for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
            child_env.pop(var, None)
        child_env.update(env or {})
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=child_env, cwd=cwd,
                start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def failure(self, what: str) -> StartError:
        """A :class:`StartError` for this process with its log's tail."""
        return StartError(
            f"{self.name} {what} (log: {self.log}):\n{log_tail(self.log)}")

    def wait_ready(self, ready: Callable[[], bool],
                   timeout: float = 120.0) -> None:
        """Poll ``ready`` until it holds.

        Raises :class:`StartError` if the process exits first or
        ``timeout`` seconds pass.
        """
        deadline = time.monotonic() + timeout
        while not ready():
            if self.popen.poll() is not None:
                raise self.failure(f"exited with {self.popen.returncode}")
            if time.monotonic() > deadline:
                raise self.failure(f"not ready after {timeout:.0f} s")
            time.sleep(POLL)

    def wait_exit(self, timeout: float = 120.0) -> None:
        """Wait for a one-shot command; raise :class:`StartError` unless it
        exits 0 within ``timeout`` seconds."""
        try:
            rc = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise self.failure(
                f"still running after {timeout:.0f} s") from None
        if rc:
            raise self.failure(f"failed with {rc}")

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process group; kill it if it lingers."""
        if self.popen.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.popen.wait(timeout)
                return
            except subprocess.TimeoutExpired:
                continue


def wait_for_stop_signal() -> None:
    """Block until the process gets SIGINT (Ctrl-C) or SIGTERM."""
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
