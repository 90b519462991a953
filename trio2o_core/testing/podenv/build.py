"""Create, or reuse, the virtualenv that runs the local OpenStack services.

Keystone, Nova (with Placement), Cinder and Glance share one oslo stack, so
they live in one venv, separate from the gateway's.  The venv is pinned by
``requirements.txt`` and ``constraints.txt`` next to this module; a stamp file
holding a digest of both (and of the Python version) marks a complete build.

Usage: ``python -m trio2o_core.testing.podenv.build [--path P]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
CONSTRAINTS = HERE / "constraints.txt"
STAMP_NAME = ".trio2o-podenv-stamp"
ENV_VAR = "TRIO2O_POD_ENV"


class PodEnvError(RuntimeError):
    """The pod environment could not be built."""


@dataclasses.dataclass(frozen=True)
class PodEnv:
    """A built pod environment."""

    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def bin(self, name: str) -> Path:
        """Path of console script ``name`` inside the environment."""
        return self.path / "bin" / name

    @property
    def etc(self) -> Path:
        """The venv's ``etc`` dir, where the services install paste files."""
        return self.path / "etc"


def default_path() -> Path:
    """``$TRIO2O_POD_ENV`` if set, else ``~/.cache/trio2o/podenv``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "trio2o" / "podenv"


def pins_digest() -> str:
    """Digest of the pins and the interpreter version the venv is built for."""
    h = hashlib.sha256()
    for f in (REQUIREMENTS, CONSTRAINTS):
        h.update(f.read_bytes())
    h.update("{}.{}".format(*sys.version_info[:2]).encode())
    return h.hexdigest()


def is_complete(path: Path) -> bool:
    """True if ``path`` holds a venv built from the current pins."""
    stamp = path / STAMP_NAME
    return (
        (path / "bin" / "python").exists()
        and stamp.exists()
        and stamp.read_text().strip() == pins_digest()
    )


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_USER"):
        env.pop(var, None)
    return env


def _run(cmd: list[str], log) -> None:
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    proc = subprocess.run(
        cmd, stdout=log, stderr=subprocess.STDOUT, env=_clean_env()
    )
    if proc.returncode:
        raise PodEnvError(
            f"command failed ({proc.returncode}): {' '.join(cmd)}"
        )


def _base_python() -> str:
    # Build from the base interpreter, never from (or into) the caller's venv.
    return getattr(sys, "_base_executable", None) or sys.executable


def ensure(path: Path | None = None, quiet: bool = False) -> PodEnv:
    """Return the pod environment at ``path``, building it if needed.

    A complete environment is reused as is.  Concurrent callers are
    serialised by a lock file next to the environment.  Raises
    ``PodEnvError`` if venv creation or installation fails (the pip log is
    kept in ``<path>.log``) or if ``path`` is the running interpreter's venv.
    """
    path = (path or default_path()).expanduser().resolve()
    if path == Path(sys.prefix).resolve():
        raise PodEnvError("refusing to install pods into the running venv")
    if is_complete(path):
        return PodEnv(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.parent / (path.name + ".lock")
    log_path = path.parent / (path.name + ".log")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_complete(path):
            return PodEnv(path)
        start = time.monotonic()
        if not quiet:
            print(f"building pod environment in {path} (log: {log_path})",
                  file=sys.stderr)
        with open(log_path, "a") as log:
            try:
                (path / STAMP_NAME).unlink(missing_ok=True)
                if not (path / "bin" / "python").exists():
                    _run([_base_python(), "-m", "venv", str(path)], log)
                pip = str(path / "bin" / "pip")
                _run([pip, "install", "-r", str(REQUIREMENTS),
                      "-c", str(CONSTRAINTS)], log)
                _run([pip, "check"], log)
            except PodEnvError as exc:
                raise PodEnvError(f"{exc}; see {log_path}") from None
        (path / STAMP_NAME).write_text(pins_digest() + "\n")
        if not quiet:
            elapsed = time.monotonic() - start
            print(f"pod environment ready in {elapsed:.0f} s",
                  file=sys.stderr)
    return PodEnv(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=None,
                        help=f"venv location (default: ${ENV_VAR} or "
                             "~/.cache/trio2o/podenv)")
    args = parser.parse_args(argv)
    try:
        env = ensure(args.path)
    except PodEnvError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(env.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
