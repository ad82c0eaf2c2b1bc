"""Build SaferYP Desktop for installing: one folder, smoke-tested, then packaged.

    uv run python build_installer.py [--target linux|windows|macos] [--skip-smoke] [--out DIR]

1. PyInstaller builds ONE folder from installers/saferyp.spec, ``DIR/saferyp/``, with
   ``saferyp-desktop`` and ``saferyp`` sharing one set of libraries (on Linux one
   executable and a link to it; on Windows and macOS a windowed and a console
   executable; on macOS also ``DIR/SaferYP Desktop.app``).
2. Checks of the folder: every module of the package and every resources folder is
   inside; (Linux) every library's dependencies resolve; its size (target ≤ 160 MB).
3. The smoke test (unless --skip-smoke), with HOME, the XDG folders and TMPDIR pointed
   at fresh folders, without a network (``unshare -n``) where possible, and (Linux)
   under ``strace``, failing on any file written outside the workspace folder, the
   settings folder and the temporary folder:
   the desktop program shows its start screen offscreen (and on X11 under Xvfb where
   there is one) and exits 0, its start time is measured (median of 5, target ≤ 1 s);
   the command makes a school workspace, a demo, checks it, writes key cards,
   exports and imports a spreadsheet, writes a briefing PDF (if the build has
   ``briefing``; checked with qpdf) and a bundle, makes a chair workspace, and opens
   the bundle there.
4. The package, only if all of that passed: Linux, a .tar.gz with install.sh (per
   user, into ~/.local); Windows, the Inno Setup installer (if ISCC is installed, else
   a .zip of the folder); macOS, a .dmg (hdiutil) or .zip of the .app.

Any failure ends the build with a non-zero exit and no package.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SPEC = ROOT / "installers" / "saferyp.spec"
HOSTS = {"linux": "linux", "win32": "windows", "darwin": "macos"}
APP_NAME = "SaferYP Desktop"
FOLDER = "saferyp"
SIZE_TARGET_MB = 160.0
START_TARGET_S = 1.0
START_RUNS = 5
PASSPHRASE = "smoke lantern orchard velvet tundra"  # fictional; the test's own workspaces
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# As in the spec: libraries taken from the user's system, not bundled.
LEFT_TO_SYSTEM = re.compile(r"libcups\.so(\..*)?")


class BuildFailed(Exception):
    """One step failed; the message says which and why."""


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]


def say(text: str) -> None:
    print(text, flush=True)


def exe_name(name: str, target: str) -> str:
    return f"{name}.exe" if target == "windows" else name


def program_dir(out: Path, target: str) -> Path:
    """Where the two programs are: the one folder, or inside the .app on macOS."""
    if target == "macos":
        return out / f"{APP_NAME}.app" / "Contents" / "MacOS"
    return out / FOLDER


# -- 1. build ------------------------------------------------------------------
def build(out: Path, work: Path) -> float:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise BuildFailed(
            "PyInstaller is not installed: run this with `uv run python build_installer.py`."
        ) from None
    for old in (out / FOLDER, out / f"{APP_NAME}.app"):
        if old.exists():
            shutil.rmtree(old)
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(out),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    say("$ " + " ".join(command))
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise BuildFailed("PyInstaller failed (its messages are above).")
    return time.perf_counter() - started


# -- 2. checks of the folder ---------------------------------------------------
def folder_size(path: Path) -> int:
    """Bytes of the files in ``path`` (symbolic links not followed)."""
    total = 0
    for item in path.rglob("*"):
        if item.is_file() and not item.is_symlink():
            total += item.stat().st_size
    return total


def package_modules() -> set[str]:
    """Every module of saferyp_desktop in the source tree, by its dotted name."""
    package = ROOT / "src" / "saferyp_desktop"
    return {
        ".".join(p.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__")
        for p in package.rglob("*.py")
    }


def check_contents(out: Path, target: str, wanted: set[str]) -> list[str]:
    """Every module ``wanted`` in both programs' archives; every resources folder.

    ``wanted`` is taken before the build starts: a module added meanwhile is not missed.
    """
    from PyInstaller.archive.readers import CArchiveReader

    lines = []
    for name in ("saferyp-desktop", "saferyp"):
        archive = CArchiveReader(str(program_dir(out, target) / exe_name(name, target)))
        pyz_name = next(n for n in archive.toc if n.endswith(".pyz"))
        pyz = archive.open_embedded_archive(pyz_name)
        missing = sorted(wanted - set(pyz.toc))
        if missing:
            raise BuildFailed(f"{name} lacks modules of the program: {', '.join(missing)}")
        lines.append(f"{name}: all {len(wanted)} modules of saferyp_desktop are inside")
    internal = _internal_dir(out, target)
    spec_text = SPEC.read_text(encoding="utf-8")
    folders = re.search(r"RESOURCE_FOLDERS = \(([^)]*)\)", spec_text)
    for folder in re.findall(r'"([^"]+)"', folders.group(1) if folders else ""):
        found = internal / "resources" / folder
        if not found.is_dir() or not any(found.iterdir()):
            raise BuildFailed(f"The build lacks resources/{folder}.")
    lines.append(
        "resources: " + ", ".join(sorted(p.name for p in (internal / "resources").iterdir()))
    )
    return lines


def _internal_dir(out: Path, target: str) -> Path:
    if target == "macos":
        return out / f"{APP_NAME}.app" / "Contents" / "Frameworks"
    return out / FOLDER / "_internal"


def check_libraries(folder: Path) -> str:
    """(Linux) every bundled library finds what it links to, in the bundle or the system.

    A library PyInstaller deliberately leaves to the system (libwayland-*, libxcb, libGL…)
    may be missing on the build machine; every other one must resolve here.
    """
    if not shutil.which("ldd"):
        return "libraries: ldd not found; not checked"
    from PyInstaller.depend.dylib import include_library

    env = dict(os.environ, LD_LIBRARY_PATH=str(folder / "_internal"))
    problems: set[str] = set()
    from_system: set[str] = set()
    count = 0
    for item in sorted(folder.rglob("*")):
        if item.is_symlink() or not item.is_file():
            continue
        with item.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        count += 1
        result = subprocess.run(["ldd", str(item)], capture_output=True, text=True, env=env)
        for line in result.stdout.splitlines():
            if "not found" in line:
                library = line.split("=>")[0].strip()
                if include_library(library) and not LEFT_TO_SYSTEM.fullmatch(library):
                    problems.add(f"{item.relative_to(folder)}: {library}")
                else:
                    from_system.add(library)
    if problems:
        raise BuildFailed(
            "Libraries with unresolved dependencies:\n  " + "\n  ".join(sorted(problems))
        )
    line = f"libraries: all dependencies of {count} binaries resolve"
    if from_system:
        line += (
            f" (except {', '.join(sorted(from_system))}: left to the user's system by "
            "design and not installed on this build machine)"
        )
    return line


# -- 3. smoke test -------------------------------------------------------------
@dataclass
class Sandbox:
    """Fresh home, settings, data, cache, temporary and workspace folders for one run."""

    root: Path
    home: Path = field(init=False)
    tmp: Path = field(init=False)
    work: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home = self.root / "home"
        self.tmp = self.root / "tmp"
        self.work = self.root / "work"
        for folder in (self.home, self.tmp, self.work, self.tmp / "runtime"):
            folder.mkdir(parents=True, exist_ok=True)
        (self.tmp / "runtime").chmod(0o700)

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("XDG_", "QT_", "SAFERYP_"))
            and k not in {"DISPLAY", "WAYLAND_DISPLAY"}
        }
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_STATE_HOME=str(self.home / ".local" / "state"),
            XDG_RUNTIME_DIR=str(self.tmp / "runtime"),
            TMPDIR=str(self.tmp),
            TEMP=str(self.tmp),
            TMP=str(self.tmp),
            USERPROFILE=str(self.home),
            APPDATA=str(self.home / "AppData" / "Roaming"),
            LOCALAPPDATA=str(self.home / "AppData" / "Local"),
            SAFERYP_PASSPHRASE=PASSPHRASE,
            QT_QPA_PLATFORM="offscreen",
        )
        return env

    def allowed(self) -> list[Path]:
        """Where the program may write: the workspace folder, its settings, temp."""
        return [
            self.work,
            self.tmp,
            self.home / ".config" / "SaferYP",  # QSettings("SaferYP", "SaferYP Desktop")
            self.home / ".local" / "share" / "SaferYP",  # QStandardPaths.AppDataLocation
            self.home / ".cache" / "SaferYP",  # QStandardPaths.CacheLocation
            self.home / "Library" / "Preferences",  # macOS: QSettings' plist
        ]


def _under(path: Path, roots: list[Path]) -> bool:
    for root in roots:
        with contextlib.suppress(ValueError):
            path.relative_to(root)
            return True
    return False


def _allowed(path: Path, allowed: list[Path]) -> bool:
    """Inside an allowed folder, or a folder on the way to one (``~/.config``)."""
    return _under(path, allowed) or any(_under(root, [path]) for root in allowed)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    result = {}
    for item in folder.rglob("*"):
        with contextlib.suppress(OSError):
            stat = item.lstat()
            result[str(item)] = (stat.st_size, stat.st_mtime_ns)
    return result


class Runner:
    """Runs the frozen programs: no network where possible, every write traced on Linux."""

    def __init__(self, programs: Path, target: str, sandbox: Sandbox) -> None:
        self.programs = programs
        self.target = target
        # The folder that ships: the one folder, or the whole .app on macOS.
        self.folder = programs.parents[1] if target == "macos" else programs
        self.sandbox = sandbox
        # As root, a new network namespace; as a user, one with a user namespace (-r).
        self.unshare = next(
            (
                flags
                for flags in (["-n"], ["-rn"])
                if self._can("unshare", ["unshare", *flags, "true"])
            ),
            None,
        )
        self.no_network = self.unshare is not None
        self.strace = self._can("strace", ["strace", "-o", os.devnull, "true"])
        self.traces: list[Path] = []
        self.results: list[str] = []

    @staticmethod
    def _can(tool: str, probe: list[str]) -> bool:
        if not shutil.which(tool):
            return False
        return subprocess.run(probe, capture_output=True).returncode == 0

    def wrap(self, argv: list[str], trace: bool = True) -> list[str]:
        command = list(argv)
        if self.strace and trace:
            log = self.sandbox.root / f"trace-{len(self.traces):02d}.txt"
            self.traces.append(log)
            command = [
                "strace",
                "-f",
                "-qq",
                "-y",
                "-s",
                "4096",
                "-o",
                str(log),
                "-e",
                "trace=open,openat,creat,rename,renameat,renameat2,mkdir,mkdirat,"
                "unlink,unlinkat,rmdir,link,linkat,symlink,symlinkat,truncate",
                *command,
            ]
        if self.no_network:
            command = ["unshare", *self.unshare, "--", *command]
        return command

    def program(self, name: str) -> str:
        return str(self.programs / exe_name(name, self.target))

    def run(
        self,
        name: str,
        *args: str,
        env: dict[str, str] | None = None,
        trace: bool = True,
        timeout: float = 180,
    ) -> subprocess.CompletedProcess[str]:
        command = self.wrap([self.program(name), *args], trace=trace)
        return subprocess.run(
            command,
            cwd=self.sandbox.work,
            env=env or self.sandbox.env(),
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def saferyp(self, *args: str) -> str:
        """Run the command; fail the build unless it exits 0. Its standard output."""
        result = self.run("saferyp", *args)
        shown = " ".join(a if " " not in a else repr(a) for a in args)
        if result.returncode != 0:
            raise BuildFailed(
                f"`saferyp {shown}` exited {result.returncode}: {result.stderr.strip()[-2000:]}"
            )
        self.results.append(f"ok  saferyp {shown}")
        return result.stdout

    def has_command(self, command: str) -> bool:
        return self.run("saferyp", command, "--help", trace=False).returncode == 0


_SYSCALL = re.compile(r"^(?P<pid>\d+)\s+(?P<call>\w+)\((?P<args>.*)\)\s+=\s+(?P<ret>-?\d+)")
_WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC")


def _strace_paths(line: str) -> list[str]:
    """The paths a traced call wrote to (quoted strings, joined to a ``-y`` directory)."""
    match = _SYSCALL.match(line)
    if not match or int(match["ret"]) < 0:
        return []
    call, args = match["call"], match["args"]
    if call in {"open", "openat"} and not _WRITE_FLAGS.search(args):
        return []
    paths = []
    # Arguments are "path" or dirfd<dir>, "path"
    for dirfd, path in re.findall(r'(?:(?:AT_FDCWD|\d+<([^>]*)>),\s*)?"((?:[^"\\]|\\.)*)"', args):
        path = path.encode().decode("unicode_escape")
        if not os.path.isabs(path) and dirfd:
            path = os.path.join(dirfd, path)
        paths.append(path)
    return paths


def check_writes(runner: Runner, before_home: dict, before_program: dict) -> list[str]:
    """Fail if the program wrote anywhere but its workspace, settings and temp folders."""
    sandbox = runner.sandbox
    allowed = [p.resolve() for p in sandbox.allowed()]
    outside: set[str] = set()
    if runner.traces:
        pending: dict[str, str] = {}
        for log in runner.traces:
            for raw in log.read_text(errors="replace").splitlines():
                pid = raw.split(maxsplit=1)[0] if raw.strip() else ""
                if raw.endswith("<unfinished ...>"):
                    pending[pid] = raw.removesuffix("<unfinished ...>")
                    continue
                if "resumed>" in raw and pid in pending:
                    raw = pending.pop(pid) + raw.split("resumed>", 1)[1]
                for path in _strace_paths(raw):
                    full = Path(os.path.normpath(os.path.join(sandbox.work, path)))
                    if str(full).startswith(("/dev/", "/proc/", "/sys/")):
                        continue  # devices and kernel interfaces, not files
                    parent = full.parent.resolve() if full.parent.exists() else full.parent
                    if not _allowed(parent / full.name, allowed):
                        outside.add(str(full))
    after_home = snapshot(sandbox.home)
    for path in after_home:
        if path not in before_home and not _allowed(Path(path).resolve(), allowed):
            outside.add(path)
    after_program = snapshot(runner.folder)
    changed = {p for p, v in after_program.items() if before_program.get(p) != v}
    changed |= set(before_program) - set(after_program)
    outside |= changed
    if outside:
        raise BuildFailed(
            "The frozen program wrote outside its workspace, settings and temporary "
            "folders:\n  " + "\n  ".join(sorted(outside)[:50])
        )
    how = (
        "strace of every run and snapshots"
        if runner.traces
        else "snapshots of home and the program folder"
    )
    return [f"ok  nothing written outside the workspace, settings and temp folders ({how})"]


def gui_start(
    runner: Runner, platform: str = "offscreen", extra_env: dict | None = None, trace: bool = True
) -> float:
    """Start the desktop program until its start screen paints; seconds from spawn."""
    env = runner.sandbox.env()
    env["QT_QPA_PLATFORM"] = platform
    env["SAFERYP_EXIT_AFTER_SHOW"] = "1"
    env.update(extra_env or {})
    command = runner.wrap([runner.program("saferyp-desktop")], trace=trace)
    started = time.time()
    result = subprocess.run(
        command,
        cwd=runner.sandbox.work,
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    ended = time.time()
    if result.returncode != 0:
        raise BuildFailed(
            f"The desktop program ({platform}) exited {result.returncode}: {result.stderr.strip()[-2000:]}"
        )
    shown = [line for line in result.stdout.splitlines() if line.startswith("shown ")]
    if shown:
        name = shown[0].split()[2] if len(shown[0].split()) > 2 else ""
        if name != "startScreen":
            raise BuildFailed(f"The first window shown was {name!r}, not the start screen.")
        return float(shown[0].split()[1]) - started
    if runner.target == "windows":
        # A windowed Windows program has no standard output; SAFERYP_EXIT_AFTER_SHOW
        # quits only from the first paint, so exit 0 in time means the screen showed.
        return ended - started
    raise BuildFailed(
        f"The desktop program ({platform}) never showed a window: {result.stderr[-1000:]}"
    )


def gui_demo(runner: Runner, seconds: float = 12.0) -> str:
    """Run ``saferyp-desktop --demo`` (a demo school, then its main window) for a while.

    The program offers no signal that the main window is up, so this runs it for
    ``seconds``, then ends it (SIGTERM, which it handles by quitting properly), and
    fails if it stopped early or printed a Python error: that catches a module or a
    plugin the main window needs and the build lacks.
    """
    env = runner.sandbox.env()
    argv = [runner.program("saferyp-desktop"), "--demo"]
    if shutil.which("timeout") and runner.target != "windows":
        command = runner.wrap(["timeout", "-s", "TERM", f"{seconds:g}", *argv])
        result = subprocess.run(
            command,
            cwd=runner.sandbox.work,
            env=env,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=seconds + 60,
            stdin=subprocess.DEVNULL,
        )
        code, stderr = result.returncode, result.stderr
        ran_out = code == 124  # timeout(1): it was still running, and was told to stop
    else:
        process = subprocess.Popen(
            runner.wrap(argv),
            cwd=runner.sandbox.work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",
            stdin=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=seconds)
            ran_out = False
        except subprocess.TimeoutExpired:
            process.terminate()
            ran_out = True
        _, stderr = process.communicate(timeout=60)
        code = process.returncode
    if not ran_out:
        raise BuildFailed(
            f"saferyp-desktop --demo stopped by itself (exit {code}): {stderr[-2000:]}"
        )
    if "Traceback" in stderr or "Error" in stderr:
        raise BuildFailed(f"saferyp-desktop --demo printed an error: {stderr[-2000:]}")
    return f"ok  saferyp-desktop --demo ran {seconds:g} s with no error, and quit when told"


@contextlib.contextmanager
def xvfb(runner: Runner) -> Iterator[str | None]:
    """An X server (Xvfb) to show the program on X11, or None where there is none."""
    if runner.target != "linux" or not shutil.which("Xvfb"):
        yield None
        return
    display = f":{90 + os.getpid() % 100}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
        for _ in range(100):
            if socket.exists() or server.poll() is not None:
                break
            time.sleep(0.05)
        yield display if server.poll() is None else None
    finally:
        server.terminate()
        server.wait(timeout=10)


def start_times(programs: Path, target: str, runs: int = START_RUNS) -> list[float]:
    """The frozen desktop program's start → start screen shown, ``runs`` times (offscreen)."""
    with tempfile.TemporaryDirectory(prefix="saferyp-start-") as tmp:
        runner = Runner(programs, target, Sandbox(Path(tmp)))
        runner.strace = False  # strace slows every system call: not while timing
        gui_start(runner)  # warm the file cache, as a second start would be
        return [gui_start(runner) for _ in range(runs)]


