"""Exchange with the chair: briefing, bundle write and verified open, and peak memory.

    uv run python tests/bench/run.py exchange
    uv run python tests/bench/bench_exchange.py

All through the services, with real workspace files in a temporary folder. Workspaces
are keyed with 64 PBKDF2 rounds (``use_fast_kdf_for_tests``) so that opening them does
not dominate; the product uses SQLCipher's 256,000. The write + open figure is
``export_bundle`` (without the briefing PDF, which is timed on its own) from the demo
school to a file, then ``open_bundle`` of that file into a fresh chair workspace (the
first bundle from that school, its key accepted by fingerprint). Peak memory is
``ru_maxrss`` of a fresh subprocess that opens the two workspaces and does just the
large write + open. Run on a quiet machine: the figures are wall-clock times.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Row, format_table, median_time  # noqa: E402

from saferyp_desktop.services import exchange  # noqa: E402
from saferyp_desktop.services.briefing import export_briefing  # noqa: E402
from saferyp_desktop.services.demo import create_demo_workspace  # noqa: E402
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails  # noqa: E402
from saferyp_desktop.storage.database import use_fast_kdf_for_tests  # noqa: E402

PASSPHRASE = "benchmark passphrase, fictional data"
FAST_KDF = 64
BRIEFING_TARGETS = {"typical": 1.0, "large": 5.0}  # seconds
BUNDLE_TARGETS = {"typical": 0.3, "large": 2.0}  # seconds
PEAK_TARGET_MB = 400.0
REPEAT = 3


def _new_chair(path: Path) -> Workspace:
    details = WorkspaceDetails(role="chair", name="Bench Chair", organisation="Bench Council")
    return Workspace.create(path, PASSPHRASE, details)


def write_and_open(school: Workspace, chair: Workspace, out: Path) -> None:
    """The measured work: the school's bundle written to ``out``, then verified and
    stored by the chair."""
    result = exchange.export_bundle(school, out, include_briefing=False)
    exchange.open_bundle(chair, out, accept_new_key=result.fingerprint)


def _bundle_time(school: Workspace, folder: Path, size: str) -> float:
    times: list[float] = []
    for n in range(REPEAT):
        chair = _new_chair(folder / f"chair-{size}-{n}.sypdb")  # a chair new to this school
        try:
            exchange.set_chair(school, chair.key_card())
            out = folder / f"{size}-{n}.sypbundle"
            started = time.perf_counter()
            write_and_open(school, chair, out)
            times.append(time.perf_counter() - started)
        finally:
            chair.close()
    return statistics.median(times)


def _peak_rss(school_path: Path, chair_path: Path, out: Path) -> tuple[float, float]:
    """(MB before, MB peak) of ``ru_maxrss`` in a fresh subprocess doing the large
    write + open with already-made workspace files."""
    done = subprocess.run(
        [sys.executable, __file__, "--peak", str(school_path), str(chair_path), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    before, peak = done.stdout.split()
    return float(before), float(peak)


def _maxrss_mb() -> float:
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    return kilobytes / (1024 * 1024) if sys.platform == "darwin" else kilobytes / 1024


def _peak_child(school_path: str, chair_path: str, out: str) -> None:
    use_fast_kdf_for_tests(FAST_KDF)
    with (
        Workspace.open(Path(school_path), PASSPHRASE) as school,
        Workspace.open(Path(chair_path), PASSPHRASE) as chair,
    ):
        school.table()  # loaded once, as in the program
        exchange.set_chair(school, chair.key_card())
        before = _maxrss_mb()
        write_and_open(school, chair, Path(out))
        peak = _maxrss_mb()
    print(f"{before:.1f} {peak:.1f}")


def run() -> list[Row]:
    use_fast_kdf_for_tests(FAST_KDF)
    rows: list[Row] = []
    kdf = f"workspaces keyed with {FAST_KDF} KDF rounds"
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            for size in ("typical", "large"):
                school_path = folder / f"school-{size}.sypdb"
                school = create_demo_workspace(school_path, PASSPHRASE, seed=1, size=size)
                try:
                    school.table()  # loaded once, as in the program
                    briefing = median_time(
                        lambda ws=school, s=size: export_briefing(
                            ws, folder / f"briefing-{s}.pdf", overwrite=True
                        ),
                        repeat=REPEAT,
                    )
                    rows.append(
                        Row(
                            f"export_briefing, {size} demo, median of {REPEAT}",
                            briefing,
                            "s",
                            BRIEFING_TARGETS[size],
                        )
                    )
                    took = _bundle_time(school, folder, size)
                    size_mb = (folder / f"{size}-0.sypbundle").stat().st_size / 1e6
                    rows.append(
                        Row(
                            f"bundle write + verified open into a chair, {size} demo "
                            f"({size_mb:.1f} MB, no PDF; {kdf}), median of {REPEAT}",
                            took,
                            "s",
                            BUNDLE_TARGETS[size],
                        )
                    )
                finally:
                    school.close()
            chair_path = folder / "chair-peak.sypdb"
            _new_chair(chair_path).close()
            before, peak = _peak_rss(
                folder / "school-large.sypdb", chair_path, folder / "peak.sypbundle"
            )
            rows.append(
                Row("RSS of the subprocess with both workspaces open, before", before, "MB")
            )
            rows.append(
                Row(
                    "peak RSS (ru_maxrss, fresh subprocess), large write + open",
                    peak,
                    "MB",
                    PEAK_TARGET_MB,
                )
            )
    finally:
        use_fast_kdf_for_tests(None)
    return rows


def main(argv: list[str]) -> int:
    if argv[:1] == ["--peak"]:
        _peak_child(*argv[1:4])
        return 0
    print(format_table(run()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
