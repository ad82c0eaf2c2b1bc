"""How long opening a workspace takes with the real key derivation, and where the time goes.

Run: uv run python tests/bench/bench_open.py [records]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from saferyp_desktop.storage import database
from saferyp_desktop.storage.database import Database


def main(records: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Bench.sypdb"
        started = time.perf_counter()
        with Database.create(path, "bench passphrase") as db, db.transaction():
            for i in range(records):
                db.execute(
                    "INSERT INTO records VALUES (?, 'person', ?, ?, 't', 't', NULL, NULL)",
                    (f"id{i}", f"P{i:05d}", "x" * 400),
                )
        print(f"create + {records} records: {time.perf_counter() - started:.3f} s")
        print(f"file size: {path.stat().st_size / 1e6:.2f} MB")

        opens, kdfs = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            conn = database._keyed(path, "bench passphrase")
            database._prove_key(conn)  # the key derivation happens here
            kdfs.append(time.perf_counter() - t0)
            conn.close()
            t0 = time.perf_counter()
            Database.open(path, "bench passphrase").close()
            opens.append(time.perf_counter() - t0)
        kdf, total = statistics.median(kdfs), statistics.median(opens)
        print(
            f"open (median of 5): {total:.3f} s = key derivation {kdf:.3f} s "
            f"+ checks, configuration and close {total - kdf:.3f} s"
        )
        with Database.open(path, "bench passphrase") as db:
            for pragma in ("cipher_integrity_check", "quick_check", "integrity_check"):
                t0 = time.perf_counter()
                db.query(f"PRAGMA {pragma}")
                print(f"  PRAGMA {pragma}: {time.perf_counter() - t0:.3f} s")
            t0 = time.perf_counter()
            db.rekey("another passphrase")
            print(
                f"rekey (backup, export, check, replace, reopen): {time.perf_counter() - t0:.3f} s"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
