"""The ``saferyp`` command as a user runs it: real workspaces, real spreadsheets.

Each failure must be one sentence on stderr, its own exit code, and every file left
exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from saferyp_desktop import errors
from saferyp_desktop.cli import main
from saferyp_desktop.domain.serialize import to_dict
from saferyp_desktop.services.workspace import Workspace

PASS = "correct horse battery staple"
NEW_PASS = "a different passphrase entirely"


@pytest.fixture(autouse=True)
def passphrase_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERYP_PASSPHRASE", PASS)
    monkeypatch.delenv("SAFERYP_NEW_PASSPHRASE", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def fingerprint_files(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One typical demo workspace, copied by the tests that need one."""
    from saferyp_desktop.services.demo import create_demo_workspace
    from saferyp_desktop.storage.database import use_fast_kdf_for_tests

    use_fast_kdf_for_tests(64)
    path = tmp_path_factory.mktemp("template") / "Demo.sypdb"
    create_demo_workspace(path, PASS, seed=1).close()
    return path


@pytest.fixture
def demo(tmp_path: Path, demo_template: Path) -> Path:
    path = tmp_path / "Demo.sypdb"
    shutil.copy(demo_template, path)
    return path


def comparable(workspace_path: Path) -> dict:
    """The mapping table by code, without ids or timestamps that a copy renews."""
    with Workspace.open(workspace_path, PASS) as ws:
        table = ws.table()
        code_of = {r.id: r.code for r in table.records.values()}

        def strip(data: dict) -> dict:
            return {
                k: v
                for k, v in data.items()
                if k not in ("id", "created", "updated", "recorded_at", "subject_id")
            }

        records = {}
        for r in table.records.values():
            data = strip(to_dict(r))
            for key in ("linked_ids",):
                if key in data:
                    data[key] = sorted(code_of[i] for i in data[key])
            if "members" in data:
                data["members"] = sorted(
                    (code_of[m["person_id"]], m["role"]) for m in data["members"]
                )
            if "meeting_id" in data and data["meeting_id"]:
                data["meeting_id"] = code_of[data["meeting_id"]]
            records[r.code] = data
        link_key = {}
        links = set()
        for link in table.links.values():
            key = (code_of[link.a_id], code_of[link.b_id], link.relation)
            link_key[link.id] = key
            links.add(
                (*key, link.confidence, link.note, str(link.last_confirmed), str(link.retired))
            )
        evidence = sorted(
            (
                code_of.get(e.subject_id) or str(link_key[e.subject_id]),
                e.observed.isoformat(),
                e.source,
                e.how_known,
                e.summary,
                e.recorded_by,
            )
            for e in table.evidence.values()
        )
        return {"records": records, "links": links, "evidence": evidence}


# -- the happy paths ------------------------------------------------------------


def test_new_then_key_prints_a_card_with_its_fingerprint(tmp_path: Path, capsys) -> None:
    path = tmp_path / "School.sypdb"
    code, out, err = run(
        capsys, "new", path, "--role", "school", "--name", "Test School", "--urn", "123456"
    )
    assert (code, err) == (0, "")
    fingerprint = out.split("Fingerprint: ")[1].strip()
    code, out, err = run(capsys, "key", path)
    assert code == 0
    assert "role: school" in out and "urn: 123456" in out
    assert f"fingerprint: {fingerprint}" in out
    code, out, err = run(capsys, "key", path, "--out", tmp_path / "school.sypkey")
    assert code == 0
    assert (tmp_path / "school.sypkey").read_text().count(fingerprint) == 1
    # An existing card (another workspace's, perhaps) is replaced only with --force.
    (tmp_path / "school.sypkey").write_text("the chair's card")
    code, out, err = run(capsys, "key", path, "--out", tmp_path / "school.sypkey")
    assert (code, out) == (20, "") and "add --force to replace it" in err
    assert (tmp_path / "school.sypkey").read_text() == "the chair's card"
    code, out, err = run(capsys, "key", path, "--out", tmp_path / "school.sypkey", "--force")
    assert code == 0 and fingerprint in (tmp_path / "school.sypkey").read_text()
    # An outcomes URN is checked before anything is opened or written.
    code, out, err = run(
        capsys, "outcomes", path, "--meeting", "2026-12-16", "--school", "99001"
    )
    assert (code, out) == (2, "") and "six digits" in err and err.count("\n") == 1
    assert not list(tmp_path.glob("outcomes-*"))
    # `new` has no --force: it does not suggest one.
    code, out, err = run(
        capsys, "new", path, "--role", "school", "--name", "Test School", "--urn", "123456"
    )
    assert code == 20 and "--force" not in err


