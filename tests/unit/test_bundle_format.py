"""Bundles written and read with real age and real Ed25519: round trips, interop with
the Debian ``age`` tool, the published schemas, trust and replay, and nothing on disk."""

from __future__ import annotations

import base64
import builtins
import dataclasses
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import typing
import zipfile
from datetime import date
from pathlib import Path

import jsonschema
import pyrage
import pytest
from bundle_factory import (
    CHILD_NAME,
    FIXED_CREATED,
    SCHOOL_URN,
    Parties,
    make_parties,
    mapping_document,
    members_of,
    open_plain,
    submission,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from saferyp_desktop.crypto import bundle_passphrase, envelope
from saferyp_desktop.crypto.bundle import (
    SIGNATURE_CONTEXT,
    SenderInfo,
    bundle_lock,
    check_not_replayed,
    check_signer,
    generate_bundle_passphrase,
    read_bundle,
    reverify,
    write_bundle,
)
from saferyp_desktop.crypto.keys import fingerprint
from saferyp_desktop.crypto.schemas import schema
from saferyp_desktop.domain.demo import make_demo
from saferyp_desktop.domain.levels import DataLevel, redact
from saferyp_desktop.domain.records import RECORD_TYPES, Evidence, Link
from saferyp_desktop.domain.serialize import evidence_from_dict, link_from_dict, record_from_dict
from saferyp_desktop.errors import (
    AlreadyImported,
    BundleContentsMismatch,
    BundleKeyRequired,
    BundleMappingInvalid,
    BundleMemberUnexpected,
    BundleNotForThisKey,
    BundlePassphraseRequired,
    BundleSignatureInvalid,
    BundleWrongKind,
    BundleWrongPassphrase,
    FingerprintMismatch,
    RecipientInvalid,
    Replayed,
    SignerChanged,
    UnknownSigner,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def parties() -> Parties:
    return make_parties()


@pytest.fixture(scope="module")
def bundle(parties: Parties) -> bytes:
    return submission(parties)


# -- round trips -------------------------------------------------------------------------
def test_the_chair_opens_a_submission_and_sees_what_was_sent(parties: Parties, bundle: bytes) -> None:
    verified = read_bundle(bundle, identity=parties.chair.age_identity, expect_kind="submission")
    assert verified.mapping == mapping_document()
    assert verified.briefing == b"%PDF-1.4\n% fictional briefing\n%%EOF\n"
    assert verified.kind == "submission"
    assert verified.sequence == 3
    assert verified.created == FIXED_CREATED
    assert verified.sender_urn == SCHOOL_URN and verified.sender_role == "school"
    assert verified.verify_key == parties.school.verify_key_bytes
    assert verified.fingerprint == parties.school.fingerprint
    assert verified.sender_recipient == parties.school.age_recipient
    assert not verified.locked_with_passphrase
    assert verified.manifest["recipients"] == [parties.chair.age_recipient]
    assert set(verified.members) == {"mapping.json", "briefing.pdf"}


def test_the_sender_can_open_its_own_bundle_and_no_one_else_can(parties: Parties, bundle: bytes) -> None:
    assert read_bundle(bundle, identity=parties.school.age_identity).bundle_id
    with pytest.raises(BundleNotForThisKey) as caught:
        read_bundle(bundle, identity=parties.stranger.age_identity)
    assert caught.value.exit_code == 53


def test_outcomes_go_from_the_chair_to_the_school(parties: Parties) -> None:
    data = write_bundle(
        kind="outcomes",
        sender=parties.chair_sender,
        recipients=[parties.school.age_recipient],
        passphrase=None,
        mapping=mapping_document(data_level="initials"),
        briefing_pdf=None,
        sequence=1,
    )
    verified = read_bundle(data, identity=parties.school.age_identity, expect_kind="outcomes")
    assert verified.sender_role == "chair" and verified.sender_urn == ""
    assert verified.briefing is None and set(verified.members) == {"mapping.json"}
    with pytest.raises(BundleWrongKind):
        read_bundle(data, identity=parties.school.age_identity, expect_kind="submission")


def test_the_zip_is_deterministic_and_carries_no_clock(parties: Parties) -> None:
    fixed = {"bundle_id": "5b0c4a54-7f0a-4c36-9a0e-5f5c1c3b2f10"}
    first = open_plain(submission(parties, **fixed), parties.chair)
    second = open_plain(submission(parties, **fixed), parties.chair)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["manifest.json", "manifest.sig", "mapping.json", "briefing.pdf"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.comment == b""
    assert b"2025-03-04T09:30:00+00:00" in first  # the only time in it is `created`


def test_the_senders_own_key_is_not_listed_twice(parties: Parties) -> None:
    data = submission(parties, recipients=[parties.chair.age_recipient, parties.school.age_recipient])
    assert read_bundle(data, identity=parties.chair.age_identity).manifest["recipients"] == [
        parties.chair.age_recipient
    ]
    with pytest.raises(RecipientInvalid):
        submission(parties, recipients=[parties.school.age_recipient])
    with pytest.raises(RecipientInvalid):
        submission(parties, recipients=["age1notakey"])
    with pytest.raises(RecipientInvalid):
        submission(parties, recipients=[parties.chair.age_identity])


def test_the_writer_refuses_what_the_reader_would_refuse(parties: Parties) -> None:
    mapping = mapping_document()
    mapping["records"]["young_person"][0]["age"] = 42
    with pytest.raises(BundleMappingInvalid) as caught:
        submission(parties, mapping=mapping)
    assert "records/young_person/0/age (YP-01) is too large" in str(caught.value)
    assert CHILD_NAME not in str(caught.value) and "42" not in str(caught.value)
    # Links and evidence are checked item by item too, and named by their place.
    mapping = mapping_document()
    mapping["links"][-1]["confidence"] = "certain"
    with pytest.raises(BundleMappingInvalid) as caught:
        submission(parties, mapping=mapping)
    where = len(mapping["links"]) - 1
    assert f"links/{where}/confidence is not one of the allowed values" in str(caught.value)
    mapping = mapping_document()
    mapping["evidence"][0]["surprise"] = CHILD_NAME
    with pytest.raises(BundleMappingInvalid) as caught:
        submission(parties, mapping=mapping)
    assert "evidence/0 has a field the format does not have" in str(caught.value)
    assert CHILD_NAME not in str(caught.value)
    with pytest.raises(ValueError):
        submission(parties, passphrase="six words here")  # both recipients and a passphrase
    with pytest.raises(ValueError):
        submission(parties, recipients=None)  # neither
    with pytest.raises(ValueError):
        submission(parties, sequence=0)


# -- passphrase bundles (each age scrypt step takes about a second) ---------------------
@pytest.fixture(scope="module")
def passphrase_bundle(parties: Parties) -> tuple[bytes, str]:
    words = generate_bundle_passphrase()
    return submission(parties, recipients=None, passphrase=words), words


def test_a_passphrase_bundle_opens_with_the_six_words_however_typed(
    parties: Parties, passphrase_bundle: tuple[bytes, str]
) -> None:
    data, words = passphrase_bundle
    assert bundle_lock(data) == "passphrase"
    typed = "  " + "-".join(words.upper().split()) + " "
    verified = read_bundle(data, passphrase=typed, identity=parties.chair.age_identity)
    assert verified.locked_with_passphrase and verified.manifest["recipients"] == []
    with pytest.raises(BundlePassphraseRequired) as caught:
        read_bundle(data, identity=parties.chair.age_identity)
    assert caught.value.exit_code == 55


def test_a_passphrase_bundle_decrypts_with_plain_pyrage(passphrase_bundle: tuple[bytes, str]) -> None:
    data, words = passphrase_bundle
    plain = pyrage.passphrase.decrypt(data, words)
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        assert archive.testzip() is None
        assert "mapping.json" in archive.namelist()


def test_a_wrong_passphrase_is_told_apart(passphrase_bundle: tuple[bytes, str]) -> None:
    data, words = passphrase_bundle
    wrong = " ".join(reversed(words.split()))
    with pytest.raises(BundleWrongPassphrase) as caught:
        read_bundle(data, passphrase=wrong)
    assert caught.value.exit_code == 54


def test_a_key_bundle_asks_for_a_key_not_a_passphrase(bundle: bytes) -> None:
    assert bundle_lock(bundle) == "recipients"
    with pytest.raises(BundleKeyRequired) as caught:
        read_bundle(bundle, passphrase="any six words will not do")
    assert caught.value.exit_code == 56


def test_generated_passphrases_are_six_words_from_the_eff_list() -> None:
    words = bundle_passphrase.wordlist()
    assert len(words) == 7772 and "abacus" in words and "zoom" in words
    assert bundle_passphrase.passphrase_bits() > 77
    phrases = {generate_bundle_passphrase() for _ in range(50)}
    assert len(phrases) == 50
    for phrase in phrases:
        assert len(phrase.split()) == 6 and all(w in words for w in phrase.split())
        assert envelope.normalise_passphrase(phrase) == phrase
    with pytest.raises(ValueError):
        generate_bundle_passphrase(4)


# -- interop with the Debian age tool ----------------------------------------------------
needs_age = pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not installed")


@needs_age
def test_a_bundle_for_an_age_keygen_key_opens_with_the_age_tool(parties: Parties, tmp_path: Path) -> None:
    key_file = tmp_path / "key.txt"
    subprocess.run(["age-keygen", "-o", str(key_file)], check=True, capture_output=True)
    recipient = next(
        line.split(": ", 1)[1]
        for line in key_file.read_text().splitlines()
        if line.startswith("# public key: ")
    )
    data = submission(parties, recipients=[recipient])
    (tmp_path / "sub.sypbundle").write_bytes(data)
    plain = subprocess.run(
        ["age", "-d", "-i", str(key_file), str(tmp_path / "sub.sypbundle")],
        check=True,
        capture_output=True,
    ).stdout
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        assert archive.testzip() is None
        manifest_bytes = archive.read("manifest.json")
        signature = archive.read("manifest.sig")
        manifest = json.loads(manifest_bytes)
        for name, entry in manifest["members"].items():
            content = archive.read(name)
            assert hashlib.sha256(content).hexdigest() == entry["sha256"]
            assert len(content) == entry["size"]
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(manifest["sender"]["signing_key"]))
    key.verify(signature, SIGNATURE_CONTEXT + manifest_bytes)
    assert manifest["recipients"] == [recipient]
    # and the program opens it with the identity age-keygen made
    identity = next(
        line for line in key_file.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-")
    )
    assert read_bundle(data, identity=identity).sequence == 3


@needs_age
def test_a_bundle_sealed_by_the_age_tool_is_read(parties: Parties, bundle: bytes, tmp_path: Path) -> None:
    (tmp_path / "inner.zip").write_bytes(open_plain(bundle, parties.chair))
    sealed = subprocess.run(
        ["age", "-r", parties.chair.age_recipient, str(tmp_path / "inner.zip")],
        check=True,
        capture_output=True,
    ).stdout
    assert read_bundle(sealed, identity=parties.chair.age_identity).sequence == 3


# -- schemas -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["manifest", "mapping"])
def test_the_published_schemas_are_the_ones_the_program_uses(name: str) -> None:
    published = REPO / "docs" / "schemas" / f"{name}.schema.json"
    used = REPO / "resources" / "schemas" / f"{name}.schema.json"
    assert published.read_bytes() == used.read_bytes()
    jsonschema.Draft202012Validator.check_schema(json.loads(published.read_text()))


def test_the_mapping_schema_has_exactly_the_fields_of_the_domain() -> None:
    """A field added to a record changes the bundle format: this fails until the schema follows."""
    definitions = schema("mapping")["$defs"]
    for kind, cls in RECORD_TYPES.items():
        fields = {f.name for f in dataclasses.fields(cls)} | {"kind"}
        assert set(definitions[kind.value]["properties"]) == fields, kind
        assert set(definitions[kind.value]["required"]) == fields, kind
    for name, cls in (("link", Link), ("evidence", Evidence)):
        fields = {f.name for f in dataclasses.fields(cls)}
        assert set(definitions[name]["properties"]) == fields
    assert set(schema("mapping")["properties"]["records"]["properties"]) == {
        kind.value for kind in RECORD_TYPES
    }


def test_what_the_schema_accepts_the_domain_reads(parties: Parties, bundle: bytes) -> None:
    mapping = read_bundle(bundle, identity=parties.chair.age_identity).mapping
    for kind, items in mapping["records"].items():
        for item in items:
            record = record_from_dict(item)
            assert record.kind.value == kind
            record.validate()
    for item in mapping["links"]:
        link_from_dict(item).validate()
    for item in mapping["evidence"]:
        evidence_from_dict(item).validate()


def test_every_record_type_is_in_the_sample(parties: Parties) -> None:
    assert set(mapping_document()["records"]) == {kind.value for kind in RECORD_TYPES}
    assert typing.get_type_hints(SenderInfo)["keys"]


# -- stored submissions are checked again -----------------------------------------------
def test_a_stored_submission_reverifies_and_tampering_is_caught(parties: Parties, bundle: bytes) -> None:
    verified = read_bundle(bundle, identity=parties.chair.age_identity)
    again = reverify(verified.manifest_bytes, verified.signature, verified.members)
    assert again.mapping == verified.mapping and again.fingerprint == verified.fingerprint

    changed = dict(verified.members)
    changed["mapping.json"] = changed["mapping.json"].replace(b"Jordan", b"Jordon")
    with pytest.raises(BundleContentsMismatch):
        reverify(verified.manifest_bytes, verified.signature, changed)
    with pytest.raises(BundleSignatureInvalid):
        reverify(verified.manifest_bytes.replace(b'"sequence": 3', b'"sequence": 4'), verified.signature, verified.members)
    with pytest.raises(BundleMemberUnexpected):
        reverify(verified.manifest_bytes, verified.signature, {**verified.members, "extra.txt": b""})


# -- trust and replay --------------------------------------------------------------------
def test_a_first_bundle_needs_its_fingerprint_confirmed(parties: Parties, bundle: bytes) -> None:
    verified = read_bundle(bundle, identity=parties.chair.age_identity)
    with pytest.raises(UnknownSigner) as caught:
        check_signer(verified, None, None)
    assert parties.school.fingerprint in str(caught.value) and caught.value.exit_code == 71
    spoken = parties.school.fingerprint.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    check_signer(verified, None, spoken)
    with pytest.raises(FingerprintMismatch):
        check_signer(verified, None, parties.stranger.fingerprint)
    with pytest.raises(FingerprintMismatch):
        check_signer(verified, None, "not a fingerprint")


def test_a_known_sender_with_a_new_key_is_refused(parties: Parties, bundle: bytes) -> None:
    verified = read_bundle(bundle, identity=parties.chair.age_identity)
    check_signer(verified, parties.school.verify_key_bytes, None)
    with pytest.raises(SignerChanged) as caught:
        check_signer(verified, parties.stranger.verify_key_bytes, verified.fingerprint)
    assert fingerprint(parties.stranger.verify_key_bytes) in str(caught.value)
    assert caught.value.exit_code == 72


def test_a_bundle_opens_once_and_never_older_than_the_last(parties: Parties, bundle: bytes) -> None:
    verified = read_bundle(bundle, identity=parties.chair.age_identity)
    check_not_replayed(verified, set(), None)
    check_not_replayed(verified, {"another"}, 2)
    with pytest.raises(AlreadyImported):
        check_not_replayed(verified, {verified.bundle_id}, 2)
    with pytest.raises(Replayed):
        check_not_replayed(verified, set(), 3)


# -- nothing decrypted touches the disk -------------------------------------------------
def test_reading_writes_no_file(parties: Parties, bundle: bytes, tmp_path: Path, monkeypatch) -> None:
    read_bundle(bundle, identity=parties.chair.age_identity)  # load the schemas first
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.setenv("TMPDIR", str(spool))

    def refuse(*args, **kwargs):
        raise AssertionError(f"the reader opened a file: {args[:1]!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    verified = read_bundle(bundle, identity=parties.chair.age_identity)
    reverify(verified.manifest_bytes, verified.signature, verified.members)
    monkeypatch.undo()
    assert list(spool.iterdir()) == []


def test_members_match_the_signed_manifest(parties: Parties, bundle: bytes) -> None:
    members = members_of(bundle, parties.chair)
    manifest = json.loads(members["manifest.json"])
    assert set(members) == {"manifest.json", "manifest.sig", "mapping.json", "briefing.pdf"}
    assert len(members["manifest.sig"]) == 64
    for name, entry in manifest["members"].items():
        assert hashlib.sha256(members[name]).hexdigest() == entry["sha256"]


# -- the demo school's real-shaped data passes the schema at every level -----------------
@pytest.mark.parametrize("level", list(DataLevel))
def test_the_demo_schools_table_travels_at_every_level(parties: Parties, level: DataLevel) -> None:
    school = make_demo(seed=2, size="typical", today=date(2025, 3, 1))
    table = school.table
    mapping = mapping_document(
        [redact(record, level) for record in table.records.values()],
        list(table.links.values()),
        list(table.evidence.values()),
        data_level=level.value,
        school={"name": school.name, "urn": school.urn, "phase": school.phase},
        meeting_date=school.meeting_date.isoformat(),
    )
    data = submission(parties, mapping=mapping, briefing_pdf=None)
    verified = read_bundle(data, identity=parties.chair.age_identity)
    assert verified.mapping["data_level"] == level.value
    assert sum(map(len, verified.mapping["records"].values())) == len(table.records)


def test_generated_passphrases_never_use_an_unsuitable_word() -> None:
    """Six words read by phone in a safeguarding call: none like "predator" or "strangle"."""
    from saferyp_desktop.crypto.bundle_passphrase import (
        generate_bundle_passphrase,
        offered_words,
        passphrase_bits,
        wordlist,
    )

    offered = set(offered_words())
    assert {"predator", "strangle", "grope", "perjury", "smuggling"}.isdisjoint(offered)
    assert len(offered) > 7500 and offered < set(wordlist())
    assert passphrase_bits() > 77
    for _ in range(300):
        assert set(generate_bundle_passphrase().split()) <= offered
