"""The exchange service: a school's chair, its bundles, and a chair's inbox, with real
workspaces, real keys and real age (no Qt, no command line)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from saferyp_desktop import errors
from saferyp_desktop.crypto.bundle import SenderInfo, read_bundle, write_bundle
from saferyp_desktop.crypto.keys import WorkspaceKeys
from saferyp_desktop.crypto.schemas import MAPPING_SCHEMA, schema_problem
from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.domain.records import Adult, Kind, Meeting, MeetingStatus, YoungPerson
from saferyp_desktop.services import exchange
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.storage.database import use_fast_kdf_for_tests

PASS = "correct horse battery staple"
BRIEFING = "saferyp_desktop.services.briefing"


MAKE_BRIEFING = exchange._briefing


@pytest.fixture(autouse=True)
def no_briefing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bundles here travel without the PDF (it takes seconds to draw and has tests of its
    own), unless a test puts the real maker back."""
    monkeypatch.setattr(exchange, "_briefing", lambda workspace, meeting, positions: None)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    use_fast_kdf_for_tests(64)
    folder = tmp_path_factory.mktemp("templates")
    create_demo_workspace(folder / "School.sypdb", PASS, seed=1).close()
    create_demo_workspace(folder / "Other.sypdb", PASS, seed=2).close()
    Workspace.create(
        folder / "Chair.sypdb",
        PASS,
        WorkspaceDetails(role="chair", name="Sam Chair", organisation="Wiltshire Council"),
    ).close()
    return folder


def _open_copy(templates: Path, tmp_path: Path, name: str) -> Workspace:
    folder = tmp_path / name.lower()
    folder.mkdir(exist_ok=True)
    shutil.copy(templates / f"{name}.sypdb", folder / f"{name}.sypdb")
    return Workspace.open(folder / f"{name}.sypdb", PASS)


@pytest.fixture
def school(templates: Path, tmp_path: Path) -> Iterator[Workspace]:
    with _open_copy(templates, tmp_path, "School") as ws:
        yield ws


@pytest.fixture
def other_school(templates: Path, tmp_path: Path) -> Iterator[Workspace]:
    with _open_copy(templates, tmp_path, "Other") as ws:
        yield ws


@pytest.fixture
def chair(templates: Path, tmp_path: Path) -> Iterator[Workspace]:
    with _open_copy(templates, tmp_path, "Chair") as ws:
        yield ws


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


def chair_card(chair: Workspace, folder: Path) -> Path:
    path = folder / "chair.sypkey"
    path.write_text(chair.key_card().to_text(), encoding="utf-8")
    return path


def files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def exchange_state(ws: Workspace) -> tuple:
    rows = ws.db.query("SELECT bundle_id, superseded_by FROM submissions ORDER BY id")
    senders = ws.db.query("SELECT urn FROM trusted_senders")
    return rows, senders, len(ws.repo.audit_events())


# -- the mapping document ----------------------------------------------------------------
@pytest.mark.parametrize("level", list(DataLevel))
def test_mapping_document_follows_the_schema_at_every_level(school: Workspace, level) -> None:
    meeting = exchange.find_meeting(school)
    document = exchange.mapping_document(school, level, meeting)
    assert schema_problem(MAPPING_SCHEMA, document) is None
    assert document["data_level"] == level.value
    assert document["demo"] is True
    assert document["school"]["urn"] == school.details.urn
    assert document["meeting_date"] == meeting.date.isoformat()
    table = exchange.table_from_mapping(document)  # every reference inside the document
    active = {r.code for r in school.table().records.values() if r.active}
    assert {r.code for r in table.records.values()} == active

    text = json.dumps(document, ensure_ascii=False)
    people = [r.name for r in school.table().records.values() if isinstance(r, YoungPerson | Adult)]
    if level == DataLevel.FULL:
        assert all(name in text for name in people)
        return
    assert not [name for name in people if f'"{name}"' in text]
    assert school.details.dsl not in text
    if level == DataLevel.CODES:
        assert all(link["note"] == "" for link in document["links"])
        assert all(item["summary"] == "" for item in document["evidence"])
        assert all(item["recorded_by"] == "" for item in document["evidence"])
        assert all(r["notes"] == "" for rs in document["records"].values() for r in rs)
        for concern in document["records"]["key_concern"]:
            assert concern["text"] == concern["code"]


