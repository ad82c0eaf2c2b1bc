"""Real keys, real mappings and hand-made hostile bundles for the bundle tests.

Hostile bundles are built the way an attacker would: a ZIP written byte by byte
(so it can hold duplicates, lies about sizes, or unsafe names), a manifest signed
with a real Ed25519 key, the whole sealed with real age.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import pyrage

from saferyp_desktop.crypto import archive
from saferyp_desktop.crypto.bundle import (
    LIMITS,
    SIGNATURE_CONTEXT,
    SenderInfo,
    write_bundle,
)
from saferyp_desktop.crypto.keys import WorkspaceKeys
from saferyp_desktop.crypto.schemas import dump_json, load_json
from saferyp_desktop.domain.records import (
    Action,
    Adult,
    Attendee,
    Evidence,
    KeyConcern,
    Link,
    Location,
    Meeting,
    Membership,
    PeerGroup,
    Strength,
    YoungPerson,
)
from saferyp_desktop.domain.serialize import to_dict

SCHOOL_NAME = "Kingsbury Green Academy"
SCHOOL_URN = "126543"
CHILD_NAME = "Jordan Lee-Smith"
FIXED_CREATED = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def sample_records() -> tuple[list[Any], list[Link], list[Evidence]]:
    """One record of every kind, with links and evidence, as the domain makes them."""
    yp = YoungPerson(
        code="YP-01",
        name=CHILD_NAME,
        year_group=9,
        age=14,
        gender="male",
        known_to=["police", "Early Help"],
        worker_aware="yes",
        harm_categories=["cce", "county_lines"],
        concern_level="high",
        strengths="Loves football; trusts the PE teacher.",
        notes="Seen after school near the station.",
        last_confirmed=date(2025, 2, 20),
    )
    adult = Adult(
        code="AD-01",
        name="Man known as 'Tee'",
        aliases=["Tee", "T-Man"],
        approx_age=24,
        vehicle="Black hatchback",
        handles=["@tee_24"],
        harm_categories=["cce"],
        concern_level="high",
    )
    group = PeerGroup(
        code="PG-01",
        label="Station group",
        description="Five or six Year 9s",
        members=[Membership(person_id=yp.id, role="leader")],
        harm_categories=["cce"],
    )
    place = Location(
        code="LC-01",
        label="Railway station underpass",
        location_kind="transport hub",
        where="Underpass by platform 2",
        postcode="sn15 1aa",
        when="Weekdays 15:30-18:00",
        guardianship="CCTV; staff till 17:00",
        harm_categories=["cce"],
        rating="red",
    )
    strength = Strength(
        code="ST-01",
        label="Football club",
        strength_kind="positive activity",
        description="Tuesday and Thursday",
        linked_ids=[yp.id],
    )
    meeting = Meeting(
        code="MT-01",
        date=date(2025, 3, 12),
        venue="Chippenham",
        chair="A. Chair",
        attendees=[Attendee(name="Sam Patel", role="DSL", organisation="School")],
        bundles=[],
    )
    concern = KeyConcern(
        code="KC-01",
        text="Is the underpass group linked to the county line seen elsewhere?",
        is_question=True,
        linked_ids=[yp.id, place.id],
        meeting_id=meeting.id,
    )
    action = Action(
        code="AC-01",
        catalogue_key="mash_referral",
        sub_choice="Early Help",
        detail="Refer to MASH",
        linked_ids=[yp.id],
        owner_agency="school",
        due=date(2025, 3, 31),
        status="proposed",
        meeting_id=meeting.id,
    )
    links = [
        Link(a_id=yp.id, b_id=place.id, relation="spends time at", confidence="confirmed"),
        Link(a_id=adult.id, b_id=yp.id, relation="suspected of exploiting or pressuring"),
    ]
    evidence = [
        Evidence(
            subject_id=yp.id,
            observed=date(2025, 2, 18),
            source="staff_observation",
            how_known="first-hand",
            summary="Seen getting into a black hatchback.",
            recorded_by="DSL",
        ),
        Evidence(subject_id=links[1].id, observed=date(2025, 2, 19), source="peer_report"),
    ]
    return [yp, adult, group, place, strength, meeting, concern, action], links, evidence


@cache
def _sample() -> tuple[list[Any], list[Link], list[Evidence]]:
    return sample_records()


def mapping_document(records=None, links=None, evidence=None, **overrides: Any) -> dict[str, Any]:
    """A mapping.json document (the bundle's format) holding the given items.

    With no items, the same sample every time (same ids), so tests can compare.
    """
    if records is None:
        records, links, evidence = _sample()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        grouped.setdefault(record.kind.value, []).append(to_dict(record))
    document = {
        "format": "saferyp-mapping",
        "version": 1,
        "profile": "wiltshire",
        "data_level": "full",
        "demo": True,
        "school": {
            "name": SCHOOL_NAME,
            "urn": SCHOOL_URN,
            "phase": "secondary",
            "community_area": "Chippenham",
            "dsl": "Sam Patel",
            "deputy": "",
            "wisc_confirmed": "2025-01-10",
        },
        "meeting_date": "2025-03-12",
        "records": grouped,
        "links": [to_dict(link) for link in links or []],
        "evidence": [to_dict(item) for item in evidence or []],
    }
    document.update(overrides)
    return document


@dataclass
class Parties:
    school: WorkspaceKeys
    chair: WorkspaceKeys
    stranger: WorkspaceKeys

    @property
    def school_sender(self) -> SenderInfo:
        return SenderInfo(SCHOOL_NAME, SCHOOL_URN, "school", self.school)

    @property
    def chair_sender(self) -> SenderInfo:
        return SenderInfo("Community meeting chair", "", "chair", self.chair)


def submission(parties: Parties, **overrides: Any) -> bytes:
    """A valid submission from the school to the chair."""
    arguments: dict[str, Any] = {
        "kind": "submission",
        "sender": parties.school_sender,
        "recipients": [parties.chair.age_recipient],
        "passphrase": None,
        "mapping": mapping_document(),
        "briefing_pdf": b"%PDF-1.4\n% fictional briefing\n%%EOF\n",
        "sequence": 3,
        "created": FIXED_CREATED,
    }
    arguments.update(overrides)
    return write_bundle(**arguments)


def open_plain(bundle: bytes, keys: WorkspaceKeys) -> bytes:
    """The ZIP inside a bundle, decrypted with plain pyrage (no checks)."""
    return pyrage.decrypt(bundle, [keys.identity])


def members_of(bundle: bytes, keys: WorkspaceKeys) -> dict[str, bytes]:
    return archive.unpack(open_plain(bundle, keys), LIMITS)


def seal(plain: bytes, *recipients: str) -> bytes:
    return pyrage.encrypt(plain, [pyrage.x25519.Recipient.from_str(r) for r in recipients])


def sign(manifest: dict[str, Any] | bytes, keys: WorkspaceKeys) -> tuple[bytes, bytes]:
    """Manifest bytes as the writer lays them out, and a real signature over them."""
    data = manifest if isinstance(manifest, bytes) else dump_json(manifest, indent=2) + b"\n"
    return data, keys.signing_key.sign(SIGNATURE_CONTEXT + data)


def manifest_of(members: dict[str, bytes]) -> dict[str, Any]:
    return load_json(members["manifest.json"])


# -- a ZIP written by hand ---------------------------------------------------------------
@dataclass
class RawEntry:
    name: str | bytes
    data: bytes
    compress: bool = True
    declared_size: int | None = None  # lie about the uncompressed size
    crc: int | None = None  # lie about the checksum
    flags: int = 0
    method: int | None = None


def raw_zip(entries: list[RawEntry], *, prefix: bytes = b"", comment: bytes = b"") -> bytes:
    """A ZIP exactly as described, duplicates and lies included."""
    out = bytearray(prefix)
    central = bytearray()
    for entry in entries:
        name = entry.name.encode("utf-8") if isinstance(entry.name, str) else entry.name
        if entry.compress:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            stored = compressor.compress(entry.data) + compressor.flush()
            method = 8
        else:
            stored, method = entry.data, 0
        method = entry.method if entry.method is not None else method
        crc = entry.crc if entry.crc is not None else zlib.crc32(entry.data)
        size = entry.declared_size if entry.declared_size is not None else len(entry.data)
        offset = len(out)
        out += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, entry.flags, method, 0, 0x21, crc, len(stored), size, len(name), 0
        )
        out += name + stored
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02", 0x314, 20, entry.flags, method, 0, 0x21, crc, len(stored), size,
            len(name), 0, 0, 0, 0, 0o100644 << 16, offset,
        )  # fmt: skip
        central += name
    cd_offset = len(out)
    out += central
    out += struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), cd_offset, len(comment)
    )
    out += comment
    return bytes(out)


def zip_of(members: dict[str, bytes], **extra: bytes) -> bytes:
    """Re-pack members (plus extra ones) as a well-formed ZIP."""
    items = {**members, **extra}
    return raw_zip([RawEntry(name, data) for name, data in items.items()])


def make_parties() -> Parties:
    return Parties(WorkspaceKeys.generate(), WorkspaceKeys.generate(), WorkspaceKeys.generate())
