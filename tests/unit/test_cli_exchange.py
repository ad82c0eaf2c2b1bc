"""``saferyp trust``, ``bundle`` and ``open`` as people run them, with real files.

A school sends its mapping table to the chair; the chair verifies and imports it. Every
refusal is one sentence on stderr with its own exit code, and leaves the chair's
workspace, every file beside it and the temporary folder exactly as they were: nothing
decrypted ever reaches the disk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlcipher3

from saferyp_desktop.cli import main
from saferyp_desktop.crypto.bundle_passphrase import wordlist
from saferyp_desktop.crypto.keys import WorkspaceKeys
from saferyp_desktop.domain.records import Meeting
from saferyp_desktop.services import exchange
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.storage import migrations
from saferyp_desktop.storage.backups import list_backups
from saferyp_desktop.storage.database import use_fast_kdf_for_tests

PASS = "correct horse battery staple"
BRIEFING = "saferyp_desktop.services.briefing"
FAST_KDF = 64


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The workspace passphrase in the variable, no bundle passphrase, bundles without the
    PDF (it has tests of its own and takes seconds), and a private temporary folder."""
    monkeypatch.setenv("SAFERYP_PASSPHRASE", PASS)
    monkeypatch.delenv("SAFERYP_BUNDLE_PASSPHRASE", raising=False)
    from saferyp_desktop.services import exchange

    monkeypatch.setattr(exchange, "_briefing", lambda workspace, meeting, positions: None)
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    return private


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def new_school(capsys: pytest.CaptureFixture[str], path: Path, urn: str, chair_card: Path) -> None:
    """A new school workspace (its own key) with the given URN, a meeting next week and
    the chair set: as a school that set up again, or an impostor, would have."""
    code, _, _ = run(capsys, "new", path, "--role", "school", "--name", "School", "--urn", urn)
    assert code == 0
    with Workspace.open(path, PASS) as ws:
        ws.save(Meeting(date=date.today() + timedelta(days=7)))
    assert run(capsys, "trust", path, chair_card)[0] == 0


