"""kill -9 at any moment: committed data survives, a passphrase change is all-or-nothing.

Two kinds of kill: at random times (lands inside SQLite's own writes), and just before
each call that changes what is on disk (fsync, link, rename, replace, unlink), which
walks every step of create() and rekey() in turn.
"""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

import pytest
from storage_support import listing, make_workspace, run_child, start_child

from saferyp_desktop import errors
from saferyp_desktop.storage import migrations
from saferyp_desktop.storage.database import Database

OLD, NEW = "old passphrase", "new 'pass' \"phrase\" é"

# Child-side: SIGKILL ourselves just before the Nth call that changes the disk (N from env).
KILL_POINTS = """
import signal
_countdown = [0]
def arm_kill_points(n):
    _countdown[0] = n
    for name in ("fsync", "link", "rename", "replace", "unlink"):
        real = getattr(os, name)
        def hook(*a, _real=real, **k):
            _countdown[0] -= 1
            if _countdown[0] == 0:
                os.kill(os.getpid(), signal.SIGKILL)
            return _real(*a, **k)
        setattr(os, name, hook)
"""

COMMIT_STREAM = """
db = Database.open(sys.argv[1], os.environ["SYP_PASS"])
print("ready", flush=True)
i = int(sys.argv[2])
while True:
    with db.transaction():
        db.execute(
            "INSERT INTO records VALUES (?, 'person', ?, ?, 't', 't', NULL, NULL)",
            (f"r{i}", f"C{i}", "x" * 300),
        )
        db.execute("INSERT INTO audit(at, event, record_ids) VALUES ('t', 'add', ?)", (f"r{i}",))
    print(i, flush=True)  # acknowledged only once committed
    i += 1
"""

REKEY = (
    KILL_POINTS
    + """
import time
db = Database.open(sys.argv[1], os.environ["SYP_OLD"])
print("ready", flush=True)
arm_kill_points(int(os.environ.get("SYP_KILL_AT") or 0))
started = time.perf_counter()
db.rekey(os.environ["SYP_NEW"])
print("done", time.perf_counter() - started, flush=True)
db.close()
"""
)

CREATE = (
    KILL_POINTS
    + """
arm_kill_points(int(os.environ.get("SYP_KILL_AT") or 0))
Database.create(sys.argv[1], os.environ["SYP_PASS"]).close()
print("done", flush=True)
"""
)


def _kill_after(child: subprocess.Popen[str], delay: float) -> tuple[list[str], str]:
    """Wait for 'ready', sleep ``delay``, SIGKILL; return the lines it printed and stderr."""
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    child.kill()
    out, err = child.communicate()
    return out.split("\n"), err


def _opens_with(path: Path) -> str:
    """Which one of OLD and NEW opens the workspace; fail unless exactly one does."""
    working = []
    for passphrase in (OLD, NEW):
        try:
            with Database.open(path, passphrase) as db:
                assert db.check() == []
                assert db.query_one("SELECT count(*) FROM records") == (60,)
            working.append(passphrase)
        except errors.WrongPassphrase:
            pass
    assert len(working) == 1, working
    return working[0]


def test_kill_during_a_stream_of_commits_loses_nothing_acknowledged(
    tmp_path: Path, fast_kdf: int
) -> None:
    path = make_workspace(tmp_path / "W.sypdb", OLD, rows=0)
    rng = random.Random(20261126)
    acknowledged: set[str] = set()
    for _ in range(20):
        with Database.open(path, OLD) as db:
            (start,) = db.query_one("SELECT count(*) FROM records") or (0,)
        child = start_child(COMMIT_STREAM, str(path), str(start), kdf=fast_kdf, SYP_PASS=OLD)
        lines, err = _kill_after(child, rng.uniform(0.0, 0.25))
        assert err == ""
        acknowledged |= {f"r{n}" for n in lines if n.strip().isdigit()}
        with Database.open(path, OLD) as db:
            assert db.check() == []
            ids = {row[0] for row in db.query("SELECT id FROM records")}
            assert acknowledged <= ids
            # Each transaction wrote a record and its audit line: both or neither.
            audited = {row[0] for row in db.query("SELECT record_ids FROM audit")}
            assert audited == ids
    assert len(acknowledged) > 20  # the loop really did commit under fire


