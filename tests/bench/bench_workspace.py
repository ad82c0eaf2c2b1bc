"""The foundation's targets on the LARGE demo workspace, with the real key derivation.

    uv run python tests/bench/run.py workspace
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from harness import Row, median_time

from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.table_io import export_spreadsheet, import_spreadsheet
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.storage import database

PASSPHRASE = "benchmark passphrase, fictional data"


def _key_derivation(path: Path) -> None:
    conn = database._keyed(path, PASSPHRASE)
    database._prove_key(conn)  # SQLCipher derives the key on this first read
    conn.close()


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Large.sypdb"
        started = time.perf_counter()
        create_demo_workspace(path, PASSPHRASE, seed=1, size="large").close()
        rows.append(Row("create the large demo workspace", time.perf_counter() - started, "s"))
        rows.append(Row("large demo file size", path.stat().st_size / 1e6, "MB"))

        kdf = median_time(lambda: _key_derivation(path))
        total = median_time(lambda: Workspace.open(path, PASSPHRASE).close())
        rows.append(Row("open, including key derivation", total, "s", 0.5))
        rows.append(Row("  of which key derivation", kdf, "s"))
        rows.append(Row("  of which everything after it", total - kdf, "s", 0.15))

        with Workspace.open(path, PASSPHRASE) as ws:
            load = median_time(lambda: ws.repo.load())
            rows.append(Row("load all records, links and evidence", load, "s", 0.3))
            check = median_time(lambda: ws.check(), repeat=3)
            rows.append(Row("check (integrity + four checks)", check, "s", 2.0))
            sheet = Path(folder) / "large.xlsx"
            export = median_time(
                lambda: export_spreadsheet(ws, sheet, DataLevel.FULL, overwrite=True), repeat=3
            )
            rows.append(Row("export the large spreadsheet", export, "s", 3.0))

        targets = []

        def fresh() -> None:
            target = Path(folder) / f"Import{len(targets)}.sypdb"
            targets.append(target)
            details = WorkspaceDetails(role="school", name="Bench School", urn="999999")
            Workspace.create(target, PASSPHRASE, details).close()

        def do_import() -> None:
            with Workspace.open(targets[-1], PASSPHRASE) as ws:
                import_spreadsheet(ws, sheet)

        opened = median_time(lambda: Workspace.open(path, PASSPHRASE).close(), repeat=3)
        imported = median_time(do_import, repeat=3, setup=fresh)
        rows.append(Row("import the large spreadsheet (open excluded)", imported - opened, "s", 5.0))
    return rows


if __name__ == "__main__":
    from harness import format_table

    print(format_table(run()))
