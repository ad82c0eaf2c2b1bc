"""Helpers for the storage tests: child processes, file fingerprints, hostile file systems."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from saferyp_desktop.storage.database import Database

# Prepended to every child script: the same fast key derivation as the parent's tests.
CHILD_PRELUDE = """
import os, sys
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.storage.database import Database, use_fast_kdf_for_tests
use_fast_kdf_for_tests(int(os.environ["SYP_KDF"]) if os.environ.get("SYP_KDF") else None)
"""


def child_env(kdf: int | None, **extra: str) -> dict[str, str]:
    env = dict(os.environ, SYP_KDF="" if kdf is None else str(kdf), **extra)
    env.pop("PYTHONWARNINGS", None)
    return env


def run_child(
    script: str, *args: str, kdf: int | None, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (after CHILD_PRELUDE) in a fresh interpreter; capture stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-c", CHILD_PRELUDE + script, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(kdf, **env),
        check=False,
    )


def start_child(script: str, *args: str, kdf: int | None, **env: str) -> subprocess.Popen[str]:
    """Start ``script`` (after CHILD_PRELUDE) with its stdout as a pipe, for killing mid-way."""
    return subprocess.Popen(
        [sys.executable, "-c", CHILD_PRELUDE + script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(kdf, **env),
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def make_workspace(path: Path, passphrase: str, rows: int = 40) -> Path:
    """A closed workspace with ``rows`` records of ~500 bytes (several pages)."""
    with Database.create(path, passphrase) as db, db.transaction():
        for i in range(rows):
            db.execute(
                "INSERT INTO records VALUES (?, 'person', ?, ?, 't', 't', NULL, NULL)",
                (f"id{i}", f"P{i:04d}", "x" * 500),
            )
    return path


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """Make ``folder`` refuse new files, even to root (chattr +i), or skip the test."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    # Root ignores permission bits; the immutable attribute stops even root.
    if not shutil.which("chattr"):
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@contextlib.contextmanager
def immutable_file(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable even to root (chattr +i), or skip the test."""
    if os.geteuid() != 0:
        path.chmod(0o400)
        try:
            yield
        finally:
            path.chmod(0o600)
        return
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@contextlib.contextmanager
def tiny_filesystem(mountpoint: Path, size: str) -> Iterator[Path]:
    """A real, nearly full file system (tmpfs of ``size``) at ``mountpoint``, or skip."""
    mountpoint.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tiny file system needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mountpoint)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=True)