def test_kill_at_every_step_of_rekey(tmp_path: Path, fast_kdf: int) -> None:
    path = make_workspace(tmp_path / "W.sypdb", OLD, rows=60)
    current = OLD
    for kill_at in range(1, 100):
        other = NEW if current == OLD else OLD
        done = run_child(
            REKEY, str(path), kdf=fast_kdf, SYP_OLD=current, SYP_NEW=other, SYP_KILL_AT=str(kill_at)
        )
        assert done.stderr == ""
        current = _opens_with(path)
        assert listing(tmp_path) == ["W.sypdb", "W.sypdb-backups"]  # crash debris cleaned
        if "done" in done.stdout:
            break  # every step has been interrupted once
    else:
        pytest.fail("rekey never finished")
    assert kill_at > 5


def test_kill_at_random_moments_of_rekey(tmp_path: Path, fast_kdf: int) -> None:
    path = make_workspace(tmp_path / "W.sypdb", OLD, rows=60)
    timing = run_child(REKEY, str(path), kdf=fast_kdf, SYP_OLD=OLD, SYP_NEW=NEW)
    assert timing.stderr == ""
    duration = float(timing.stdout.split()[-1])
    current, rng, interrupted = NEW, random.Random(7), 0
    for attempt in range(15):
        other = NEW if current == OLD else OLD
        child = start_child(REKEY, str(path), kdf=fast_kdf, SYP_OLD=current, SYP_NEW=other)
        # Spread the kills over the whole change, a little beyond it.
        lines, err = _kill_after(child, duration * (attempt + rng.random()) / 12)
        assert err == ""
        interrupted += not any(line.startswith("done") for line in lines)
        current = _opens_with(path)
    assert interrupted >= 5


@pytest.mark.slow
def test_kill_at_random_moments_of_rekey_many_times(tmp_path: Path, fast_kdf: int) -> None:
    path = make_workspace(tmp_path / "W.sypdb", OLD, rows=60)
    current, rng = OLD, random.Random(11)
    for _ in range(200):
        other = NEW if current == OLD else OLD
        child = start_child(REKEY, str(path), kdf=fast_kdf, SYP_OLD=current, SYP_NEW=other)
        _, err = _kill_after(child, rng.uniform(0.0, 0.1))
        assert err == ""
        current = _opens_with(path)


def test_kill_at_every_step_of_create(tmp_path: Path, fast_kdf: int) -> None:
    path = tmp_path / "W.sypdb"
    for kill_at in range(1, 100):
        done = run_child(CREATE, str(path), kdf=fast_kdf, SYP_PASS=OLD, SYP_KILL_AT=str(kill_at))
        assert done.stderr == ""
        if path.exists():  # all or nothing: a complete workspace, or no file at all
            with Database.open(path, OLD) as db:
                assert db.schema_version == migrations.latest_version()
                assert db.check() == []
            path.unlink()
        else:
            with pytest.raises(errors.WorkspaceNotFound):
                Database.open(path, OLD)
        with Database.create(path, OLD):  # and the name is free to try again
            pass
        path.unlink()
        assert listing(tmp_path) == []  # the crash's debris went with the next create
        if "done" in done.stdout:
            break
    else:
        pytest.fail("create never finished")
    assert kill_at > 3


def test_rekey_refuses_an_empty_passphrase_and_stays_open(tmp_path: Path) -> None:
    with Database.open(make_workspace(tmp_path / "W.sypdb", OLD, rows=60), OLD) as db:
        with pytest.raises(errors.UsageError):
            db.rekey("")
        db.rekey(NEW)
        assert db.query_one("SELECT count(*) FROM records") == (60,)
    assert _opens_with(tmp_path / "W.sypdb") == NEW