def test_mapping_document_leaves_retired_records_and_their_links_out(school: Workspace) -> None:
    table = school.table()
    person = table.of_kind(Kind.YOUNG_PERSON)[0]
    linked = [link.id for link in table.links_of(person.id)]
    assert linked
    school.retire(person.id)
    document = exchange.mapping_document(school, DataLevel.FULL, None)
    assert person.id not in {r["id"] for r in document["records"]["young_person"]}
    assert not {link["id"] for link in document["links"]} & set(linked)
    assert document["meeting_date"] is None
    exchange.table_from_mapping(document)


# -- the chair a school sends to ----------------------------------------------------------
def test_set_chair_from_a_key_card_then_a_plain_recipient(
    school: Workspace, chair: Workspace, tmp_path: Path
) -> None:
    assert exchange.chair(school) is None
    info = exchange.set_chair(school, chair_card(chair, tmp_path))
    keys = chair.keys()
    assert (info.recipient, info.fingerprint) == (keys.age_recipient, keys.fingerprint)
    assert info.name == "Sam Chair" and info.can_verify and info.warning == ""
    assert info.replaced is None
    stored = exchange.chair(school)
    assert stored is not None and stored.verify_key == keys.verify_key_bytes
    assert school.repo.audit_events()[-1][1:] == ("chair set", [])

    other = WorkspaceKeys.generate()
    info = exchange.set_chair(school, "  " + other.age_recipient + "\n")
    assert info.recipient == other.age_recipient
    assert info.fingerprint is None and not info.can_verify
    assert "cannot be checked" in info.warning
    assert info.replaced is not None and info.replaced.fingerprint == keys.fingerprint
    stored = exchange.chair(school)
    assert stored is not None and stored.verify_key is None and stored.name == ""


