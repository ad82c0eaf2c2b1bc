"""Every hostile or broken bundle gets its own error class, exit code and sentence.

Each case is built as an attacker would build it — real age, real Ed25519, a ZIP
written by hand — and read as the chair would read it.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bundle_factory import (
    CHILD_NAME,
    Parties,
    RawEntry,
    make_parties,
    manifest_of,
    mapping_document,
    members_of,
    open_plain,
    raw_zip,
    seal,
    sign,
    submission,
    zip_of,
)

from saferyp_desktop.crypto import envelope
from saferyp_desktop.crypto.bundle import READ_ERRORS, TRUST_ERRORS, check_signer, read_bundle
from saferyp_desktop.crypto.schemas import dump_json
from saferyp_desktop.errors import (
    BundleContentsMismatch,
    BundleDamaged,
    BundleManifestInvalid,
    BundleMappingInvalid,
    BundleMemberDuplicate,
    BundleMemberMissing,
    BundleMemberTooLarge,
    BundleMemberUnexpected,
    BundleMemberUnsafe,
    BundleMisaddressed,
    BundleNotAge,
    BundleNotForThisKey,
    BundleSignatureInvalid,
    BundleTooLarge,
    BundleTooNew,
    BundleZipBomb,
    BundleZipInvalid,
    KeyCardInvalid,
    RecipientInvalid,
    SaferypError,
    SignerChanged,
    exit_code_table,
)

MIB = 1024 * 1024


@dataclass
class Case:
    parties: Parties
    bundle: bytes
    members: dict[str, bytes]

    @property
    def header_length(self) -> int:
        return envelope.inspect_envelope(self.bundle).header_length

    def sealed(self, plain: bytes) -> bytes:
        return seal(plain, self.parties.chair.age_recipient)

    def manifest(self) -> dict[str, Any]:
        return manifest_of(self.members)

    def rebuild(
        self,
        *,
        content: dict[str, bytes | None] | None = None,
        change: Callable[[dict[str, Any]], None] | None = None,
        rehash: bool = True,
        signer=None,
    ) -> bytes:
        """A bundle with changed members and a manifest signed again (by ``signer``)."""
        members = {k: v for k, v in self.members.items() if k not in ("manifest.json", "manifest.sig")}
        for name, data in (content or {}).items():
            if data is None:
                members.pop(name, None)
            else:
                members[name] = data
        manifest = self.manifest()
        if rehash:
            manifest["members"] = {
                name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for name, data in members.items()
            }
        if change:
            change(manifest)
        manifest_bytes, signature = sign(manifest, signer or self.parties.school)
        return self.sealed(
            zip_of({"manifest.json": manifest_bytes, "manifest.sig": signature, **members})
        )


@pytest.fixture(scope="module")
def case() -> Case:
    parties = make_parties()
    bundle = submission(parties)
    return Case(parties, bundle, members_of(bundle, parties.chair))


def flip(data: bytes, position: int, mask: int = 0x01) -> bytes:
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)


def mapping_bytes(document: Any) -> bytes:
    return dump_json(document)


def fake_header(*stanzas: str, payload: bytes = b"\x00" * 48) -> bytes:
    mac = "A" * 43
    return ("age-encryption.org/v1\n" + "".join(stanzas) + f"--- {mac}\n").encode() + payload


def overlapping_zip(case: Case) -> bytes:
    """mapping.json (stored) whose bytes contain briefing.pdf's whole local record."""
    briefing = b"%PDF-1.4 overlapping"
    name = b"briefing.pdf"
    inner = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21, zlib.crc32(briefing), len(briefing), len(briefing), len(name), 0
    ) + name + briefing
    head = case.members["manifest.json"], case.members["manifest.sig"]
    pre = raw_zip(
        [RawEntry("manifest.json", head[0], compress=False), RawEntry("manifest.sig", head[1], compress=False)]
    )
    local_part = pre[: pre.index(b"PK\x01\x02")]
    mapping_offset = len(local_part)
    mapping_data = b"{" + inner + b"}"
    mapping_local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21, zlib.crc32(mapping_data), len(mapping_data),
        len(mapping_data), len(b"mapping.json"), 0,
    ) + b"mapping.json"  # fmt: skip
    briefing_offset = mapping_offset + len(mapping_local) + 1
    body = local_part + mapping_local + mapping_data
    entries = [
        (b"manifest.json", 0, len(head[0]), zlib.crc32(head[0])),
        (b"manifest.sig", pre.index(b"PK\x03\x04", 1), len(head[1]), zlib.crc32(head[1])),
        (b"mapping.json", mapping_offset, len(mapping_data), zlib.crc32(mapping_data)),
        (name, briefing_offset, len(briefing), zlib.crc32(briefing)),
    ]
    central = b"".join(
        struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0x314, 20, 0, 0, 0, 0x21, crc, size, size,
            len(n), 0, 0, 0, 0, 0, offset,
        ) + n
        for n, offset, size, crc in entries
    )  # fmt: skip
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 4, 4, len(central), len(body), 0)
    return body + central + eocd