def test_counts_are_said_in_good_english_and_help_lists_every_exit_code(
    tmp_path: Path, capsys
) -> None:
    code, out, _ = run(capsys, "demo", tmp_path / "a.sypdb")
    assert code == 0 and "1 meeting." in out  # the demo has one meeting
    assert "1 meetings" not in out
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert "  1  An unexpected problem" in help_text and "  0  success" in help_text


def test_demo_is_marked_and_the_same_for_the_same_seed(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "demo", tmp_path / "a.sypdb", "--seed", "3")
    assert code == 0 and "DEMO" in out and "fictional" in out
    with Workspace.open(tmp_path / "a.sypdb", PASS) as ws:
        assert ws.details.demo and "DEMO" in ws.details.name
        codes_a = sorted(r.code for r in ws.table().records.values())
        names_a = sorted(r.label_text() for r in ws.table().records.values())
    run(capsys, "demo", tmp_path / "b.sypdb", "--seed", "3")
    with Workspace.open(tmp_path / "b.sypdb", PASS) as ws:
        assert sorted(r.code for r in ws.table().records.values()) == codes_a
        assert sorted(r.label_text() for r in ws.table().records.values()) == names_a


def test_round_trip_demo_export_import_gives_the_same_table(
    tmp_path: Path, demo: Path, capsys
) -> None:
    sheet = tmp_path / "table.xlsx"
    assert run(capsys, "export-table", demo, sheet, "--level", "full")[0] == 0
    fresh = tmp_path / "Fresh.sypdb"
    assert (
        run(capsys, "new", fresh, "--role", "school", "--name", "Test School", "--urn", "123456")[0]
        == 0
    )
    code, out, err = run(capsys, "import-table", fresh, sheet)
    assert (code, err) == (0, ""), err
    assert "250 links" in out
    assert comparable(fresh) == comparable(demo)