def test_set_chair_from_a_recipients_file_or_a_key_card_object(
    school: Workspace, chair: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "chair.txt"
    path.write_text("# the chair\n" + chair.keys().age_recipient + "\n")
    assert exchange.set_chair(school, path).recipient == chair.keys().age_recipient
    info = exchange.set_chair(school, chair.key_card())  # as the new-workspace wizard has it
    assert info.fingerprint == chair.keys().fingerprint


def test_set_chair_refusals_change_nothing(
    school: Workspace, other_school: Workspace, chair: Workspace, tmp_path: Path
) -> None:
    exchange.set_chair(school, chair_card(chair, tmp_path))
    before = school.repo.meta()
    own = tmp_path / "own.sypkey"
    own.write_text(school.key_card().to_text())
    school_card = tmp_path / "school.sypkey"
    school_card.write_text(other_school.key_card().to_text())
    cases = [
        (own, errors.KeyCardInvalid),  # a school's card, and this workspace's own
        (school_card, errors.KeyCardInvalid),
        (school.keys().age_recipient, errors.RecipientInvalid),
        (chair.keys().age_identity, errors.RecipientInvalid),  # a secret key
        (chair.keys().age_recipient[:-3], errors.RecipientInvalid),
        (tmp_path / "missing.sypkey", errors.UsageError),
        (tmp_path, errors.UsageError),
    ]
    for source, error in cases:
        with pytest.raises(error) as caught:
            exchange.set_chair(school, source)
        assert "AGE-SECRET" not in str(caught.value)
    secret = tmp_path / "secret.txt"
    secret.write_text(chair.keys().age_identity + "\n")
    with pytest.raises(errors.KeyCardInvalid, match="SECRET key"):
        exchange.set_chair(school, secret)
    assert school.repo.meta() == before
    with pytest.raises(errors.UsageError):
        exchange.set_chair(chair, chair_card(chair, tmp_path))


# -- exporting ------------------------------------------------------------------------------
def test_export_to_the_chair_then_open_it(
    school: Workspace, chair: Workspace, tmp_path: Path, outbox: Path
) -> None:
    exchange.set_chair(school, chair_card(chair, tmp_path))
    meeting = exchange.find_meeting(school)
    name = exchange.suggested_bundle_name(school, meeting)
    assert name == f"submission-{school.details.urn}-{meeting.date.isoformat()}.sypbundle"
    result = exchange.export_bundle(school, outbox / name)
    assert result.sequence == 1 and result.passphrase is None
    assert result.recipients == [chair.keys().age_recipient]
    assert result.fingerprint == school.keys().fingerprint
    assert result.level == DataLevel.FULL and not result.briefing_included
    assert (outbox / name).stat().st_size == result.size
    assert ((outbox / name).stat().st_mode & 0o777) == 0o600

    sent = school.table().get(meeting.id)
    assert isinstance(sent, Meeting)
    assert sent.status == MeetingStatus.SUBMITTED.value and sent.bundles == [result.bundle_id]
    assert school.repo.meta()[exchange.META_BUNDLE_SEQUENCE] == "1"
    at, event, ids = school.repo.audit_events()[-1]
    assert (event, ids) == ("bundle exported", [meeting.id])
    assert school.repo.record(meeting.id).status == MeetingStatus.SUBMITTED.value  # stored

    with pytest.raises(errors.UnknownSigner, match=result.fingerprint) as caught:
        exchange.open_bundle(chair, outbox / name)
    assert caught.value.fingerprint == result.fingerprint
    assert exchange_state(chair)[:2] == ([], [])
    opened = exchange.open_bundle(
        chair, outbox / name, accept_new_key=result.fingerprint.lower().replace("-", " ")
    )
    assert opened.new_signer and opened.urn == school.details.urn
    assert (opened.sequence, opened.bundle_id) == (1, result.bundle_id)
    assert opened.meeting_date == meeting.date and opened.demo and opened.superseded == []
    assert opened.counts == school.table().counts()
    (summary,) = exchange.submissions(chair)
    assert (summary.id, summary.urn, summary.sequence) == (opened.submission_id, "990001", 1)
    assert not summary.superseded and summary.level == DataLevel.FULL
    assert summary.finding_counts == opened.finding_counts
    assert summary.school == school.details.name

    table = exchange.submission_table(chair, opened.submission_id)
    ours = school.table()
    assert {r.code: r.label_text() for r in table.records.values()} == {
        r.code: r.label_text() for r in ours.records.values() if r.active
    }
    assert len(table.links) == len(list(ours.active_links()))
    verified = exchange.reverify_submission(chair, opened.submission_id)
    assert verified.bundle_id == result.bundle_id
    (trusted,) = chair.repo.trusted_senders()
    assert (trusted.urn, trusted.fingerprint) == (school.details.urn, result.fingerprint)
    assert trusted.age_recipient == school.keys().age_recipient
    assert chair.repo.audit_events()[-1][1:] == ("submission imported", [result.bundle_id])


def test_a_newer_bundle_supersedes_and_an_older_one_is_refused(
    school: Workspace, chair: Workspace, tmp_path: Path, outbox: Path
) -> None:
    exchange.set_chair(school, chair_card(chair, tmp_path))
    first = exchange.export_bundle(school, outbox / "1.sypbundle")
    second = exchange.export_bundle(school, outbox / "2.sypbundle", level="initials")
    third = exchange.export_bundle(school, outbox / "3.sypbundle", include_briefing=False)
    assert (first.sequence, second.sequence, third.sequence) == (1, 2, 3)
    a = exchange.open_bundle(chair, outbox / "2.sypbundle", accept_new_key=first.fingerprint)
    with pytest.raises(errors.Replayed):
        exchange.open_bundle(chair, outbox / "1.sypbundle")
    with pytest.raises(errors.AlreadyImported):
        exchange.open_bundle(chair, outbox / "2.sypbundle")
    b = exchange.open_bundle(chair, outbox / "3.sypbundle")
    assert not b.new_signer and b.superseded == [a.submission_id]
    listed = {s.id: s for s in exchange.submissions(chair)}
    assert listed[a.submission_id].superseded_by == b.submission_id
    assert listed[a.submission_id].level == DataLevel.INITIALS
    assert not listed[b.submission_id].superseded
    exchange.reverify_submission(chair, a.submission_id)  # kept, and still verifies


def test_another_key_for_a_known_school_is_refused(
    school: Workspace, chair: Workspace, templates: Path, tmp_path: Path, outbox: Path
) -> None:
    exchange.set_chair(school, chair_card(chair, tmp_path))
    first = exchange.export_bundle(school, outbox / "real.sypbundle")
    exchange.open_bundle(chair, outbox / "real.sypbundle", accept_new_key=first.fingerprint)
    impostor = Workspace.create(
        tmp_path / "Impostor.sypdb",
        PASS,
        WorkspaceDetails(role="school", name="Impostor", urn=school.details.urn),
    )
    with impostor:
        impostor.save(Meeting(date=exchange.find_meeting(school).date))
        exchange.set_chair(impostor, chair.key_card())
        fake = exchange.export_bundle(impostor, outbox / "fake.sypbundle", include_briefing=False)
    before = exchange_state(chair)
    for accept in (None, fake.fingerprint):
        with pytest.raises(errors.SignerChanged):
            exchange.open_bundle(chair, outbox / "fake.sypbundle", accept_new_key=accept)
    assert exchange_state(chair) == before


# -- a school's new key, checked by phone -----------------------------------------------------
def _new_workspace(school: Workspace, chair: Workspace, path: Path) -> Workspace:
    """The school set up again on a new laptop: same name and URN, a new key, nothing restored."""
    ws = Workspace.create(
        path, PASS, WorkspaceDetails(role="school", name=school.details.name, urn=school.details.urn)
    )
    ws.save(Meeting(date=exchange.find_meeting(school).date))
    exchange.set_chair(ws, chair.key_card())
    return ws


def trust_state(ws: Workspace) -> tuple:
    rows = ws.db.query("SELECT * FROM trusted_senders ORDER BY urn")
    return exchange_state(ws), rows


def test_a_schools_new_key_is_replaced_only_with_its_fingerprint_confirmed(
    school: Workspace, chair: Workspace, tmp_path: Path, outbox: Path
) -> None:
    urn = school.details.urn
    exchange.set_chair(school, chair.key_card())
    old_fp = school.keys().fingerprint
    for n in (1, 2, 3):
        exchange.export_bundle(school, outbox / f"old{n}.sypbundle")
    exchange.open_bundle(chair, outbox / "old1.sypbundle", accept_new_key=old_fp)
    old = exchange.open_bundle(chair, outbox / "old3.sypbundle")
    first_seen = chair.repo.trusted_sender(urn).first_seen
    with _new_workspace(school, chair, tmp_path / "New.sypdb") as new:
        new_fp = new.keys().fingerprint
        sent = exchange.export_bundle(new, outbox / "new1.sypbundle")
        exchange.export_bundle(new, outbox / "new2.sypbundle")
        new_recipient = new.keys().age_recipient
    assert sent.sequence == 1 and new_fp != old_fp

    # Refused, with what the dialog needs and what to do, naming no one.
    before = trust_state(chair)
    with pytest.raises(errors.SignerChanged) as caught:
        exchange.open_bundle(chair, outbox / "new1.sypbundle")
    error = caught.value
    assert (error.fingerprint, error.previous_fingerprint) == (new_fp, old_fp)
    assert (error.school, error.urn, error.trusted_since) == (school.details.name, urn, first_seen)
    message = str(error)
    assert new_fp in message and "replace the key" in message and "number you already have" in message
    assert school.details.name not in message and message.count(".") <= 1 and error.exit_code == 72
    # Accepting a first key does not replace one; a wrong or malformed fingerprint changes nothing.
    with pytest.raises(errors.SignerChanged):
        exchange.open_bundle(chair, outbox / "new1.sypbundle", accept_new_key=new_fp)
    for wrong in (old_fp, WorkspaceKeys.generate().fingerprint):
        with pytest.raises(errors.FingerprintMismatch):
            exchange.open_bundle(chair, outbox / "new1.sypbundle", replace_key=wrong)
    with pytest.raises(errors.UsageError):
        exchange.open_bundle(chair, outbox / "new1.sypbundle", replace_key="not a fingerprint")
    with pytest.raises(errors.UsageError):
        exchange.open_bundle(
            chair, outbox / "new1.sypbundle", replace_key=new_fp, accept_new_key=new_fp
        )
    assert trust_state(chair) == before

    # The fingerprint read out by phone, as typed: opened, the key replaced in the same step.
    opened = exchange.open_bundle(
        chair, outbox / "new1.sypbundle", replace_key=new_fp.lower().replace("-", " ")
    )
    assert (opened.sequence, opened.fingerprint, opened.replaced_fingerprint) == (1, new_fp, old_fp)
    assert not opened.new_signer
    assert opened.superseded == [old.submission_id]  # the same meeting, from the new key
    trusted = chair.repo.trusted_sender(urn)
    assert (trusted.fingerprint, trusted.age_recipient) == (new_fp, new_recipient)
    assert trusted.first_seen >= first_seen  # since the new key was accepted
    events = chair.repo.audit_events()
    assert [e[1:] for e in events[-2:]] == [
        ("school key replaced", [urn, old_fp, new_fp]),
        ("submission imported", [sent.bundle_id]),
    ]
    assert chair.repo.replaced_fingerprints(urn) == {old_fp}
    # Every submission stays on record and verifies with the key it was signed with.
    for summary in exchange.submissions(chair):
        assert exchange.reverify_submission(chair, summary.id).bundle_id == summary.bundle_id
    assert exchange.reverify_submission(chair, old.submission_id).fingerprint == old_fp

    # The same bundle again is refused (the replacement asked for again changes nothing);
    # the new key's next bundle opens, numbered after its own last, not the old key's 3.
    after = trust_state(chair)
    for again in (None, new_fp):
        with pytest.raises(errors.AlreadyImported):
            exchange.open_bundle(chair, outbox / "new1.sypbundle", replace_key=again)
    with pytest.raises(errors.FingerprintMismatch):
        exchange.open_bundle(chair, outbox / "new2.sypbundle", replace_key=old_fp)
    assert trust_state(chair) == after
    second = exchange.open_bundle(chair, outbox / "new2.sypbundle")
    assert second.sequence == 2 and second.replaced_fingerprint is None

    # The old laptop's later bundle is refused now, until the same deliberate step.
    later = exchange.export_bundle(school, outbox / "old4.sypbundle")
    before = trust_state(chair)
    with pytest.raises(errors.SignerChanged) as caught:
        exchange.open_bundle(chair, outbox / "old4.sypbundle")
    assert (caught.value.fingerprint, caught.value.previous_fingerprint) == (old_fp, new_fp)
    with pytest.raises(errors.SignerChanged):
        exchange.open_bundle(chair, outbox / "old2.sypbundle")
    assert trust_state(chair) == before
    back = exchange.open_bundle(chair, outbox / "old4.sypbundle", replace_key=old_fp)
    assert (back.sequence, back.replaced_fingerprint) == (later.sequence, new_fp)
    with pytest.raises(errors.Replayed):  # compared with the old key's own last bundle
        exchange.open_bundle(chair, outbox / "old2.sypbundle")
    assert chair.repo.replaced_fingerprints(urn) == {old_fp, new_fp}
    for summary in exchange.submissions(chair):
        exchange.reverify_submission(chair, summary.id)


def test_replacing_a_key_is_one_step_with_storing_the_bundle(
    school: Workspace, chair: Workspace, tmp_path: Path, outbox: Path, monkeypatch
) -> None:
    exchange.set_chair(school, chair.key_card())
    exchange.export_bundle(school, outbox / "old.sypbundle")
    exchange.open_bundle(chair, outbox / "old.sypbundle", accept_new_key=school.keys().fingerprint)
    with _new_workspace(school, chair, tmp_path / "New.sypdb") as new:
        new_fp = new.keys().fingerprint
        exchange.export_bundle(new, outbox / "new.sypbundle")
    before = trust_state(chair)

    def fail(_new_id: int) -> list[int]:
        raise OSError("the disk went away")

    monkeypatch.setattr(chair.repo, "superseded_ids", fail)
    with pytest.raises(OSError):
        exchange.open_bundle(chair, outbox / "new.sypbundle", replace_key=new_fp)
    assert trust_state(chair) == before  # neither the key nor the submission


def test_replacing_a_key_needs_a_key_to_replace(
    school: Workspace, chair: Workspace, outbox: Path
) -> None:
    exchange.set_chair(school, chair.key_card())
    result = exchange.export_bundle(school, outbox / "b.sypbundle")
    with pytest.raises(errors.UsageError, match="no key for this sender"):
        exchange.open_bundle(chair, outbox / "b.sypbundle", replace_key=result.fingerprint)
    assert exchange_state(chair)[:2] == ([], [])
    # Its own key, already trusted: nothing to replace, so the bundle opens as any other.
    exchange.export_bundle(school, outbox / "c.sypbundle")
    exchange.open_bundle(chair, outbox / "b.sypbundle", accept_new_key=result.fingerprint)
    opened = exchange.open_bundle(chair, outbox / "c.sypbundle", replace_key=result.fingerprint)
    assert opened.replaced_fingerprint is None and not opened.new_signer
    assert "school key replaced" not in [e[1] for e in chair.repo.audit_events()]


def test_a_passphrase_bundle_when_no_chair_is_set(
    school: Workspace, chair: Workspace, outbox: Path
) -> None:
    result = exchange.export_bundle(school, outbox / "p.sypbundle", level=DataLevel.CODES)
    assert result.passphrase is not None and len(result.passphrase.split()) == 6
    assert result.recipients == [] and result.locked_with_passphrase
    assert exchange.bundle_needs_passphrase(outbox / "p.sypbundle")
    with pytest.raises(errors.BundlePassphraseRequired):
        exchange.open_bundle(chair, outbox / "p.sypbundle", accept_new_key=result.fingerprint)
    with pytest.raises(errors.BundleWrongPassphrase):
        exchange.open_bundle(
            chair, outbox / "p.sypbundle", accept_new_key=result.fingerprint, passphrase="a b c"
        )
    assert exchange_state(chair)[:2] == ([], [])
    words = result.passphrase.upper().replace(" ", "-")  # as read out and typed
    opened = exchange.open_bundle(
        chair, outbox / "p.sypbundle", accept_new_key=result.fingerprint, passphrase=words
    )
    assert opened.locked_with_passphrase and opened.level == DataLevel.CODES


def test_export_refuses_to_overwrite_or_to_write_over_the_workspace(
    school: Workspace, outbox: Path
) -> None:
    target = outbox / "b.sypbundle"
    target.write_bytes(b"keep me")
    with pytest.raises(errors.FileAlreadyExists):
        exchange.export_bundle(school, target)
    assert target.read_bytes() == b"keep me"
    for path in (school.path, Path(f"{school.path}-wal"), Path(f"{school.path}.lock")):
        with pytest.raises(errors.UsageError):
            exchange.export_bundle(school, path, overwrite=True)
    with pytest.raises(errors.UsageError):
        exchange.export_bundle(school, outbox / "missing" / "b.sypbundle")
    assert exchange.find_meeting(school).status == MeetingStatus.PREPARING.value
    assert exchange.META_BUNDLE_SEQUENCE not in school.repo.meta()
    result = exchange.export_bundle(school, target, overwrite=True)
    assert target.read_bytes() != b"keep me" and result.sequence == 1


def test_a_failed_write_changes_nothing(
    school: Workspace, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise errors.DiskFull()

    events = len(school.repo.audit_events())
    monkeypatch.setattr(exchange, "write_atomic", full)
    with pytest.raises(errors.DiskFull):
        exchange.export_bundle(school, outbox / "b.sypbundle")
    assert list(outbox.iterdir()) == []
    assert exchange.META_BUNDLE_SEQUENCE not in school.repo.meta()
    assert len(school.repo.audit_events()) == events
    meeting = exchange.find_meeting(school)
    assert meeting.status == MeetingStatus.PREPARING.value and meeting.bundles == []
    assert school.repo.record(meeting.id).status == MeetingStatus.PREPARING.value


def test_export_needs_a_school_and_a_meeting(
    chair: Workspace, school: Workspace, outbox: Path
) -> None:
    with pytest.raises(errors.UsageError):
        exchange.export_bundle(chair, outbox / "c.sypbundle")
    with pytest.raises(errors.RecordNotFound):
        exchange.export_bundle(school, outbox / "b.sypbundle", meeting_id="1999-01-01")
    with pytest.raises(errors.UsageError):
        exchange.export_bundle(school, outbox / "b.sypbundle", meeting_id="2025-13-40")
    meeting = exchange.find_meeting(school)
    assert exchange.find_meeting(school, meeting.date.isoformat()).id == meeting.id
    assert exchange.find_meeting(school, meeting.code).id == meeting.id
    assert list(outbox.iterdir()) == []


def test_the_briefing_goes_in_at_initials_when_the_module_is_there(
    school: Workspace, chair: Workspace, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    drawn: dict = {}

    def briefing_bytes(
        workspace: Workspace, *, level: DataLevel, meeting_id: str, diagram_positions: dict
    ) -> bytes:
        calls.append((workspace, level, meeting_id))
        drawn.update(diagram_positions)
        return b"%PDF-1.4\n% briefing\n%%EOF\n"

    fake = types.ModuleType(BRIEFING)
    fake.briefing_bytes = briefing_bytes  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, BRIEFING, fake)
    monkeypatch.setattr(exchange, "_briefing", MAKE_BRIEFING)
    exchange.set_chair(school, chair.key_card())
    result = exchange.export_bundle(school, outbox / "b.sypbundle")
    assert result.briefing_included
    assert calls == [(school, DataLevel.INITIALS, exchange.find_meeting(school, "MT-01").id)]
    verified = read_bundle(
        (outbox / "b.sypbundle").read_bytes(), identity=chair.keys().age_identity
    )
    assert verified.briefing == b"%PDF-1.4\n% briefing\n%%EOF\n"
    # The briefing's diagram is drawn where the bundle places every node.
    assert drawn and {k: list(v) for k, v in drawn.items()} == verified.mapping["diagram"]
    opened = exchange.open_bundle(chair, outbox / "b.sypbundle", accept_new_key=result.fingerprint)
    assert opened.briefing_included
    assert exchange.submission_briefing(chair, opened.submission_id) == verified.briefing
    assert not exchange.export_bundle(
        school, outbox / "c.sypbundle", include_briefing=False
    ).briefing_included
    assert len(calls) == 1


# -- opening: what the reader cannot know, the importer checks --------------------------------
def _signed(school: Workspace, chair: Workspace, document: dict, sequence: int = 1) -> bytes:
    sender = SenderInfo(school.details.name, school.details.urn, "school", school.keys())
    return write_bundle(
        kind="submission",
        sender=sender,
        recipients=[chair.keys().age_recipient],
        passphrase=None,
        mapping=document,
        briefing_pdf=None,
        sequence=sequence,
    )


def _broken_documents(school: Workspace) -> dict[str, dict]:
    base = exchange.mapping_document(school, DataLevel.FULL, exchange.find_meeting(school))
    ghost = "00000000-0000-4000-8000-000000000000"
    cases: dict[str, dict] = {}

    def case(name: str, change) -> None:
        document = json.loads(json.dumps(base))
        change(document)
        cases[name] = document

    case("link to nothing", lambda d: d["links"][0].update(b_id=ghost))
    case("evidence on nothing", lambda d: d["evidence"][0].update(subject_id=ghost))
    case("member not held", lambda d: d["records"]["peer_group"][0]["members"].append(
        {"person_id": ghost, "role": ""}))  # fmt: skip
    case("strength links nothing", lambda d: d["records"]["strength"][0].update(
        linked_ids=[ghost]))  # fmt: skip
    case("another school", lambda d: d["school"].update(urn="123456"))
    case("same code twice", lambda d: d["records"]["adult"][1].update(
        code=d["records"]["adult"][0]["code"]))  # fmt: skip
    case("updated before created", lambda d: d["records"]["location"][0].update(
        updated="2001-01-01T00:00:00+00:00"))  # fmt: skip
    case("link to itself", lambda d: d["links"][0].update(b_id=d["links"][0]["a_id"]))
    case("diagram places nothing", lambda d: d["diagram"].update({ghost: [0.0, 0.0]}))
    return cases


def test_the_bundle_carries_the_schools_diagram_as_the_school_draws_it(
    school: Workspace, chair: Workspace, outbox: Path
) -> None:
    from saferyp_desktop.domain.diagram import layout
    from saferyp_desktop.services import chair as chair_service

    person = next(r for r in school.table().of_kind(Kind.YOUNG_PERSON) if r.active)
    school.save_diagram_positions({person.id: (-900.0, 1234.5)})  # the DSL dragged one
    own = layout(school.table(), pinned=school.diagram_positions()).positions()
    exchange.set_chair(school, chair.key_card())
    result = exchange.export_bundle(school, outbox / "b.sypbundle")
    verified = read_bundle(
        (outbox / "b.sypbundle").read_bytes(), identity=chair.keys().age_identity
    )
    sent = verified.mapping["diagram"]
    assert set(sent) == set(own)
    assert sent[person.id] == [-900.0, 1234.5]
    # To a tenth of a point, as the bundle writes them.
    assert max(max(abs(sent[i][0] - x), abs(sent[i][1] - y)) for i, (x, y) in own.items()) < 0.051

    exchange.open_bundle(chair, outbox / "b.sypbundle", accept_new_key=result.fingerprint)
    [sub] = chair_service.current_submissions(chair)
    drawn = layout(sub.table, pinned=sub.diagram_positions)
    assert drawn.positions() == {i: (x, y) for i, (x, y) in sub.diagram_positions.items()}
    assert drawn.position(person.id) == (-900.0, 1234.5)


def test_a_bundle_without_diagram_positions_still_opens(
    school: Workspace, chair: Workspace, outbox: Path
) -> None:
    from saferyp_desktop.services import chair as chair_service

    document = exchange.mapping_document(school, DataLevel.INITIALS, exchange.find_meeting(school))
    del document["diagram"]  # as bundles were written before they carried it
    path = outbox / "old.sypbundle"
    path.write_bytes(_signed(school, chair, document))
    exchange.open_bundle(chair, path, accept_new_key=school.keys().fingerprint)
    [sub] = chair_service.current_submissions(chair)
    assert sub.diagram_positions == {}


@pytest.mark.parametrize(
    "placed",
    [
        {"00000000-0000-4000-8000-000000000000": [1e9, 0.0]},  # absurdly far
        {"00000000-0000-4000-8000-000000000000": [1.0]},  # not a point
        {"00000000-0000-4000-8000-000000000000": ["1", "2"]},  # not numbers
        {"not an id": [1.0, 2.0]},
    ],
)
def test_the_schema_refuses_a_malformed_diagram(school: Workspace, placed: dict) -> None:
    document = exchange.mapping_document(school, DataLevel.INITIALS, exchange.find_meeting(school))
    document["diagram"] = placed
    assert schema_problem(MAPPING_SCHEMA, document)


def test_broken_mappings_are_refused_and_change_nothing(
    school: Workspace, chair: Workspace, outbox: Path
) -> None:
    before = exchange_state(chair)
    fingerprint = school.keys().fingerprint
    for name, document in _broken_documents(school).items():
        path = outbox / "bad.sypbundle"
        path.write_bytes(_signed(school, chair, document))
        with pytest.raises(errors.BundleMappingInvalid) as caught:
            exchange.open_bundle(chair, path, accept_new_key=fingerprint)
        message = str(caught.value)
        assert "was not opened" in message, name
        names = [r["name"] for r in document["records"]["young_person"]]
        assert not any(n in message for n in names), name
        assert exchange_state(chair) == before, name


def test_the_chair_opens_submissions_only_and_the_school_outcomes_only(
    school: Workspace, chair: Workspace, outbox: Path
) -> None:
    exchange.set_chair(school, chair.key_card())
    exchange.export_bundle(school, outbox / "b.sypbundle")
    with pytest.raises(errors.BundleWrongKind):  # a school opens outcomes, not submissions
        exchange.open_bundle(school, outbox / "b.sypbundle")
    outcomes = write_bundle(
        kind="outcomes",
        sender=SenderInfo("Sam Chair", "", "chair", chair.keys()),
        recipients=[school.keys().age_recipient],
        passphrase=None,
        mapping=exchange.mapping_document(school, DataLevel.CODES, None),
        briefing_pdf=None,
        sequence=1,
    )
    (outbox / "own.sypbundle").write_bytes(outcomes)
    with pytest.raises(errors.BundleWrongKind):  # the chair's own outcomes, sealed to itself too
        exchange.open_bundle(chair, outbox / "own.sypbundle")
    with pytest.raises(errors.UsageError):
        exchange.open_bundle(chair, outbox / "b.sypbundle", accept_new_key="not a fingerprint")


def test_reverify_finds_a_stored_submission_changed(
    school: Workspace, chair: Workspace, outbox: Path
) -> None:
    exchange.set_chair(school, chair.key_card())
    result = exchange.export_bundle(school, outbox / "b.sypbundle")
    opened = exchange.open_bundle(chair, outbox / "b.sypbundle", accept_new_key=result.fingerprint)
    chair.db.execute(
        "UPDATE submissions SET mapping = CAST(replace(CAST(mapping AS TEXT), '\"demo\":true', "
        "'\"demo\":false') AS BLOB) WHERE id = ?",
        (opened.submission_id,),
    )
    with pytest.raises(errors.BundleContentsMismatch):
        exchange.reverify_submission(chair, opened.submission_id)
    with pytest.raises(errors.RecordNotFound):
        exchange.reverify_submission(chair, 999)


# -- reading a bundle file ------------------------------------------------------------------
def test_bundle_files_are_read_with_a_cap(tmp_path: Path) -> None:
    huge = tmp_path / "huge.sypbundle"
    with huge.open("wb") as handle:  # sparse: 10 GiB on paper, nothing on disk
        handle.truncate(10 * 1024**3)
    with pytest.raises(errors.BundleTooLarge):
        exchange.read_bundle_file(huge)
    with pytest.raises(errors.UsageError):
        exchange.read_bundle_file(tmp_path / "missing.sypbundle")
    with pytest.raises(errors.UsageError):
        exchange.read_bundle_file(tmp_path)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        with pytest.raises(errors.UsageError):  # and does not hang waiting for a writer
            exchange.read_bundle_file(tmp_path / "pipe")
    (tmp_path / "small").write_bytes(b"x")
    assert exchange.read_bundle_file(tmp_path / "small") == b"x"


def test_summary_types_are_plain_data() -> None:
    assert dataclasses.is_dataclass(exchange.SubmissionSummary)
    assert dataclasses.is_dataclass(exchange.OpenResult)
    assert dataclasses.is_dataclass(exchange.BundleResult)


def test_the_real_briefing_goes_in(
    school: Workspace, chair: Workspace, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange, "_briefing", MAKE_BRIEFING)
    exchange.set_chair(school, chair.key_card())
    result = exchange.export_bundle(school, outbox / "b.sypbundle")
    assert result.briefing_included
    opened = exchange.open_bundle(chair, outbox / "b.sypbundle", accept_new_key=result.fingerprint)
    pdf = exchange.submission_briefing(chair, opened.submission_id)
    assert pdf is not None and pdf.startswith(b"%PDF-")
    exchange.reverify_submission(chair, opened.submission_id)