def _bomb(case: Case) -> bytes:
    """mapping.json says 1,000 bytes; its deflate stream inflates to 20 MiB."""
    return case.sealed(
        raw_zip(
            [
                RawEntry("manifest.json", case.members["manifest.json"]),
                RawEntry("manifest.sig", case.members["manifest.sig"], compress=False),
                RawEntry("mapping.json", b"\x00" * (20 * MIB), declared_size=1000),
            ]
        )
    )


def _members_zip(case: Case, entries: list[RawEntry]) -> bytes:
    base = [
        RawEntry("manifest.json", case.members["manifest.json"]),
        RawEntry("manifest.sig", case.members["manifest.sig"], compress=False),
    ]
    return case.sealed(raw_zip(base + entries))


def _mapping_entry(case: Case) -> RawEntry:
    return RawEntry("mapping.json", case.members["mapping.json"])


def _with_mapping(document_change: Callable[[dict[str, Any]], None]) -> Callable[[Case], bytes]:
    def build(case: Case) -> bytes:
        document = mapping_document()
        document_change(document)
        return case.rebuild(content={"mapping.json": mapping_bytes(document)})

    return build


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda document: document.pop(key)


def _duplicate_ids(document: dict[str, Any]) -> None:
    document["links"][1]["id"] = document["links"][0]["id"]