def test_check_reports_integrity_and_findings(demo: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", demo)
    assert code == 0
    assert "intact" in out
    for title in ("Relevant", "Evidenced", "Current", "No name without a plan"):
        assert f"{title}:" in out


def test_passwd_changes_the_passphrase(demo: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    new_file = tmp_path / "new.txt"
    new_file.write_text(NEW_PASS + "\n")
    code, _, err = run(capsys, "passwd", demo, "--new-passphrase-file", new_file)
    assert (code, err) == (0, "")
    code, _, err = run(capsys, "check", demo)
    assert code == errors.WrongPassphrase.exit_code
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(NEW_PASS + "\n")
    assert run(capsys, "check", demo, "--passphrase-file", pass_file)[0] == 0


def test_exports_at_initials_and_codes_hold_no_full_names(
    tmp_path: Path, demo: Path, capsys
) -> None:
    with Workspace.open(demo, PASS) as ws:
        names = [
            r.label_text()
            for r in ws.table().records.values()
            if r.kind.value in ("young_person", "adult")
        ]
    for level in ("initials", "codes"):
        out = tmp_path / f"{level}.xlsx"
        assert run(capsys, "export-table", demo, out, "--level", level)[0] == 0
        cells = " ".join(
            str(c)
            for ws in openpyxl.load_workbook(out).worksheets
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c
        )
        leaked = [n for n in names if n in cells]
        assert leaked == []


# -- every bad input: one sentence, its own code, files untouched ---------------------------


def _assert_refused(
    folder: Path, before: dict, code: int, err: str, expected: type[errors.SaferypError]
) -> None:
    assert code == expected.exit_code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("."), err
    assert fingerprint_files(folder) == before


def _plain_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _cut(keep: int):
    def make(path: Path, demo: Path) -> None:
        path.write_bytes(demo.read_bytes()[:keep])

    return make


def _flip(offset_from_end: int):
    def make(path: Path, demo: Path) -> None:
        data = bytearray(demo.read_bytes())
        data[-offset_from_end] ^= 0xFF
        path.write_bytes(bytes(data))

    return make


BAD_WORKSPACES = {
    "empty": (lambda p, d: p.write_bytes(b""), errors.EmptyFile),
    "plain SQLite": (lambda p, d: _plain_sqlite(p), errors.PlainDatabase),
    "random": (lambda p, d: p.write_bytes(os.urandom(12_345)), errors.NotAWorkspace),
    "truncated": (_cut(5 * 4096 + 10), errors.WorkspaceDamaged),
    "corrupted page": (_flip(2048), errors.WorkspaceDamaged),
}


@pytest.mark.parametrize("case", list(BAD_WORKSPACES))
def test_bad_workspace_files(case: str, tmp_path: Path, demo: Path, capsys) -> None:
    make, expected = BAD_WORKSPACES[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    target = folder / "W.sypdb"
    make(target, demo)
    before = fingerprint_files(folder)
    code, _, err = run(capsys, "check", target)
    _assert_refused(folder, before, code, err, expected)


def test_wrong_passphrase(demo: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SAFERYP_PASSPHRASE", "not the passphrase")
    before = fingerprint_files(demo.parent)
    code, _, err = run(capsys, "check", demo)
    _assert_refused(demo.parent, before, code, err, errors.WrongPassphrase)


def test_no_passphrase_without_a_terminal(demo: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SAFERYP_PASSPHRASE")
    before = fingerprint_files(demo.parent)
    with open(os.devnull) as no_terminal:
        monkeypatch.setattr(sys, "stdin", no_terminal)
        code, _, err = run(capsys, "check", demo)
    _assert_refused(demo.parent, before, code, err, errors.PassphraseUnavailable)


def test_workspace_open_elsewhere(demo: Path, capsys) -> None:
    with Workspace.open(demo, PASS):
        code, _, err = run(capsys, "export-table", demo, demo.parent / "x.xlsx")
    assert code == errors.WorkspaceInUse.exit_code
    assert not (demo.parent / "x.xlsx").exists()


def test_new_refuses_an_existing_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "notes.sypdb"
    target.write_bytes(b"")
    before = fingerprint_files(tmp_path)
    code, _, err = run(
        capsys, "new", target, "--role", "school", "--name", "Test School", "--urn", "123456"
    )
    _assert_refused(tmp_path, before, code, err, errors.FileAlreadyExists)


def test_new_refuses_a_read_only_folder(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("chattr is not available to make a read-only folder as root")
    else:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, _, err = run(
            capsys,
            "new",
            folder / "W.sypdb",
            "--role",
            "school",
            "--name",
            "Test School",
            "--urn",
            "123456",
        )
        assert code == errors.ReadOnlyLocation.exit_code, err
        assert list(folder.iterdir()) == []
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(stat.S_IRWXU)


@pytest.mark.parametrize(
    "argv, expected",
    [
        (
            ["new", "x.sypdb", "--role", "school", "--name", "Test School", "--urn", "12"],
            errors.UsageError,
        ),
        (["new", "x.sypdb", "--role", "teacher"], errors.UsageError),
        (["frobnicate", "x.sypdb"], errors.UsageError),
        ([], errors.UsageError),
    ],
)
def test_usage_mistakes(argv, expected, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    _assert_refused(tmp_path, {}, code, err, expected)


def test_a_short_new_passphrase_is_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SAFERYP_PASSPHRASE", "short")
    code, _, err = run(
        capsys,
        "new",
        tmp_path / "W.sypdb",
        "--role",
        "school",
        "--name",
        "Test School",
        "--urn",
        "123456",
    )
    _assert_refused(tmp_path, {}, code, err, errors.UsageError)
    assert "10 characters" in err


# -- spreadsheets ------------------------------------------------------------------


def _exported(tmp_path: Path, demo: Path, capsys) -> Path:
    sheet = tmp_path / "table.xlsx"
    assert run(capsys, "export-table", demo, sheet, "--level", "full")[0] == 0
    return sheet


def _edit(sheet: Path, change) -> None:
    book = openpyxl.load_workbook(sheet)
    change(book)
    book.save(sheet)


def _header_index(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


SPREADSHEET_FAULTS = {
    "missing sheet": (lambda b: b.remove(b["Adults"]), errors.SpreadsheetLayout, "Adults"),
    "wrong columns": (
        lambda b: b["Locations"].cell(1, 2, "Colour"),
        errors.SpreadsheetLayout,
        "Locations",
    ),
    "bad date": (
        lambda b: b["Evidence"].cell(2, _header_index(b["Evidence"], "Observed"), "31/02/2026"),
        errors.SpreadsheetInvalid,
        "“Evidence”, row 2",
    ),
    "unknown category": (
        lambda b: b["Adults"].cell(2, _header_index(b["Adults"], "Harm categories"), "Gardening"),
        errors.SpreadsheetInvalid,
        "“Adults”, row 2",
    ),
    "link to nothing": (
        lambda b: b["Links"].cell(2, _header_index(b["Links"], "To"), "AD-99"),
        errors.SpreadsheetInvalid,
        "“Links”, row 2",
    ),
}


@pytest.mark.parametrize("case", list(SPREADSHEET_FAULTS))
def test_bad_spreadsheets_import_nothing(case: str, tmp_path: Path, demo: Path, capsys) -> None:
    change, expected, where = SPREADSHEET_FAULTS[case]
    sheet = _exported(tmp_path, demo, capsys)
    _edit(sheet, change)
    target = tmp_path / "target"
    target.mkdir()
    fresh = target / "Fresh.sypdb"
    run(capsys, "new", fresh, "--role", "school", "--name", "Test School", "--urn", "123456")
    before = fingerprint_files(target)
    code, _, err = run(capsys, "import-table", fresh, sheet)
    assert code == expected.exit_code, err
    first, *problems = err.strip().splitlines()
    assert first.endswith("nothing was imported.")
    assert any(where in p for p in problems), problems
    assert fingerprint_files(target) == before


def test_a_file_that_is_not_a_spreadsheet(tmp_path: Path, demo: Path, capsys) -> None:
    junk = tmp_path / "table.xlsx"
    junk.write_bytes(os.urandom(5000))
    before = fingerprint_files(demo.parent)
    code, _, err = run(capsys, "import-table", demo, junk)
    _assert_refused(demo.parent, before, code, err, errors.SpreadsheetUnreadable)


def test_export_does_not_replace_a_file_unless_forced(tmp_path: Path, demo: Path, capsys) -> None:
    out = tmp_path / "mine.xlsx"
    out.write_bytes(b"precious")
    code, _, err = run(capsys, "export-table", demo, out)
    assert code == errors.FileAlreadyExists.exit_code
    assert out.read_bytes() == b"precious"
    assert run(capsys, "export-table", demo, out, "--force")[0] == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Read me"


def test_csv_export_of_one_sheet(tmp_path: Path, demo: Path, capsys) -> None:
    out = tmp_path / "adults.csv"
    assert run(capsys, "export-table", demo, out, "--sheet", "Adults", "--level", "codes")[0] == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Code,")
    assert len(lines) == 21  # header + 20 adults


# -- nothing readable on disk --------------------------------------------------------


def test_no_name_appears_in_the_workspace_or_beside_it(tmp_path: Path, demo: Path) -> None:
    ws = Workspace.open(demo, PASS)
    try:
        names = {
            r.label_text()
            for r in ws.table().records.values()
            if r.kind.value in ("young_person", "adult", "peer_group", "location")
        }
        names |= {"Fernbridge", "DEMO", "Fictional demo record"}
        # Write while open so the -wal holds fresh pages too.
        record = next(iter(ws.table().records.values()))
        record.notes = "Fictional demo record, edited."
        ws.save(record)
        on_disk = b"".join(p.read_bytes() for p in demo.parent.rglob("*") if p.is_file())
        assert len(on_disk) > 100_000
    finally:
        ws.close()
    on_disk_after = b"".join(p.read_bytes() for p in demo.parent.rglob("*") if p.is_file())
    for blob in (on_disk, on_disk_after):
        found = [n for n in names if n.encode("utf-8") in blob or n.encode("utf-16-le") in blob]
        assert found == []


def test_the_command_prints_exit_codes_in_its_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for code, _ in errors.exit_code_table():
        assert f"  {code:>3}  " in out


def test_briefing_command_writes_a_marked_pdf_at_initials(
    tmp_path: Path, demo: Path, capsys
) -> None:
    out = tmp_path / "brief.pdf"
    code, stdout, err = run(capsys, "briefing", demo, "--out", out)
    assert (code, err) == (0, ""), err
    assert "initials" in stdout
    assert subprocess.run(["qpdf", "--check", str(out)], capture_output=True).returncode == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "OFFICIAL-SENSITIVE" in text
    with Workspace.open(demo, PASS) as ws:
        names = [
            r.label_text() for r in ws.table().records.values() if r.kind.value == "young_person"
        ]
    assert [n for n in names if n in text] == []
    code, _, err = run(capsys, "briefing", demo, "--out", out)
    assert code == errors.FileAlreadyExists.exit_code


def test_briefing_for_a_meeting_that_does_not_exist(tmp_path: Path, demo: Path, capsys) -> None:
    code, _, err = run(
        capsys, "briefing", demo, "--out", tmp_path / "b.pdf", "--meeting", "2031-01-01"
    )
    assert code == errors.RecordNotFound.exit_code
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b.pdf").exists()


@pytest.mark.parametrize("command", ["key", "briefing"])
def test_an_export_never_replaces_a_workspace(command: str, tmp_path: Path, demo: Path, capsys) -> None:
    other = tmp_path / "Other.sypdb"
    shutil.copy(demo, other)
    before = fingerprint_files(tmp_path)
    for target in (demo, other):
        argv = [command, demo, "--out", target]
        if command == "briefing":
            argv.append("--force")
        code, _, err = run(capsys, *argv)
        assert code == errors.UsageError.exit_code, err
        assert "workspace" in err
    assert fingerprint_files(tmp_path) == before
    assert run(capsys, "check", demo)[0] == 0


def test_an_empty_workspace_exports_the_template_that_imports_back(tmp_path: Path, capsys) -> None:
    """The README's way to get a template: export an empty workspace, fill it in, import it."""
    path = tmp_path / "School.sypdb"
    run(capsys, "new", path, "--role", "school", "--name", "Test School", "--urn", "123456")
    template = tmp_path / "template.xlsx"
    assert run(capsys, "export-table", path, template)[0] == 0  # the default level, initials
    book = openpyxl.load_workbook(template)
    sheet = book["Young people"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(2, headers.index("Name") + 1, "Test Pupil One")
    sheet.cell(2, headers.index("Year group") + 1, 9)
    book.save(template)
    code, out, err = run(capsys, "import-table", path, template)
    assert (code, err) == (0, ""), err
    with Workspace.open(path, PASS) as ws:
        assert [r.label_text() for r in ws.table().records.values()] == ["Test Pupil One"]
