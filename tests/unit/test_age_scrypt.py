"""age passphrase files written and read by crypto/age_scrypt.py: the age format byte
for byte (pyrage and the Debian age tool open ours, ours opens theirs), strict reading,
and scrypt run without holding the GIL."""

from __future__ import annotations

import os
import pty
import select
import shutil
import threading
import time
from pathlib import Path

import pyrage
import pytest

from saferyp_desktop.crypto import age_scrypt, envelope

WORDS = "lantern orchard velvet tundra marble kettle"
SIZES = (0, 1, 65535, 65536, 65537, 3 * 65536 + 5)


@pytest.mark.parametrize("size", SIZES)
def test_ours_opens_with_pyrage_and_pyrages_opens_with_ours(size: int) -> None:
    plain = os.urandom(size)
    ours = age_scrypt.encrypt(plain, WORDS.encode(), log_n=10)
    assert pyrage.passphrase.decrypt(ours, WORDS) == plain
    if size in (0, 65536, 65537):  # pyrage calibrates to a second or more; a few sizes will do
        theirs = pyrage.passphrase.encrypt(plain, WORDS)
        assert age_scrypt.decrypt(theirs, WORDS.encode(), max_log_n=22) == plain
        assert len(ours) - len(ours.split(b"\n")[1]) == len(theirs) - len(theirs.split(b"\n")[1])


def test_the_writer_calibrates_within_its_bounds() -> None:
    log_n = age_scrypt.target_work_factor()
    assert age_scrypt.MIN_WRITE_LOG_N <= log_n <= age_scrypt.MAX_WRITE_LOG_N <= envelope.MAX_SCRYPT_LOG_N


def test_reading_is_strict() -> None:
    good = age_scrypt.encrypt(b"x" * 70000, WORDS.encode(), log_n=10)
    salt_end = good.index(b" 10\n")
    mac = good.index(b"\n--- ") + 5
    with pytest.raises(age_scrypt.WrongPassphrase):
        age_scrypt.decrypt(good, b"wrong", max_log_n=22)
    with pytest.raises(age_scrypt.ExcessiveWork):
        age_scrypt.decrypt(good, WORDS.encode(), max_log_n=9)
    broken = [
        good[:salt_end - 1] + b"B" + good[salt_end:],  # salt with non-zero unused bits
        good[:mac + 42] + b"B" + good[mac + 43:],  # MAC with non-zero unused bits
        good[:mac] + bytes([good[mac] ^ 1]) + good[mac + 1:],  # MAC changed
        good + b"\0",  # trailing byte
        good[:-1],  # cut short
        good[:-(16 + 70000 - 65536)],  # the last chunk missing
    ]
    for data in broken:
        with pytest.raises(age_scrypt.AgeFormatError):
            age_scrypt.decrypt(data, WORDS.encode(), max_log_n=22)


def test_scrypt_leaves_the_gil_free() -> None:
    done = threading.Event()
    worker = threading.Thread(target=lambda: (age_scrypt.encrypt(b"x", WORDS.encode(), log_n=18), done.set()))
    last = time.perf_counter()
    worst = 0.0
    worker.start()
    while not done.is_set():
        time.sleep(0.01)
        now = time.perf_counter()
        worst, last = max(worst, now - last), now
    worker.join()
    # Holding the lock, the main thread would wait the whole derivation (a second or
    # more); a busy machine adds a tenth at most.
    assert worst < 0.5


def _age_with_tty(argv: list[str], answers: int) -> int:
    """Run the age tool, typing WORDS at each passphrase prompt (age reads /dev/tty)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen, sent, deadline = b"", 0, time.monotonic() + 60
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if sent < answers and seen.count(b"passphrase") > sent:
            os.write(fd, WORDS.encode() + b"\r")
            sent += 1
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not installed")
def test_the_age_tool_opens_ours_and_ours_opens_its(tmp_path: Path) -> None:
    plain = os.urandom(100_000)
    (tmp_path / "ours.age").write_bytes(envelope.encrypt_to_passphrase(plain, WORDS))
    assert _age_with_tty(["age", "-d", "-o", str(tmp_path / "ours.out"), str(tmp_path / "ours.age")], 1) == 0
    assert (tmp_path / "ours.out").read_bytes() == plain
    (tmp_path / "plain").write_bytes(plain)
    assert _age_with_tty(["age", "-p", "-o", str(tmp_path / "theirs.age"), str(tmp_path / "plain")], 2) == 0
    assert envelope.decrypt((tmp_path / "theirs.age").read_bytes(), passphrase=WORDS) == plain