CASES: list[tuple[str, Callable[[Case], bytes], type[SaferypError]]] = [
    # 1. size cap
    ("over 64 MiB", lambda c: b"age-encryption.org/v1\n" + bytes(64 * MIB), BundleTooLarge),
    # 2. decryption: not an age file
    ("empty file", lambda c: b"", BundleNotAge),
    ("a bare ZIP", lambda c: open_plain(c.bundle, c.parties.chair), BundleNotAge),
    ("a PDF", lambda c: b"%PDF-1.7\n" + bytes(100), BundleNotAge),
    ("armored age", lambda c: b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n", BundleNotAge),
    ("another age version", lambda c: b"age-encryption.org/v2\n" + c.bundle[22:], BundleNotAge),
    ("first byte flipped", lambda c: flip(c.bundle, 0), BundleNotAge),
    # 2. decryption: damaged
    ("cut inside the magic line", lambda c: c.bundle[:10], BundleDamaged),
    ("cut inside the header", lambda c: c.bundle[:60], BundleDamaged),
    ("cut just after the header", lambda c: c.bundle[: c.header_length + 20], BundleDamaged),
    ("cut in half", lambda c: c.bundle[: len(c.bundle) // 2], BundleDamaged),
    ("last byte missing", lambda c: c.bundle[:-1], BundleDamaged),
    ("a byte added", lambda c: c.bundle + b"\x00", BundleDamaged),
    ("header MAC flipped", lambda c: flip(c.bundle, c.header_length - 5), BundleDamaged),
    ("nonce flipped", lambda c: flip(c.bundle, c.header_length + 3), BundleDamaged),
    ("body flipped", lambda c: flip(c.bundle, (c.header_length + len(c.bundle)) // 2), BundleDamaged),
    ("final tag flipped", lambda c: flip(c.bundle, len(c.bundle) - 1, 0x80), BundleDamaged),
    ("header line garbled", lambda c: c.bundle.replace(b"\n-> X25519 ", b"\n-> X25519  ", 1), BundleDamaged),
    (
        "scrypt work factor 2**40",
        lambda c: fake_header("-> scrypt AAAAAAAAAAAAAAAAAAAAAA 40\n" + "A" * 43 + "\n"),
        BundleDamaged,
    ),
    (
        "scrypt beside a key stanza",
        lambda c: fake_header("-> scrypt AAAAAAAAAAAAAAAAAAAAAA 18\n\n", "-> X25519 AAAA\n\n"),
        BundleDamaged,
    ),
    ("a thousand stanzas", lambda c: fake_header(*["-> X25519 AAAA\n\n"] * 1000), BundleDamaged),
    # 2. decryption: not for this key
    ("for another workspace", lambda c: submission(c.parties, recipients=[c.parties.stranger.age_recipient]), BundleNotForThisKey),
    ("for an ssh key", lambda c: fake_header("-> ssh-ed25519 AAAA BBBB\n\n"), BundleNotForThisKey),
    # 3. ZIP
    ("not a ZIP inside", lambda c: c.sealed(b"just some text, not a zip archive at all"), BundleZipInvalid),
    ("ZIP with a comment", lambda c: c.sealed(raw_zip([_mapping_entry(c)], comment=b"hi")), BundleZipInvalid),
    ("data before the ZIP", lambda c: c.sealed(raw_zip([_mapping_entry(c)], prefix=b"MZ" + bytes(30))), BundleZipInvalid),
    ("password-protected member", lambda c: _members_zip(c, [RawEntry("mapping.json", b"{}", flags=1)]), BundleZipInvalid),
    ("bzip2 member", lambda c: _members_zip(c, [RawEntry("mapping.json", b"{}", method=12)]), BundleZipInvalid),
    ("checksum wrong", lambda c: _members_zip(c, [RawEntry("mapping.json", b"{}", crc=1)]), BundleZipInvalid),
    ("stream cut short", lambda c: _members_zip(c, [RawEntry("mapping.json", b"x" * 100, declared_size=101)]), BundleZipInvalid),
    (
        "ZIP64 count",
        lambda c: c.sealed(zip_of(c.members)[:-22] + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0, 0, 0)),
        BundleZipInvalid,
    ),
    ("a member too many", lambda c: c.sealed(zip_of(c.members, **{"notes.txt": b"hello"})), BundleMemberUnexpected),
    ("a member in a folder", lambda c: c.sealed(zip_of(c.members, **{"docs/notes.txt": b"x"})), BundleMemberUnsafe),
    ("seventeen members", lambda c: c.sealed(zip_of(c.members, **{f"x{i}": b"" for i in range(13)})), BundleMemberUnexpected),
    ("no signature", lambda c: c.sealed(zip_of({k: v for k, v in c.members.items() if k != "manifest.sig"})), BundleMemberMissing),
    ("no mapping", lambda c: c.sealed(zip_of({k: v for k, v in c.members.items() if k != "mapping.json"})), BundleMemberMissing),
    ("no manifest", lambda c: c.sealed(zip_of({k: v for k, v in c.members.items() if k != "manifest.json"})), BundleMemberMissing),
    ("an empty ZIP", lambda c: c.sealed(raw_zip([])), BundleMemberMissing),
    ("oversized signature", lambda c: c.sealed(zip_of({**c.members, "manifest.sig": bytes(65)})), BundleMemberTooLarge),
    ("mapping declares 65 MiB", lambda c: _members_zip(c, [RawEntry("mapping.json", b"{}", declared_size=65 * MIB)]), BundleMemberTooLarge),
    ("duplicate mapping", lambda c: _members_zip(c, [_mapping_entry(c), RawEntry("mapping.json", b"{}")]), BundleMemberDuplicate),
    ("duplicate signature", lambda c: _members_zip(c, [_mapping_entry(c), RawEntry("manifest.sig", bytes(64))]), BundleMemberDuplicate),
    ("inflates past its size", _bomb, BundleZipBomb),
    (
        "90 MiB declared in all",
        lambda c: _members_zip(c, [RawEntry("mapping.json", b"{}", declared_size=60 * MIB), RawEntry("briefing.pdf", b"%", declared_size=30 * MIB)]),
        BundleZipBomb,
    ),
    ("overlapping members", lambda c: c.sealed(overlapping_zip(c)), BundleZipBomb),
    # 4. manifest
    ("manifest not JSON", lambda c: c.sealed(zip_of({**c.members, "manifest.json": b"{not json"})), BundleManifestInvalid),
    ("manifest not UTF-8", lambda c: c.sealed(zip_of({**c.members, "manifest.json": b'{"a": "\xff"}'})), BundleManifestInvalid),
    (
        "manifest with a key twice",
        lambda c: c.sealed(zip_of({**c.members, "manifest.json": c.members["manifest.json"].replace(b'"sequence": 3', b'"sequence": 3, "sequence": 9')})),
        BundleManifestInvalid,
    ),
    ("manifest missing a field", lambda c: c.rebuild(change=lambda m: m.pop("bundle_id")), BundleManifestInvalid),
    ("manifest with an extra field", lambda c: c.rebuild(change=_set(["note"], "hi")), BundleManifestInvalid),
    ("submission signed as a chair", lambda c: c.rebuild(change=_set(["sender", "role"], "chair")), BundleManifestInvalid),
    ("recipient with a newline", lambda c: c.rebuild(change=_set(["recipients"], [c.parties.chair.age_recipient[:-1] + "\n"])), BundleManifestInvalid),
    ("manifest version 2", lambda c: c.rebuild(change=lambda m: m.update(version=2, shiny="new")), BundleTooNew),
    # 5. signature
    ("manifest edited after signing", lambda c: c.sealed(zip_of({**c.members, "manifest.json": c.members["manifest.json"].replace(b'"sequence": 3', b'"sequence": 4')})), BundleSignatureInvalid),
    ("signature cut to 63 bytes", lambda c: c.sealed(zip_of({**c.members, "manifest.sig": c.members["manifest.sig"][:63]})), BundleSignatureInvalid),
    ("signature zeroed", lambda c: c.sealed(zip_of({**c.members, "manifest.sig": bytes(64)})), BundleSignatureInvalid),
    ("signed by someone else", lambda c: c.rebuild(signer=c.parties.stranger), BundleSignatureInvalid),
    # 6. addressed
    ("signed for another workspace, sealed to the chair", lambda c: c.rebuild(change=_set(["recipients"], [c.parties.stranger.age_recipient])), BundleMisaddressed),
    ("signed for a passphrase, sealed to keys", lambda c: c.rebuild(change=lambda m: m.update(encryption="passphrase", recipients=[])), BundleMisaddressed),
    # 7. contents
    ("mapping swapped after signing", lambda c: c.rebuild(content={"mapping.json": mapping_bytes(mapping_document(demo=False))}, rehash=False), BundleContentsMismatch),
    ("briefing removed", lambda c: c.rebuild(content={"briefing.pdf": None}, rehash=False), BundleContentsMismatch),
    ("briefing not listed", lambda c: c.rebuild(change=lambda m: m["members"].pop("briefing.pdf")), BundleContentsMismatch),
    ("briefing one byte longer", lambda c: c.rebuild(content={"briefing.pdf": c.members["briefing.pdf"] + b" "}, rehash=False), BundleContentsMismatch),
    # 8. mapping
    ("mapping not JSON", lambda c: c.rebuild(content={"mapping.json": b"[1, 2"}), BundleMappingInvalid),
    ("mapping nested 100,000 deep", lambda c: c.rebuild(content={"mapping.json": b"[" * 100_000 + b"]" * 100_000}), BundleMappingInvalid),
    ("mapping with NaN", lambda c: c.rebuild(content={"mapping.json": b'{"a": NaN}'}), BundleMappingInvalid),
    ("age 99", _with_mapping(_set(["records", "young_person", 0, "age"], 99)), BundleMappingInvalid),
    ("unknown record field", _with_mapping(_set(["records", "adult", 0, "password"], "x")), BundleMappingInvalid),
    ("record under the wrong kind", _with_mapping(lambda d: d["records"]["adult"].append(d["records"]["young_person"][0])), BundleMappingInvalid),
    ("an id that is not a UUID", _with_mapping(_set(["links", 0, "a_id"], "../../etc")), BundleMappingInvalid),
    ("unknown relation", _with_mapping(_set(["links", 0, "relation"], "owns")), BundleMappingInvalid),
    ("no school", _with_mapping(_drop("school")), BundleMappingInvalid),
    ("two items with one id", _with_mapping(_duplicate_ids), BundleMappingInvalid),
    ("mapping version 2", _with_mapping(_set(["version"], 2)), BundleTooNew),
]


@pytest.mark.parametrize(("build", "error"), [(b, e) for _, b, e in CASES], ids=[n for n, _, _ in CASES])
def test_a_hostile_bundle_gets_its_own_error(case: Case, build, error: type[SaferypError]) -> None:
    data = build(case)
    with pytest.raises(SaferypError) as caught:
        read_bundle(data, identity=case.parties.chair.age_identity)
    assert type(caught.value) is error, str(caught.value)
    message = str(caught.value)
    assert message.endswith(".") and "\n" not in message
    assert CHILD_NAME not in message and "Jordan" not in message


def test_every_check_of_the_reader_is_exercised() -> None:
    assert {error for _, _, error in CASES} | {
        # told apart with real keys and passphrases in test_bundle_format.py
        *[e for e in READ_ERRORS if e.__name__ in ("BundleWrongPassphrase", "BundlePassphraseRequired", "BundleKeyRequired", "BundleWrongKind")]
    } == set(READ_ERRORS)


def test_a_flipped_stanza_is_damage_or_not_for_this_key(case: Case) -> None:
    """age stanzas name no recipient: damage to the chair's own stanza reads as "not for you"."""
    header = case.bundle[: case.header_length]
    outcomes = []
    position = 0
    while (position := header.find(b"-> X25519 ", position)) >= 0:
        body = header.index(b"\n", position) + 1
        # Another valid base64 letter (a flip could make a character base64 does not have,
        # which is plain damage to the header whichever stanza it is in).
        replacement = b"A" if case.bundle[body + 5 : body + 6] != b"A" else b"B"
        data = case.bundle[: body + 5] + replacement + case.bundle[body + 6 :]
        with pytest.raises((BundleNotForThisKey, BundleDamaged)) as caught:
            read_bundle(data, identity=case.parties.chair.age_identity)
        outcomes.append(type(caught.value))
        position = body
    assert sorted(o.__name__ for o in outcomes) == ["BundleDamaged", "BundleNotForThisKey"]


def test_a_bundle_re_signed_by_another_key_is_caught_by_trust(case: Case) -> None:
    """A valid signature by a different key passes the reader; the stored key refuses it."""

    def claim_stranger(manifest: dict[str, Any]) -> None:
        manifest["sender"]["signing_key"] = base64.b64encode(
            case.parties.stranger.verify_key_bytes
        ).decode()

    data = case.rebuild(change=claim_stranger, signer=case.parties.stranger)
    verified = read_bundle(data, identity=case.parties.chair.age_identity)
    with pytest.raises(SignerChanged):
        check_signer(verified, case.parties.school.verify_key_bytes, None)


def test_a_forwarded_bundle_is_refused(case: Case) -> None:
    """The chair decrypts a school's bundle and passes it, sealed afresh, to a third party."""
    forwarded = seal(open_plain(case.bundle, case.parties.chair), case.parties.stranger.age_recipient)
    with pytest.raises(BundleMisaddressed) as caught:
        read_bundle(forwarded, identity=case.parties.stranger.age_identity)
    assert caught.value.exit_code == 67


# -- exit codes ---------------------------------------------------------------------------
def _all_errors() -> list[type[SaferypError]]:
    found, stack = [], list(SaferypError.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def test_each_bundle_failure_has_its_own_exit_code_in_50_to_79() -> None:
    ours = [*READ_ERRORS, *TRUST_ERRORS, RecipientInvalid]
    codes = [error.exit_code for error in ours]
    assert len(set(codes)) == len(codes)
    assert all(50 <= code <= 79 for code in codes)
    everyone = [error.exit_code for error in _all_errors()]
    assert len(everyone) == len(set(everyone)), "two error classes share an exit code"
    assert KeyCardInvalid.exit_code == 43
    table = dict(exit_code_table())
    for error in ours:
        assert table[error.exit_code] == error.default_message


def test_each_default_message_is_one_plain_sentence() -> None:
    for error in [*READ_ERRORS, *TRUST_ERRORS, RecipientInvalid, KeyCardInvalid]:
        message = error.default_message
        assert message[0].isupper() and message.endswith(".") and "\n" not in message, error
        assert len(message) < 200, error


def test_the_error_table_in_the_docs_is_complete() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "bundle-format.md").read_text()
    for error in [*READ_ERRORS, *TRUST_ERRORS, RecipientInvalid, KeyCardInvalid]:
        assert f"| {error.exit_code} | `{error.__name__}` |" in text, error.__name__