def fingerprint_of(card: str) -> str:
    match = re.search(r"^fingerprint:\s*(\S+)", card, re.MULTILINE)
    if not match:
        raise BuildFailed("The key card has no fingerprint line.")
    return match.group(1)


def check_pdf(path: Path) -> str:
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise BuildFailed(f"{path.name} is not a complete PDF.")
    if shutil.which("qpdf"):
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildFailed(f"qpdf --check {path.name} failed: {result.stdout[-1000:]}")
        return f"ok  qpdf --check {path.name}"
    return f"ok  {path.name} is a complete PDF (qpdf not installed)"


def smoke_test(out: Path, target: str) -> list[str]:
    programs = program_dir(out, target)
    lines = []
    with tempfile.TemporaryDirectory(prefix="saferyp-smoke-") as tmp:
        sandbox = Sandbox(Path(tmp))
        runner = Runner(programs, target, sandbox)
        lines.append(
            "network: "
            + ("none (unshare -n)" if runner.no_network else "present (unshare unavailable)")
            + "; writes traced: "
            + ("strace" if runner.strace else "no (snapshots only)")
        )
        before_home = snapshot(sandbox.home)
        before_program = snapshot(runner.folder)

        # The desktop program: the start screen, offscreen and on X11.
        seconds = gui_start(runner)
        runner.results.append(
            f"ok  saferyp-desktop showed its start screen offscreen ({seconds:.2f} s, traced)"
        )
        with xvfb(runner) as display:
            if display:
                seconds = gui_start(runner, "xcb", {"DISPLAY": display})
                runner.results.append(
                    f"ok  saferyp-desktop showed its start screen on X11 (Xvfb, {seconds:.2f} s)"
                )
        runner.results.append(gui_demo(runner))

        # The command, end to end.
        w = sandbox.work
        reported = runner.saferyp("--version").strip()
        if reported != f"saferyp {version()}":
            raise BuildFailed(f"`saferyp --version` says {reported!r}, not {version()}.")
        runner.saferyp(
            "new",
            "school.sypdb",
            "--role",
            "school",
            "--name",
            "Smoke Test School",
            "--urn",
            "100001",
        )
        runner.saferyp("demo", "demo.sypdb", "--seed", "2")
        checked = runner.saferyp("check", "demo.sypdb")
        meeting = re.search(r"meeting on (\d{4}-\d{2}-\d{2})", checked)
        runner.saferyp("key", "demo.sypdb", "--out", "demo.sypkey")
        school_fingerprint = fingerprint_of((w / "demo.sypkey").read_text(encoding="utf-8"))
        runner.saferyp("export-table", "demo.sypdb", "table.xlsx", "--level", "full")
        runner.saferyp("import-table", "school.sypdb", "table.xlsx")
        if runner.has_command("briefing"):
            runner.saferyp("briefing", "demo.sypdb", "--out", "briefing.pdf")
            runner.results.append(check_pdf(w / "briefing.pdf"))
        else:
            runner.results.append("--  saferyp briefing: not in this build (skipped)")
        if all(runner.has_command(c) for c in ("trust", "bundle", "open")):
            runner.saferyp(
                "new",
                "chair.sypdb",
                "--role",
                "chair",
                "--name",
                "Smoke Test Chair",
                "--organisation",
                "Smoke Test Council",
            )
            runner.saferyp("key", "chair.sypdb", "--out", "chair.sypkey")
            runner.saferyp("trust", "demo.sypdb", "chair.sypkey")
            runner.saferyp("bundle", "demo.sypdb", "--out", "submission.sypbundle")
            runner.saferyp(
                "open",
                "chair.sypdb",
                "submission.sypbundle",
                "--accept-new-key",
                school_fingerprint,
            )
            runner.saferyp("check", "chair.sypdb")
            if runner.has_command("pack") and meeting:
                runner.saferyp(
                    "pack", "chair.sypdb", "--meeting", meeting.group(1), "--out", "pack.pdf"
                )
                runner.results.append(check_pdf(w / "pack.pdf"))
        elif runner.has_command("bundle"):
            runner.saferyp("bundle", "demo.sypdb", "--out", "submission.sypbundle")
            runner.results.append("--  saferyp trust/open: not in this build (chair side skipped)")
        else:
            runner.results.append("--  saferyp bundle: not in this build (skipped)")
        runner.results += check_writes(runner, before_home, before_program)
        lines += runner.results
    return lines