def snapshot(where: Path) -> dict[str, str]:
    """Every file under a folder (backups too), or one file, by its SHA-256."""
    if where.is_file():
        return {where.name: hashlib.sha256(where.read_bytes()).hexdigest()}
    return {
        str(p.relative_to(where)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(where.rglob("*"))
        if p.is_file()
    }


def value_after(text: str, label: str) -> str:
    return text.split(label, 1)[1].split("\n", 1)[0].strip()


def one_sentence(err: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err


# -- the whole path, step by step -----------------------------------------------------------
def test_school_to_chair_through_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chair_dir, school_dir, mail = (tmp_path / n for n in ("chair", "school", "mail"))
    for folder in (chair_dir, school_dir, mail):
        folder.mkdir()
    chair = chair_dir / "Chair.sypdb"

    # The chair: a workspace with no URN, and its key card for the schools.
    code, out, err = run(
        capsys, "new", chair, "--role", "chair", "--name", "Sam Chair", "--organisation", "Council"
    )
    assert (code, err) == (0, "")
    chair_fp = value_after(out, "Fingerprint: ")
    code, out, _ = run(capsys, "key", chair, "--out", mail / "chair.sypkey")
    assert code == 0
    card = (mail / "chair.sypkey").read_text()
    assert "role: chair" in card and "urn:" not in card and f"fingerprint: {chair_fp}" in card

    # The school trusts the chair's card and sends its bundle.
    school = school_dir / "School.sypdb"
    assert run(capsys, "demo", school, "--seed", "1")[0] == 0
    code, out, err = run(capsys, "trust", school, mail / "chair.sypkey")
    assert (code, err) == (0, "")
    with Workspace.open(chair, PASS) as ws:
        chair_recipient = ws.keys().age_recipient
    assert chair_recipient in out and chair_fp in out and "Sam Chair" in out
    code, out, _ = run(capsys, "key", school)
    school_fp = value_after(out, "fingerprint: ")
    urn = value_after(out, "urn: ")

    code, out, err = run(capsys, "bundle", school, "--out", mail / "sub1.sypbundle")
    assert (code, err) == (0, "")
    assert "bundle 1 " in out and "(full names)" in out
    assert chair_recipient in out and school_fp in out
    assert "passphrase" not in out

    # The chair: a first bundle is refused until the fingerprint is confirmed.
    before = snapshot(chair_dir), snapshot(mail)
    code, out, err = run(capsys, "open", chair, mail / "sub1.sypbundle")
    assert (code, out) == (71, "")
    one_sentence(err)
    assert school_fp in err and f"--accept-new-key {school_fp}" in err
    assert (snapshot(chair_dir), snapshot(mail)) == before

    code, out, err = run(
        capsys, "open", chair, mail / "sub1.sypbundle", "--accept-new-key", school_fp.lower()
    )
    assert (code, err) == (0, "")
    assert "Opened submission 1: bundle 1 " in out and f"(URN {urn})" in out
    assert "now trusted" in out and "DEMO" in out and "Checks: Relevant" in out

    # The same bundle again: refused, nothing changes.
    before = snapshot(chair_dir), snapshot(mail)
    code, out, err = run(capsys, "open", chair, mail / "sub1.sypbundle")
    assert (code, out) == (74, "")
    one_sentence(err)
    assert (snapshot(chair_dir), snapshot(mail)) == before

    # A second bundle from the school supersedes the first; both stay on record.
    code, out, _ = run(
        capsys, "bundle", school, "--out", mail / "sub2.sypbundle", "--level", "initials"
    )
    assert code == 0 and "bundle 2 " in out and "(initials)" in out
    code, out, err = run(capsys, "open", chair, mail / "sub2.sypbundle")
    assert (code, err) == (0, "")
    assert "Opened submission 2" in out and "supersedes submission 1" in out
    assert "trusted key" in out and "now trusted" not in out
    with Workspace.open(chair, PASS) as ws:
        first, second = exchange.submissions(ws)
        assert (first.superseded_by, second.superseded_by) == (second.id, None)
        assert (first.sequence, second.sequence) == (1, 2)
        for summary in (first, second):
            exchange.reverify_submission(ws, summary.id)

    # Another school's workspace with the first school's URN but its own key: refused.
    impostor = school_dir / "Impostor.sypdb"
    new_school(capsys, impostor, urn, mail / "chair.sypkey")
    code, out, _ = run(capsys, "bundle", impostor, "--out", mail / "fake.sypbundle")
    assert code == 0
    impostor_fp = value_after(out, "confirms it by phone): ")
    assert impostor_fp != school_fp
    before = snapshot(chair_dir), snapshot(mail)
    for extra in ([], ["--accept-new-key", impostor_fp]):
        code, out, err = run(capsys, "open", chair, mail / "fake.sypbundle", *extra)
        assert (code, out) == (72, "")
        one_sentence(err)
        assert impostor_fp in err and school_fp in err
    assert (snapshot(chair_dir), snapshot(mail)) == before

    # A school with no chair set yet: a passphrase bundle, six words read out by phone.
    other = school_dir / "Other.sypdb"
    assert run(capsys, "demo", other, "--seed", "2")[0] == 0
    code, out, err = run(capsys, "bundle", other, "--out", mail / "phone.sypbundle")
    assert (code, err) == (0, "")
    assert "No chair is set" in out and "age1" not in out
    lines = out.splitlines()
    words = lines[lines.index("chair by phone; never send it with the bundle:") + 1].split()
    assert len(words) == 6 and set(words) <= set(wordlist())
    other_fp = value_after(out, "confirms it by phone): ")
    before = snapshot(chair_dir), snapshot(mail)
    code, out, err = run(
        capsys, "open", chair, mail / "phone.sypbundle", "--accept-new-key", other_fp
    )
    assert (code, out) == (55, "")
    one_sentence(err)
    assert "SAFERYP_BUNDLE_PASSPHRASE" in err
    assert (snapshot(chair_dir), snapshot(mail)) == before
    monkeypatch.setenv("SAFERYP_BUNDLE_PASSPHRASE", "-".join(words).upper())
    code, out, err = run(
        capsys, "open", chair, mail / "phone.sypbundle", "--accept-new-key", other_fp
    )
    assert (code, err) == (0, "")
    assert "Opened submission 3" in out
    other_urn = value_after(run(capsys, "key", other)[1], "urn: ")
    with Workspace.open(chair, PASS) as ws:
        assert [s.urn for s in exchange.submissions(ws)] == [urn, urn, other_urn]
        assert [t.urn for t in ws.repo.trusted_senders()] == sorted([urn, other_urn])
        assert ws.repo.trusted_sender(urn).fingerprint == school_fp


def test_interop_the_age_tool_decrypts_a_bundle_with_the_chair_identity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    age = shutil.which("age")
    if age is None:
        pytest.skip("the age command is not installed")
    chair, school = tmp_path / "Chair.sypdb", tmp_path / "School.sypdb"
    assert run(capsys, "new", chair, "--role", "chair", "--name", "Sam Chair")[0] == 0
    assert run(capsys, "key", chair, "--out", tmp_path / "chair.sypkey")[0] == 0
    assert run(capsys, "demo", school)[0] == 0
    assert run(capsys, "trust", school, tmp_path / "chair.sypkey")[0] == 0
    assert run(capsys, "bundle", school, "--out", tmp_path / "sub.sypbundle")[0] == 0
    with Workspace.open(chair, PASS) as ws:
        identity = ws.keys().age_identity
    key = tmp_path / "chair-identity.txt"
    key.write_text(identity + "\n")
    key.chmod(0o600)
    done = subprocess.run(
        [
            age,
            "-d",
            "-i",
            str(key),
            "-o",
            str(tmp_path / "sub.zip"),
            str(tmp_path / "sub.sypbundle"),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "sub.zip") as archive:
        assert archive.namelist() == ["manifest.json", "manifest.sig", "mapping.json"]
        assert b'"kind": "submission"' in archive.read("manifest.json")
        assert b'"format":"saferyp-mapping"' in archive.read("mapping.json")


# -- hostile and broken bundles ----------------------------------------------------------------
@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A chair's workspace and bundles made for it, for the hostile-bundle tests to copy."""
    use_fast_kdf_for_tests(FAST_KDF)
    folder = tmp_path_factory.mktemp("kit")
    chair = Workspace.create(
        folder / "Chair.sypdb", PASS, WorkspaceDetails(role="chair", name="Sam Chair")
    )
    stranger = Workspace.create(
        folder / "Stranger.sypdb", PASS, WorkspaceDetails(role="chair", name="Another chair")
    )
    with create_demo_workspace(folder / "School.sypdb", PASS, seed=1) as school:
        passphrase_bundle = exchange.export_bundle(
            school, folder / "phone.sypbundle", include_briefing=False
        )
        exchange.set_chair(school, stranger.key_card())
        exchange.export_bundle(school, folder / "elsewhere.sypbundle", include_briefing=False)
        exchange.set_chair(school, chair.key_card())
        exchange.export_bundle(school, folder / "good.sypbundle", include_briefing=False)
        fingerprint = school.keys().fingerprint
    chair.close()
    stranger.close()
    return {
        "folder": folder,
        "fingerprint": fingerprint,
        "passphrase": passphrase_bundle.passphrase,
        "good": (folder / "good.sypbundle").read_bytes(),
        "elsewhere": (folder / "elsewhere.sypbundle").read_bytes(),
        "phone": (folder / "phone.sypbundle").read_bytes(),
    }


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


HOSTILE = {
    # name: (the bundle's bytes from the kit, extra arguments, bundle passphrase, exit code)
    "truncated": (lambda k: k["good"][: len(k["good"]) // 2], [], None, 52),
    "cut in its header": (lambda k: k["good"][:40], [], None, 52),
    "payload byte flipped": (lambda k: _flip(k["good"], len(k["good"]) - 20), [], None, 52),
    "first payload byte flipped": (
        lambda k: _flip(k["good"], k["good"].index(b"\n---") + 60),
        [],
        None,
        52,
    ),  # fmt: skip
    "for another recipient": (lambda k: k["elsewhere"], [], None, 53),
    "not age at all": (lambda k: b"PK\x03\x04" + bytes(200), [], None, 51),
    "empty": (lambda k: b"", [], None, 51),
    "armored": (lambda k: b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n", [], None, 51),
    "wrong passphrase": (lambda k: k["phone"], [], "these are not the right words", 54),
    "no passphrase given": (lambda k: k["phone"], [], None, 55),
    "wrong fingerprint": (
        lambda k: k["good"],
        ["--accept-new-key", WorkspaceKeys.generate().fingerprint],
        None,
        73,
    ),  # fmt: skip
    "not a fingerprint": (lambda k: k["good"], ["--accept-new-key", "hello"], None, 2),
    "unknown signer": (lambda k: k["good"], [], None, 71),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_bundles_change_nothing_and_leave_nothing(
    case: str,
    kit: dict,
    tmp_path: Path,
    environment: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make, extra, passphrase, expected = HOSTILE[case]
    chair_dir, inbox = tmp_path / "chair", tmp_path / "inbox"
    chair_dir.mkdir()
    inbox.mkdir()
    shutil.copy(kit["folder"] / "Chair.sypdb", chair_dir / "Chair.sypdb")
    (inbox / "sub.sypbundle").write_bytes(make(kit))
    if passphrase:
        monkeypatch.setenv("SAFERYP_BUNDLE_PASSPHRASE", passphrase)
    before = snapshot(chair_dir), snapshot(inbox), sorted(os.listdir(environment))
    code, out, err = run(capsys, "open", chair_dir / "Chair.sypdb", inbox / "sub.sypbundle", *extra)
    assert (code, out) == (expected, ""), err
    one_sentence(err)
    after = snapshot(chair_dir), snapshot(inbox), sorted(os.listdir(environment))
    assert after == before
    assert sorted(os.listdir(chair_dir)) == ["Chair.sypdb"]
    assert os.listdir(environment) == []


def test_the_good_kit_bundles_do_open(kit: dict, tmp_path: Path, capsys) -> None:
    """The hostile cases above fail for the reason given, not because the kit is broken."""
    shutil.copy(kit["folder"] / "Chair.sypdb", tmp_path / "Chair.sypdb")
    passphrase_file = tmp_path / "words.txt"
    passphrase_file.write_text(kit["passphrase"] + "\n")
    (tmp_path / "phone.sypbundle").write_bytes(kit["phone"])  # number 1 from the school
    (tmp_path / "good.sypbundle").write_bytes(kit["good"])  # number 3
    code, out, err = run(
        capsys, "open", tmp_path / "Chair.sypdb", tmp_path / "phone.sypbundle",
        "--bundle-passphrase-file", passphrase_file, "--accept-new-key", kit["fingerprint"],
    )  # fmt: skip
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "open", tmp_path / "Chair.sypdb", tmp_path / "good.sypbundle")
    assert (code, err) == (0, "")
    assert "supersedes submission 1" in out
    (tmp_path / "elsewhere.sypbundle").write_bytes(kit["elsewhere"])  # number 2: for another
    code, out, err = run(capsys, "open", tmp_path / "Chair.sypdb", tmp_path / "elsewhere.sypbundle")
    assert code == 53


def test_a_huge_file_is_refused_before_it_is_read(
    kit: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(kit["folder"] / "Chair.sypdb", tmp_path / "Chair.sypdb")
    (tmp_path / "inbox").mkdir()
    huge = tmp_path / "inbox" / "huge.sypbundle"
    with huge.open("wb") as handle:
        handle.truncate(10 * 1024**3)  # sparse: no disk used
    before = snapshot(tmp_path / "Chair.sypdb"), sorted(os.listdir(tmp_path))
    code, out, err = run(capsys, "open", tmp_path / "Chair.sypdb", huge)
    assert (code, out) == (50, "")
    one_sentence(err)
    assert (snapshot(tmp_path / "Chair.sypdb"), sorted(os.listdir(tmp_path))) == before


# -- the other commands' edges ------------------------------------------------------------------
def test_trust_bundle_and_open_edges(
    kit: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(kit["folder"] / "Chair.sypdb", tmp_path / "Chair.sypdb")
    shutil.copy(kit["folder"] / "School.sypdb", tmp_path / "School.sypdb")
    chair, school = tmp_path / "Chair.sypdb", tmp_path / "School.sypdb"

    # A chair has no URN, and trusts schools by opening their bundles, not with `trust`.
    code, _, err = run(capsys, "new", tmp_path / "C2.sypdb", "--role", "chair", "--name", "X",
                       "--urn", "123456")  # fmt: skip
    assert code == 2 and "no URN" in err and not (tmp_path / "C2.sypdb").exists()
    with Workspace.open(chair, PASS) as ws:
        recipient = ws.keys().age_recipient
    code, _, err = run(capsys, "trust", chair, recipient)
    assert code == 2
    one_sentence(err)

    # A plain recipient works, with a warning that the chair's signature cannot be checked.
    code, out, err = run(capsys, "trust", school, recipient)
    assert code == 0 and recipient in out and "Replaced the chair" in out
    assert "cannot be checked" in err
    code, _, err = run(capsys, "trust", school, recipient[:-2])
    assert code == 76
    one_sentence(err)
    code, _, err = run(capsys, "trust", school, tmp_path / "no-such.sypkey")
    assert code == 2
    one_sentence(err)

    # No --out: the suggested name, in the current folder, and no overwriting unless forced.
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "bundle", school, "--no-briefing")
    assert (code, err) == (0, "")
    (written,) = tmp_path.glob("submission-*.sypbundle")
    assert written.name.startswith("submission-990001-") and written.name in out
    before = snapshot(tmp_path)
    code, out, err = run(capsys, "bundle", school)
    assert (code, out) == (20, "")
    one_sentence(err)
    assert "add --force to replace it" in err
    assert snapshot(tmp_path) == before
    code, out, err = run(capsys, "bundle", school, "--force", "--level", "codes")
    assert (code, err) == (0, "") and "bundle 5 " in out and "(codes only)" in out
    code, _, err = run(capsys, "bundle", school, "--meeting", "1999-01-01", "--out", "x.sypbundle")
    assert code == 41 and not (tmp_path / "x.sypbundle").exists()
    # A date written day first is read back the way the program wants it.
    code, _, err = run(capsys, "bundle", school, "--meeting", "16/12/2026", "--out", "x.sypbundle")
    assert code == 2 and "2026-12-16" in err and not (tmp_path / "x.sypbundle").exists()
    one_sentence(err)
    code, _, err = run(capsys, "pack", chair, "--meeting", "16.12.2026", "--out", "p.pdf")
    assert code == 2 and "2026-12-16" in err and not (tmp_path / "p.pdf").exists()
    code, _, err = run(capsys, "bundle", chair, "--out", "y.sypbundle")
    assert code == 2 and not (tmp_path / "y.sypbundle").exists()

    # A school's workspace opens outcomes, not submissions (its own is sealed to it too).
    code, out, err = run(capsys, "open", school, written)
    assert (code, out) == (68, "") and "outcomes" in err


def test_a_schools_new_key_is_replaced_with_the_fingerprint_read_out_by_phone(
    kit: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chair_dir, mail = tmp_path / "chair", tmp_path / "mail"
    chair_dir.mkdir(), mail.mkdir()
    chair, school = chair_dir / "Chair.sypdb", tmp_path / "School.sypdb"
    shutil.copy(kit["folder"] / "Chair.sypdb", chair)
    shutil.copy(kit["folder"] / "School.sypdb", school)
    (mail / "good.sypbundle").write_bytes(kit["good"])
    old_fp = kit["fingerprint"]
    assert run(capsys, "open", chair, mail / "good.sypbundle", "--accept-new-key", old_fp)[0] == 0
    assert run(capsys, "key", chair, "--out", mail / "chair.sypkey")[0] == 0
    urn = value_after(run(capsys, "key", school)[1], "urn: ")

    # The school sets up a new workspace (same URN, new key) and sends its first bundle.
    new = tmp_path / "New.sypdb"
    new_school(capsys, new, urn, mail / "chair.sypkey")
    new_fp = value_after(run(capsys, "key", new)[1], "fingerprint: ")
    code, out, _ = run(capsys, "bundle", new, "--out", mail / "new1.sypbundle")
    assert code == 0 and "bundle 1 " in out

    # Refused with what to do; a wrong, malformed or doubled fingerprint changes nothing.
    before = snapshot(chair_dir), snapshot(mail)
    code, out, err = run(capsys, "open", chair, mail / "new1.sypbundle")
    assert (code, out) == (72, "")
    one_sentence(err)
    assert f"--replace-key {new_fp}" in err and old_fp in err and "number you already have" in err
    for extra, expected in (
        (["--accept-new-key", new_fp], 72),
        (["--replace-key", old_fp], 73),
        (["--replace-key", "hello"], 2),
        (["--replace-key", new_fp, "--accept-new-key", new_fp], 2),
    ):
        code, out, err = run(capsys, "open", chair, mail / "new1.sypbundle", *extra)
        assert (code, out) == (expected, ""), extra
        one_sentence(err)
    assert (snapshot(chair_dir), snapshot(mail)) == before

    # The fingerprint as read out by phone: opened, and the new key trusted from now on.
    spoken = new_fp.lower().replace("-", " ")
    code, out, err = run(capsys, "open", chair, mail / "new1.sypbundle", "--replace-key", spoken)
    assert (code, err) == (0, "")
    assert "Opened submission 2: bundle 1 " in out and f"(URN {urn})" in out
    assert f"Fingerprint {new_fp} confirmed" in out
    assert f"replaces the key with fingerprint {old_fp}" in out
    code, out, err = run(capsys, "open", chair, mail / "new1.sypbundle", "--replace-key", new_fp)
    assert (code, out) == (74, "")
    with Workspace.open(chair, PASS) as ws:
        assert ws.repo.trusted_sender(urn).fingerprint == new_fp
        assert ws.repo.audit_events()[-2][1:] == ("school key replaced", [urn, old_fp, new_fp])
        for summary in exchange.submissions(ws):
            exchange.reverify_submission(ws, summary.id)

    # The old laptop's next bundle is refused now.
    assert run(capsys, "bundle", school, "--out", mail / "old.sypbundle", "--no-briefing")[0] == 0
    before = snapshot(chair_dir)
    code, out, err = run(capsys, "open", chair, mail / "old.sypbundle")
    assert (code, out) == (72, "")
    assert f"--replace-key {old_fp}" in err and new_fp in err
    assert snapshot(chair_dir) == before


def test_help_names_the_new_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in ("trust", "bundle", "open"):
        assert f"    {name}" in out
    for code in ("50", "55", "71", "72", "74", "76"):
        assert f"  {code}  " in out
    with pytest.raises(SystemExit):
        main(["open", "--help"])
    out = capsys.readouterr().out
    assert "--accept-new-key FINGERPRINT" in out and "--replace-key FINGERPRINT" in out


# -- migration 2 -----------------------------------------------------------------------------
def _raw_version(path: Path) -> int:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = '{PASS}'")
        conn.execute(f"PRAGMA kdf_iter = {FAST_KDF}")
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_version_1_workspaces_migrate_to_2_with_a_backup(
    kit: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    school, chair = tmp_path / "Old school.sypdb", tmp_path / "Old chair.sypdb"
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        create_demo_workspace(school, PASS, seed=1).close()
        Workspace.create(chair, PASS, WorkspaceDetails(role="chair", name="Old chair")).close()
    assert _raw_version(school) == _raw_version(chair) == 1
    with Workspace.open(school, PASS) as ws:
        counts = ws.table().counts()

    code, out, err = run(capsys, "trust", school, kit["folder"] / "good.sypbundle")
    assert code == 43  # not a key card: refused, but the workspace was opened and migrated
    with Workspace.open(chair, PASS) as ws:
        card = ws.key_card().to_text()
    (tmp_path / "chair.sypkey").write_text(card)
    assert run(capsys, "trust", school, tmp_path / "chair.sypkey")[0] == 0
    assert run(capsys, "bundle", school, "--out", tmp_path / "b.sypbundle")[0] == 0
    with Workspace.open(school, PASS) as ws:
        assert ws.db.schema_version == migrations.latest_version()
        assert ws.table().counts() == counts
        fingerprint = ws.keys().fingerprint
    code, out, err = run(
        capsys, "open", chair, tmp_path / "b.sypbundle", "--accept-new-key", fingerprint
    )
    assert (code, err) == (0, "")
    for path in (school, chair):
        (backup,) = list_backups(path)
        assert _raw_version(backup) == 1 and _raw_version(path) == migrations.latest_version()
        assert backup.parent.name == f"{path.name}-backups"
