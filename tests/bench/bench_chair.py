"""The meeting chair's work across 40 schools (not a test).

Setup (timed, no target): 40 typical demo schools (seeds 1–40, one shared ``today`` so
they share a meeting date), a chair workspace, the chair set on each school and each
school's bundle exported with its briefing. Workspaces are keyed with 64 PBKDF2 rounds
(``use_fast_kdf_for_tests``), not the product's 256,000: that touches only creating and
opening the workspace files, which the rows say.

Measured, in a fresh process (so its peak memory is the chair's work alone):

* opening all 40 bundles into the chair workspace (first bundles: key accepted by
  fingerprint) — target 10 s;
* cross-school matching over them (``chair.candidates``) — target 2 s;
* the briefing pack for their meeting (``chair.export_pack``, with a saved meeting
  record) — target 15 s;
* that process's peak memory (``ru_maxrss``) — target 400 MB.

    uv run python tests/bench/run.py chair
    uv run python tests/bench/bench_chair.py [--profile open|match|pack]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

SCHOOLS = 40
FAST_KDF = 64
PASSPHRASE_ENV = "SAFERYP_BENCH_PASSPHRASE"
PASSPHRASE = "bench chair orange lantern quietly harbour"


def prepare(folder: Path, schools: int = SCHOOLS) -> dict:
    """The schools, the chair and the bundles in ``folder``; returns what the child needs."""
    from saferyp_desktop.services import exchange
    from saferyp_desktop.services.demo import create_demo_workspace
    from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
    from saferyp_desktop.storage.database import use_fast_kdf_for_tests

    use_fast_kdf_for_tests(FAST_KDF)
    today = date.today()
    chair_path = folder / "chair.saferyp"
    chair = Workspace.create(
        chair_path,
        PASSPHRASE,
        WorkspaceDetails(role="chair", name="Bench Chair", organisation="Bench"),
    )
    card = chair.key_card()
    chair.close()
    bundles: list[dict] = []
    meeting_dates: set[str] = set()
    for seed in range(1, schools + 1):
        school = create_demo_workspace(
            folder / f"school{seed:02d}.saferyp", PASSPHRASE, seed=seed, today=today
        )
        try:
            exchange.set_chair(school, card)
            out = folder / f"school{seed:02d}.sypb"
            result = exchange.export_bundle(school, out, include_briefing=True)
        finally:
            school.close()
        bundles.append({"path": str(out), "fingerprint": result.fingerprint, "size": result.size})
        meeting_dates.add(result.meeting_date.isoformat())
    if len(meeting_dates) != 1:
        raise RuntimeError(
            f"the schools' bundles are for several meetings: {sorted(meeting_dates)}"
        )
    return {"chair": str(chair_path), "bundles": bundles, "meeting_date": meeting_dates.pop()}


def measure(plan: dict, profile: str | None = None) -> dict:
    """In this (fresh) process: open, match, pack; their times and the peak memory."""
    import resource

    from saferyp_desktop.services import chair as chair_service
    from saferyp_desktop.services import exchange
    from saferyp_desktop.services.workspace import Workspace
    from saferyp_desktop.storage.database import use_fast_kdf_for_tests

    use_fast_kdf_for_tests(FAST_KDF)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    ws = Workspace.open(Path(plan["chair"]), os.environ[PASSPHRASE_ENV])
    times: dict[str, float] = {}
    try:

        def step(name: str, fn):
            if profiler is not None and profile == name:
                profiler.enable()
            start = time.perf_counter()
            value = fn()
            times[name] = time.perf_counter() - start
            if profiler is not None and profile == name:
                profiler.disable()
            return value

        def open_all() -> int:
            for bundle in plan["bundles"]:
                exchange.open_bundle(ws, Path(bundle["path"]), accept_new_key=bundle["fingerprint"])
            return len(plan["bundles"])

        opened = step("open", open_all)
        found = step("match", lambda: chair_service.candidates(ws))
        day = plan["meeting_date"]
        chair_service.meeting(ws, day)  # the chair's meeting record (not timed)
        out = Path(plan["chair"]).with_name("pack.pdf")
        pack = step("pack", lambda: chair_service.export_pack(ws, day, out))
    finally:
        ws.close()
    if profiler is not None:
        import io
        import pstats

        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
        print(text.getvalue(), file=sys.stderr)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
        print(text.getvalue(), file=sys.stderr)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        **times,
        "opened": opened,
        "candidates": len(found),
        "pack_bytes": pack.size,
        "pack_schools": len(pack.schools),
        "maxrss_mb": maxrss / 1024,
        "maxrss_before_mb": rss_before / 1024,
    }


def _child(plan_file: Path, profile: str | None) -> dict:
    env = dict(os.environ)
    env[PASSPHRASE_ENV] = PASSPHRASE
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    args = [sys.executable, str(Path(__file__).resolve()), "--measure", str(plan_file)]
    if profile:
        args += ["--profile", profile]
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
    if profile:
        print(result.stderr, file=sys.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"chair measurement failed: {result.returncode} {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(profile: str | None = None) -> list:
    from harness import Row

    with tempfile.TemporaryDirectory(prefix="bench-chair-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        plan = prepare(folder)
        setup = time.perf_counter() - start
        plan_file = folder / "plan.json"
        plan_file.write_text(json.dumps(plan))
        got = _child(plan_file, profile)
    mb = sum(b["size"] for b in plan["bundles"]) / 1e6
    print(
        f"chair bench: {got['opened']} bundles ({mb:.1f} MB), {got['candidates']} candidates, "
        f"pack {got['pack_bytes'] / 1e6:.1f} MB for {got['pack_schools']} schools; "
        f"child rss at start {got['maxrss_before_mb']:.0f} MB",
        file=sys.stderr,
    )
    kdf = f"KDF {FAST_KDF} rounds"
    return [
        Row(f"chair setup: {SCHOOLS} demo schools + bundles ({kdf}; no target)", setup, "s"),
        Row(f"chair: open {SCHOOLS} bundles into chair workspace ({kdf})", got["open"], "s", 10),
        Row(f"chair: cross-school matching, {SCHOOLS} schools", got["match"], "s", 2),
        Row(f"chair: briefing pack, {SCHOOLS} schools", got["pack"], "s", 15),
        Row("chair: peak memory of open+match+pack process", got["maxrss_mb"], "MB", 400),
    ]


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--measure":
        prof = sys.argv[4] if len(sys.argv) >= 5 and sys.argv[3] == "--profile" else None
        print(json.dumps(measure(json.loads(Path(sys.argv[2]).read_text()), prof)))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from harness import format_table

        which = sys.argv[2] if len(sys.argv) >= 3 and sys.argv[1] == "--profile" else None
        print(format_table(run(which)))