# -- 4. packages ----------------------------------------------------------------
def icon_pngs(dest: Path) -> dict[int, Path]:
    """The icon's PNG sizes: from resources/icons, else rendered from its SVG with Qt."""
    icons = ROOT / "resources" / "icons"
    found = {
        s: icons / f"saferyp-{s}.png" for s in ICON_SIZES if (icons / f"saferyp-{s}.png").is_file()
    }
    if found:
        return found
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    renderer = QSvgRenderer(str(icons / "saferyp.svg"))
    if not renderer.isValid():
        raise BuildFailed("resources/icons has no PNGs and no valid saferyp.svg.")
    dest.mkdir(parents=True, exist_ok=True)
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(dest / f"saferyp-{size}.png"))
        found[size] = dest / f"saferyp-{size}.png"
    return found


def package_linux(out: Path, work: Path) -> Path:
    machine = os.uname().machine
    name = f"SaferYP-Desktop-{version()}-linux-{machine}"
    stage = work / "package" / name
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    shutil.copytree(out / FOLDER, stage / FOLDER, symlinks=True)
    linux = ROOT / "installers" / "linux"
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy2(linux / script, stage / script)
        (stage / script).chmod(0o755)
    share = stage / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(linux / "saferyp-desktop.desktop", share / "applications")
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy2(linux / "saferyp-mime.xml", share / "mime" / "packages")
    for size, png in icon_pngs(work / "icons").items():
        folder = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, folder / "saferyp-desktop.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icons" / "saferyp.svg", scalable / "saferyp-desktop.svg")
    (stage / "README.txt").write_text(
        f"{APP_NAME} {version()}\n\n"
        "Install for yourself only (no administrator rights needed):\n\n"
        "    ./install.sh\n\n"
        "Then start SaferYP Desktop from the applications menu. To remove it:\n\n"
        "    ~/.local/share/saferyp-desktop/uninstall.sh\n\n"
        "The program never connects to a network. The `saferyp` command is installed too.\n",
        encoding="utf-8",
    )
    archive = out / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(stage, arcname=name)
    return archive


def check_linux_install(archive: Path) -> str:
    """Unpack the tarball and run its install.sh into a fresh home; the installed command runs."""
    with tempfile.TemporaryDirectory(prefix="saferyp-install-") as tmp:
        root = Path(tmp)
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="tar")
        unpacked = next(root.iterdir())
        home = root / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        env.update(HOME=str(home), PATH=os.environ.get("PATH", ""))
        result = subprocess.run(
            ["sh", str(unpacked / "install.sh")], env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise BuildFailed(f"install.sh failed: {result.stderr.strip()}")
        installed = home / ".local" / "bin" / "saferyp"
        result = subprocess.run(
            [str(installed), "--version"], env=env, capture_output=True, text=True
        )
        if result.returncode != 0 or version() not in result.stdout:
            raise BuildFailed(f"The installed saferyp does not run: {result.stderr.strip()}")
        desktop = home / ".local" / "share" / "applications" / "saferyp-desktop.desktop"
        if shutil.which("desktop-file-validate"):
            check = subprocess.run(
                ["desktop-file-validate", str(desktop)], capture_output=True, text=True
            )
            if check.returncode != 0:
                raise BuildFailed(f"The installed .desktop file is not valid: {check.stdout}")
        uninstall = home / ".local" / "share" / "saferyp-desktop" / "uninstall.sh"
        result = subprocess.run(["sh", str(uninstall)], env=env, capture_output=True, text=True)
        if result.returncode != 0 or installed.exists() or desktop.exists():
            raise BuildFailed(f"uninstall.sh did not remove the program: {result.stderr.strip()}")
    return (
        "ok  install.sh into a fresh ~/.local, the installed saferyp runs, uninstall.sh removes it"
    )


def find_iscc() -> str | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        if base and (Path(base) / "Inno Setup 6" / "ISCC.exe").is_file():
            return str(Path(base) / "Inno Setup 6" / "ISCC.exe")
    return None


def package_windows(out: Path) -> Path:
    iscc = find_iscc()
    if iscc is None:
        say(
            "Inno Setup's ISCC was not found: writing a .zip of the folder instead of an installer."
        )
        return Path(
            shutil.make_archive(
                str(out / f"SaferYP-Desktop-{version()}-windows"), "zip", out, FOLDER
            )
        )
    command = [
        iscc,
        f"/DAppVersion={version()}",
        f"/DSourceDir={out / FOLDER}",
        f"/O{out}",
        str(ROOT / "installers" / "windows" / "saferyp.iss"),
    ]
    say("$ " + " ".join(command))
    if subprocess.run(command).returncode != 0:
        raise BuildFailed("Inno Setup failed (its messages are above).")
    return out / f"SaferYP-Desktop-{version()}-setup.exe"


def package_macos(out: Path) -> Path:
    app = out / f"{APP_NAME}.app"
    if shutil.which("hdiutil"):
        dmg = out / f"SaferYP-Desktop-{version()}-macos.dmg"
        dmg.unlink(missing_ok=True)
        command = [
            "hdiutil",
            "create",
            "-volname",
            APP_NAME,
            "-srcfolder",
            str(app),
            "-ov",
            "-format",
            "UDZO",
            str(dmg),
        ]
        if subprocess.run(command).returncode != 0:
            raise BuildFailed("hdiutil could not make the disk image.")
        return dmg
    archive = out / f"SaferYP-Desktop-{version()}-macos.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for item in sorted(app.rglob("*")):
            z.write(item, item.relative_to(out))
    return archive


# -- main ----------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    host = HOSTS.get(sys.platform)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--target",
        choices=["linux", "windows", "macos"],
        default=host,
        help="the system to build for: PyInstaller builds only for the one it runs on",
    )
    parser.add_argument("--skip-smoke", action="store_true", help="package without the smoke test")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "dist", help="where the folder and package go"
    )
    args = parser.parse_args(argv)
    out = args.out.resolve()
    work = ROOT / "build" / "pyinstaller"
    try:
        if args.target != host:
            raise BuildFailed(
                f"PyInstaller cannot cross-build: build for {args.target} on {args.target} "
                f"(this is {host or sys.platform})."
            )
        total = time.perf_counter()
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("SaferYP-Desktop-*"):  # a failed build must leave no package
            old.unlink()
        modules = package_modules()
        seconds = build(out, work)
        say(f"built in {seconds:.0f} s: {program_dir(out, args.target)}")

        report = check_contents(out, args.target, modules)
        if args.target == "linux":
            report.append(check_libraries(out / FOLDER))
        folder = out / (f"{APP_NAME}.app" if args.target == "macos" else FOLDER)
        size = folder_size(folder)
        verdict = "ok" if size / 1e6 <= SIZE_TARGET_MB else "OVER"
        report.append(
            f"size of the folder: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB), "
            f"target ≤ {SIZE_TARGET_MB:g} MB: {verdict}"
        )
        for line in report:
            say(line)

        if args.skip_smoke:
            say("smoke test skipped (--skip-smoke)")
        else:
            started = time.perf_counter()
            for line in smoke_test(out, args.target):
                say(line)
            times = start_times(program_dir(out, args.target), args.target)
            median = statistics.median(times)
            verdict = "ok" if median <= START_TARGET_S else "OVER"
            load = f"; load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
            say(
                f"start → start screen shown, offscreen: median {median:.3f} s of {len(times)} "
                f"({', '.join(f'{t:.3f}' for t in times)}), target ≤ {START_TARGET_S:g} s: "
                f"{verdict}{load}"
            )
            say(f"smoke test passed in {time.perf_counter() - started:.0f} s")

        if args.target == "linux":
            package = package_linux(out, work)
            say(check_linux_install(package))
        elif args.target == "windows":
            package = package_windows(out)
        else:
            package = package_macos(out)
        say(f"package: {package} ({package.stat().st_size / 1e6:.1f} MB)")
        say(f"build_installer.py finished in {time.perf_counter() - total:.0f} s")
        return 0
    except BuildFailed as failure:
        print(f"BUILD FAILED: {failure}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as timeout:
        print(f"BUILD FAILED: timed out: {' '.join(map(str, timeout.cmd))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
