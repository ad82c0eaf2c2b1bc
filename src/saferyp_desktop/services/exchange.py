"""Bundles between a school and its meeting chair (DESIGN.md §4, §5; docs/bundle-format.md).

School side: :func:`set_chair` records whom the school sends to (``saferyp trust``);
:func:`export_bundle` writes a signed, encrypted submission (``saferyp bundle``);
:func:`open_outcomes` imports a meeting's outcomes from that chair (``saferyp open``).
Chair side: :func:`open_bundle` verifies a school's submission and stores it
(``saferyp open``); :func:`submissions`, :func:`submission_table` and
:func:`reverify_submission` are what the chair's inbox shows. The chair's work across
schools, the briefing pack and outcomes are in :mod:`services.chair`.

Nothing here imports Qt. Decrypted content lives in memory and, once accepted, in the
encrypted workspace only: no temporary file ever holds it. A refused bundle leaves the
workspace exactly as it was (every check runs before the one transaction that stores).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hmac
import os
import re
import stat
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from saferyp_desktop.crypto.bundle import (
    BRIEFING,
    MAPPING,
    MAPPING_FORMAT,
    MAPPING_VERSION,
    MAX_BUNDLE_BYTES,
    SenderInfo,
    VerifiedBundle,
    bundle_lock,
    check_not_replayed,
    check_signer,
    generate_bundle_passphrase,
    load_mapping,
    read_bundle,
    reverify,
    write_bundle,
)
from saferyp_desktop.crypto.keys import (
    KEY_CARD_MAX_BYTES,
    KeyCard,
    fingerprint,
    normalise_fingerprint,
    parse_key_card_bytes,
    parse_recipient,
)
from saferyp_desktop.domain.checks import Check, Finding, run_checks, summary
from saferyp_desktop.domain.diagram import layout
from saferyp_desktop.domain.levels import (
    DataLevel,
    NameScrubber,
    Scrub,
    redact,
    redact_evidence,
    redact_link,
    staff_name,
)
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Action,
    ActionOrigin,
    Evidence,
    Kind,
    Link,
    Meeting,
    MeetingStatus,
    Record,
    now,
)
from saferyp_desktop.domain.serialize import (
    evidence_from_dict,
    link_from_dict,
    record_from_dict,
    to_dict,
)
from saferyp_desktop.errors import (
    BundleMappingInvalid,
    BundleNotForThisKey,
    BundleSignatureInvalid,
    BundleTooLarge,
    ChairNotVerifiable,
    FileAlreadyExists,
    KeyCardInvalid,
    NotFromYourChair,
    OutcomesForAnotherSchool,
    RecipientInvalid,
    RecordInvalid,
    RecordNotFound,
    SignerChanged,
    UnknownSigner,
    UsageError,
)
from saferyp_desktop.services.workspace import Workspace
from saferyp_desktop.storage.atomic import write_atomic
from saferyp_desktop.storage.backups import backups_dir_for
from saferyp_desktop.storage.repository import OutcomeAction, StoredBundle, TrustedSender

__all__ = [
    "BUNDLE_SUFFIX",
    "DEFAULT_BUNDLE_LEVEL",
    "BundleResult",
    "ChairInfo",
    "OpenResult",
    "OutcomesOpened",
    "SubmissionSummary",
    "bundle_needs_passphrase",
    "chair",
    "check_out_path",
    "export_bundle",
    "find_meeting",
    "mapping_document",
    "open_bundle",
    "open_outcomes",
    "outcomes_from_mapping",
    "outcomes_received",
    "read_bundle_file",
    "reverify_submission",
    "set_chair",
    "stored_table",
    "submission_briefing",
    "submission_table",
    "submissions",
    "suggested_bundle_name",
]

BUNDLE_SUFFIX = ".sypbundle"
# A submission goes to the chair alone, under the information sharing charter: the chair
# matches adults and places across schools, which needs the school's full detail.
DEFAULT_BUNDLE_LEVEL = DataLevel.FULL
# The briefing printed inside a bundle is a document: printed documents default to initials.
BRIEFING_LEVEL = DataLevel.INITIALS

# School-side facts kept in `meta` (the chair a school sends to; its bundle counter).
META_CHAIR_RECIPIENT = "chair_recipient"
META_CHAIR_VERIFY_KEY = "chair_verify_key"  # base64 of the chair's Ed25519 public key
META_CHAIR_FINGERPRINT = "chair_fingerprint"
META_CHAIR_NAME = "chair_name"
META_CHAIR_ORGANISATION = "chair_organisation"
META_CHAIR_SET = "chair_set"
META_BUNDLE_SEQUENCE = "bundle_sequence"  # the last sequence number this workspace used
_CHAIR_KEYS = (
    META_CHAIR_RECIPIENT,
    META_CHAIR_VERIFY_KEY,
    META_CHAIR_FINGERPRINT,
    META_CHAIR_NAME,
    META_CHAIR_ORGANISATION,
    META_CHAIR_SET,
)
WITHHELD = "(withheld at the codes-only level)"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")  # 16/12/2026, as people write
_SIDE_SUFFIXES = ("-wal", "-shm", "-journal", ".lock")


# -- the chair a school sends to -----------------------------------------------------
@dataclass(frozen=True)
class ChairInfo:
    """The chair a school's bundles are encrypted to.

    ``fingerprint`` (and ``verify_key``) are known only when the chair was set from a
    key card; with a plain ``age1…`` recipient the chair's signature on outcomes cannot
    be checked against anything, which ``warning`` says.
    """

    recipient: str
    name: str = ""
    organisation: str = ""
    fingerprint: str | None = None
    verify_key: bytes | None = field(default=None, repr=False)
    set_at: str = ""
    replaced: ChairInfo | None = None

    @property
    def can_verify(self) -> bool:
        return self.verify_key is not None

    @property
    def warning(self) -> str:
        if self.can_verify:
            return ""
        return (
            "Only the chair's age key was given, so the chair's signature on outcomes "
            "cannot be checked; ask for the chair's key card (.sypkey) when you can."
        )


def chair(workspace: Workspace) -> ChairInfo | None:
    """The chair this school sends to, or None if none is set yet."""
    meta = workspace.repo.meta()
    recipient = meta.get(META_CHAIR_RECIPIENT)
    if not recipient:
        return None
    raw_key = meta.get(META_CHAIR_VERIFY_KEY)
    return ChairInfo(
        recipient=recipient,
        name=meta.get(META_CHAIR_NAME, ""),
        organisation=meta.get(META_CHAIR_ORGANISATION, ""),
        fingerprint=meta.get(META_CHAIR_FINGERPRINT) or None,
        verify_key=base64.b64decode(raw_key) if raw_key else None,
        set_at=meta.get(META_CHAIR_SET, ""),
    )


def _looks_like_recipient(text: str) -> bool:
    value = text.strip()
    return value.lower().startswith("age1") or "AGE-SECRET-KEY-" in value.upper()


def _read_small_file(path: Path, limit: int, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except FileNotFoundError:
        raise UsageError(f"There is no file called {path.name}; give {what}.") from None
    except OSError:
        raise UsageError(f"{path.name} cannot be read.") from None


def _resolve_chair_source(source: Path | str | KeyCard) -> KeyCard | str:
    """A chair's key card, or a plain recipient (``age1…``), from what the user gave."""
    if isinstance(source, KeyCard):
        if source.role != "chair":
            raise KeyCardInvalid(
                f"This is a {source.role}'s key card; a chair's key card is needed here."
            )
        return source
    text = str(source)
    if isinstance(source, str) and _looks_like_recipient(text) and not Path(text).exists():
        return parse_recipient(text)
    path = Path(source)
    data = _read_small_file(
        path, KEY_CARD_MAX_BYTES, "the chair's key card (.sypkey) or age public key (age1…)"
    )
    # A file holding just the chair's age public key (an age "recipients file") will do too.
    with contextlib.suppress(UnicodeDecodeError):
        lines = [
            line.strip()
            for line in data.decode("utf-8").removeprefix("\ufeff").splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
        if len(lines) == 1 and _looks_like_recipient(lines[0]):
            return parse_recipient(lines[0])
    return parse_key_card_bytes(data, expect_role="chair")


def set_chair(workspace: Workspace, source: Path | str | KeyCard) -> ChairInfo:
    """Record the chair this school sends bundles to, from a key card or a plain recipient.

    ``source`` is a key card file (``.sypkey``), a :class:`KeyCard` already read, or a
    plain ``age1…`` recipient. A key card also gives the chair's signing key and
    fingerprint, so outcomes from the chair can be verified later. Replaces any chair set
    before (the returned info names it). Audit event "chair set".
    """
    if workspace.details.role != "school":
        raise UsageError(
            "A chair's workspace does not send to a chair; a school's key is trusted when "
            "its first bundle is opened."
        )
    resolved = _resolve_chair_source(source)
    own = workspace.keys()
    if isinstance(resolved, KeyCard):
        if (
            resolved.age_recipient == own.age_recipient
            or resolved.verify_key == own.verify_key_bytes
        ):
            raise KeyCardInvalid("That is this workspace's own key card, not the chair's.")
        info = ChairInfo(
            recipient=resolved.age_recipient,
            name=resolved.name,
            organisation=resolved.organisation,
            fingerprint=resolved.fingerprint,
            verify_key=resolved.verify_key,
        )
    else:
        if resolved == own.age_recipient:
            raise RecipientInvalid("That is this workspace's own age key, not the chair's.")
        info = ChairInfo(recipient=resolved)
    previous = chair(workspace)
    stamp = now().isoformat()
    values = {META_CHAIR_RECIPIENT: info.recipient, META_CHAIR_SET: stamp}
    if info.verify_key is not None:
        values[META_CHAIR_VERIFY_KEY] = base64.b64encode(info.verify_key).decode("ascii")
        values[META_CHAIR_FINGERPRINT] = info.fingerprint or fingerprint(info.verify_key)
    if info.name:
        values[META_CHAIR_NAME] = info.name
    if info.organisation:
        values[META_CHAIR_ORGANISATION] = info.organisation
    repo = workspace.repo
    with workspace.db.transaction():
        repo.delete_meta(_CHAIR_KEYS)
        repo.set_meta(values)
        repo.audit("chair set")
    return dataclasses.replace(info, set_at=stamp, replaced=previous)


# -- the mapping document a bundle carries -----------------------------------------------
def _record_view(record: Record, level: DataLevel, ids: set[str], scrub: Scrub | None) -> Record:
    """``record`` at ``level``, its references trimmed to the records the bundle carries."""
    view = redact(record, level, scrub)
    changes: dict[str, Any] = {}
    if hasattr(view, "linked_ids"):
        changes["linked_ids"] = [i for i in view.linked_ids if i in ids]
    if hasattr(view, "meeting_id") and view.meeting_id not in ids:
        changes["meeting_id"] = None
    if hasattr(view, "members"):
        changes["members"] = [m for m in view.members if m.person_id in ids]
    if isinstance(view, Action) and getattr(record, "rationale", "") and not view.rationale:
        # An action not taken forward must give a reason; say it was withheld, not absent.
        changes["rationale"] = WITHHELD
    return dataclasses.replace(view, **changes) if changes else view


def _sort_key(record: Record) -> tuple[int, int, str]:
    return (list(Kind).index(record.kind), len(record.code), record.code)


def diagram_positions(workspace: Workspace) -> dict[str, tuple[float, float]]:
    """Where every node of the school's spider diagram is drawn (by record id), laid
    out around the nodes the DSL dragged: the bundle carries them, so the chair and the
    pack show the diagram as the school sees it."""
    drawn = layout(workspace.table(), pinned=workspace.diagram_positions() or None)
    return {
        node_id: (round(x, 1), round(y, 1)) for node_id, (x, y) in drawn.positions().items()
    }


def mapping_document(
    workspace: Workspace,
    level: DataLevel | str,
    meeting: Meeting | None,
    positions: dict[str, tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """The workspace's mapping table as ``mapping.json`` (docs/schemas/mapping.schema.json).

    Active records only (retired ones stay at the school); links between two of them
    and evidence on them. Every record goes through :func:`domain.levels.redact`; below
    full names, staff and attendee names become initials (codes: nothing), and at the
    codes level the free text of links and evidence goes too. ``meeting``, if given,
    stands in for the stored record of the same id (so an export can send the meeting
    as it will be once sent), and its date is the document's ``meeting_date``.
    ``positions`` (:func:`diagram_positions`, worked out if not given) place the
    diagram's nodes.
    """
    level = DataLevel(level)
    table = workspace.table()
    scrub = NameScrubber(table) if level == DataLevel.INITIALS else None
    records = [r for r in table.records.values() if r.active]
    if meeting is not None:
        records = [meeting if r.id == meeting.id else r for r in records]
        if all(r.id != meeting.id for r in records):
            records.append(meeting)
    ids = {r.id for r in records}
    grouped: dict[str, list[dict[str, Any]]] = {kind.value: [] for kind in Kind}
    for record in sorted(records, key=_sort_key):
        grouped[record.kind.value].append(to_dict(_record_view(record, level, ids, scrub)))
    links = [
        link
        for link in table.links.values()
        if link.active and link.a_id in ids and link.b_id in ids
    ]
    link_ids = {link.id for link in links}
    evidence = [
        item
        for item in table.evidence.values()
        if item.active and (item.subject_id in ids or item.subject_id in link_ids)
    ]
    details = workspace.details
    if positions is None:
        positions = diagram_positions(workspace)
    return {
        "format": MAPPING_FORMAT,
        "version": MAPPING_VERSION,
        "profile": details.profile,
        "data_level": level.value,
        "demo": bool(details.demo),
        "school": {
            "name": " ".join(details.name.split()),
            "urn": details.urn,
            "phase": details.phase,
            "community_area": details.community_area,
            "dsl": staff_name(details.dsl, level),
            "deputy": staff_name(details.deputy, level),
            "wisc_confirmed": details.wisc_confirmed,
        },
        "meeting_date": meeting.date.isoformat() if meeting is not None else None,
        "records": grouped,
        "links": [
            to_dict(redact_link(link, level, scrub)) for link in sorted(links, key=lambda x: x.id)
        ],
        "evidence": [
            to_dict(redact_evidence(item, level, scrub))
            for item in sorted(evidence, key=lambda x: x.id)
        ],
        "diagram": {
            node_id: [x, y] for node_id, (x, y) in sorted(positions.items()) if node_id in ids
        },
    }


# -- exporting a submission --------------------------------------------------------------
@dataclass(frozen=True)
class BundleResult:
    """What :func:`export_bundle` wrote, and what the DSL tells the chair."""

    path: Path
    bundle_id: str
    sequence: int
    fingerprint: str  # this school's, to read to the chair when it is a first bundle
    level: DataLevel
    meeting_date: date
    recipients: list[str]  # the chair's recipient (the school's own is added too); or empty
    # The six words, when no chair is set: read them out by phone; never in a repr or log.
    passphrase: str | None = field(repr=False)
    chair: ChairInfo | None
    briefing_included: bool
    size: int

    @property
    def locked_with_passphrase(self) -> bool:
        return self.passphrase is not None


def date_hint(text: str) -> str:
    """What to say when ``text`` is not a YYYY-MM-DD date: the date it looks like, written
    the way the program reads dates, if it is one written day first (16/12/2026)."""
    written = _DAY_FIRST_DATE.fullmatch(text.strip())
    if written:
        day, month, year = (int(part) for part in written.groups())
        with contextlib.suppress(ValueError):
            return f"Write the meeting's date as {date(year, month, day).isoformat()} (year, month, day)."
    return f"“{text}” is not a meeting date (YYYY-MM-DD)."


def find_meeting(workspace: Workspace, ref: str | None = None) -> Meeting:
    """A meeting by its date (``YYYY-MM-DD``), code (``MT-02``) or id; or, with no
    ``ref``, the next upcoming one."""
    table = workspace.table()
    if ref is None:
        meeting = workspace.next_meeting()
        if meeting is None:
            raise UsageError(
                "There is no upcoming meeting to send this bundle for; add one in the desktop "
                "program (Meetings, or File ▸ Prepare for a meeting) or on the Meetings sheet "
                "of a spreadsheet you import, or name one by its date (YYYY-MM-DD)."
            )
        return meeting
    ref = ref.strip()
    meetings = [m for m in table.of_kind(Kind.MEETING) if isinstance(m, Meeting)]
    if _ISO_DATE.fullmatch(ref):
        try:
            day = date.fromisoformat(ref)
        except ValueError:
            raise UsageError(f"“{ref}” is not a date (YYYY-MM-DD).") from None
        meeting = table.meeting_on(day)
        if meeting is None:
            raise RecordNotFound(
                f"There is no meeting on {day.isoformat()} in this workspace; add it in the "
                "desktop program (Meetings) or on the Meetings sheet of a spreadsheet you import."
            )
        return meeting
    found = [m for m in meetings if ref in (m.id, m.code)]
    if not found and _DAY_FIRST_DATE.fullmatch(ref):
        raise UsageError(date_hint(ref))
    if not found:
        raise RecordNotFound(
            "There is no such meeting in this workspace; name it by its date (YYYY-MM-DD)."
        )
    return found[0]


def suggested_bundle_name(workspace: Workspace, meeting: Meeting) -> str:
    """``submission-<URN>-<meeting date>.sypbundle``: no personal name in a file name."""
    return f"submission-{workspace.details.urn}-{meeting.date.isoformat()}{BUNDLE_SUFFIX}"


def _briefing(
    workspace: Workspace, meeting: Meeting, positions: dict[str, tuple[float, float]]
) -> bytes | None:
    """The briefing PDF at initials, to travel inside the bundle, its diagram drawn as
    the bundle places it."""
    from saferyp_desktop.services.briefing import briefing_bytes  # reportlab: only when sent

    return bytes(
        briefing_bytes(
            workspace, level=BRIEFING_LEVEL, meeting_id=meeting.id, diagram_positions=positions
        )
    )


def check_out_path(workspace: Workspace, out: Path, overwrite: bool, what: str = "bundle") -> Path:
    """``out`` resolved, once it is sure a file may be written there: not over the workspace,
    its side files or its backups; in a folder that exists; not over a file unless
    ``overwrite`` (FileAlreadyExists)."""
    out = Path(out)
    target = out.resolve()
    own = workspace.path.resolve()
    protected = {own, *(own.with_name(own.name + s) for s in _SIDE_SUFFIXES)}
    if target in protected or target.parent == backups_dir_for(own).resolve():
        raise UsageError(f"A {what} cannot be written over the workspace or its own files.")
    if not target.parent.is_dir():
        raise UsageError(f"The folder for {out.name} does not exist.")
    if target.exists() and target.is_dir():
        raise UsageError(f"{out.name} is a folder; name the {what} file to write.")
    if os.path.lexists(target) and not overwrite:
        raise FileAlreadyExists(f"{out.name} already exists; choose another name or replace it.")
    return target


# -- writing a file with its record ----------------------------------------------------------
def write_with_record(
    workspace: Workspace,
    target: Path,
    data: bytes,
    overwrite: bool,
    name: str,
    record: Callable[[], None],
) -> None:
    """Write ``data`` to ``target`` in the same transaction as ``record()`` stores what goes
    with it: both happen, or (the file removed again) neither."""
    existed = os.path.lexists(target)
    placed = False
    try:
        with workspace.db.transaction():
            record()
            if os.path.lexists(target) and not overwrite:
                raise FileAlreadyExists(
                    f"{name} already exists; choose another name or replace it."
                )
            write_atomic(target, data)
            placed = True
    except BaseException:
        if placed and not existed:
            with contextlib.suppress(OSError):
                target.unlink()
        raise


def export_bundle(
    workspace: Workspace,
    out: Path,
    *,
    meeting_id: str | None = None,
    level: DataLevel | str = DEFAULT_BUNDLE_LEVEL,
    include_briefing: bool = True,
    overwrite: bool = False,
) -> BundleResult:
    """Write the school's signed, encrypted submission for a meeting to ``out``.

    Encrypted to the chair set with :func:`set_chair` (and the school's own key), or,
    with no chair yet, to a generated six-word passphrase returned in the result. The
    bundle's sequence number is the last one plus one; it is stored, the meeting is
    marked submitted (and given the bundle id) and the audit event "bundle exported"
    recorded in one transaction with writing the file: either all of it happens or,
    on any failure, none (the file is not written, or is removed again).
    """
    if workspace.details.role != "school":
        raise UsageError(
            "Only a school's workspace sends a submission; outcomes for schools come in a "
            "later version."
        )
    level = DataLevel(level)
    meeting = find_meeting(workspace, meeting_id)
    target = check_out_path(workspace, out, overwrite)
    repo = workspace.repo
    last = int(repo.meta().get(META_BUNDLE_SEQUENCE, "0"))
    sequence = last + 1
    bundle_id = str(uuid.uuid4())
    sent = dataclasses.replace(
        meeting,
        status=(
            MeetingStatus.SUBMITTED.value
            if meeting.status == MeetingStatus.PREPARING.value
            else meeting.status
        ),
        bundles=[*meeting.bundles, bundle_id],
        updated=max(now(), meeting.created),
    )
    positions = diagram_positions(workspace)
    document = mapping_document(workspace, level, sent, positions)
    briefing = _briefing(workspace, meeting, positions) if include_briefing else None
    chair_info = chair(workspace)
    keys = workspace.keys()
    passphrase = None if chair_info else generate_bundle_passphrase()
    data = write_bundle(
        kind="submission",
        sender=SenderInfo(workspace.details.name, workspace.details.urn, "school", keys),
        recipients=[chair_info.recipient] if chair_info else None,
        passphrase=passphrase,
        mapping=document,
        briefing_pdf=briefing,
        sequence=sequence,
        bundle_id=bundle_id,
    )
    def record() -> None:
        if int(repo.meta().get(META_BUNDLE_SEQUENCE, "0")) != last:
            raise UsageError("Another bundle was exported at the same time; export again.")
        repo.set_meta({META_BUNDLE_SEQUENCE: str(sequence)})
        repo.save_record(sent)
        repo.audit("bundle exported", [sent.id])

    write_with_record(workspace, target, data, overwrite, Path(out).name, record)
    workspace.table().put(sent)
    return BundleResult(
        path=Path(out),
        bundle_id=bundle_id,
        sequence=sequence,
        fingerprint=keys.fingerprint,
        level=level,
        meeting_date=meeting.date,
        recipients=[chair_info.recipient] if chair_info else [],
        passphrase=passphrase,
        chair=chair_info,
        briefing_included=briefing is not None,
        size=len(data),
    )


# -- opening a bundle ------------------------------------------------------------------
def read_bundle_file(path: Path) -> bytes:
    """A bundle file's bytes, refusing before reading anything larger than any bundle."""
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)  # non-blocking, so a FIFO cannot hang us
    except FileNotFoundError:
        raise UsageError(f"There is no file called {path.name}.") from None
    except OSError:
        raise UsageError(f"{path.name} cannot be read.") from None
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise UsageError(f"{path.name} cannot be read.") from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UsageError(f"{path.name} is not a file.")
    if info.st_size > MAX_BUNDLE_BYTES:
        os.close(fd)
        raise BundleTooLarge()
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_BUNDLE_BYTES + 1)
        except OSError:
            raise UsageError(f"{path.name} cannot be read.") from None
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleTooLarge()
    return data


def bundle_needs_passphrase(path: Path) -> bool:
    """Whether a bundle file is locked with a passphrase (reads its header only; raises
    the bundle error for a file that is not a bundle at all)."""
    return bundle_lock(read_bundle_file(path)) == "passphrase"


@dataclass(frozen=True)
class OpenResult:
    """A submission :func:`open_bundle` verified and stored."""

    submission_id: int
    bundle_id: str
    kind: str
    school: str
    urn: str
    sequence: int
    fingerprint: str
    new_signer: bool  # a first key, accepted now with its fingerprint confirmed
    meeting_date: date | None
    level: DataLevel
    demo: bool
    locked_with_passphrase: bool
    briefing_included: bool
    superseded: list[int]
    counts: dict[Kind, int]
    findings: list[Finding]
    # The fingerprint of the school's key this bundle's key replaced now (confirmed by
    # phone), or None when the key was already trusted or is a first key.
    replaced_fingerprint: str | None = None

    @property
    def finding_counts(self) -> dict[Check, int]:
        return summary(self.findings)


def _invalid(where: str, what: str) -> BundleMappingInvalid:
    return BundleMappingInvalid(
        f"The mapping table in the bundle is not valid ({where} {what}); it was not opened."
    )


def table_from_mapping(mapping: dict[str, Any]) -> MappingTable:
    """A mapping.json document (already schema-checked) as a :class:`MappingTable`, with
    every record, link and evidence entry valid and every reference inside the document.

    Raises BundleMappingInvalid naming the place and the record code, never its content.
    """
    records: list[Record] = []
    for kind, items in mapping["records"].items():
        for index, data in enumerate(items):
            where = f"records/{kind}/{index} ({data.get('code') or 'no code'})"
            if data.get("kind") != kind:
                raise _invalid(where, "is filed under the wrong kind")
            try:
                record = record_from_dict(data)
                record.validate()
            except RecordInvalid:
                raise _invalid(where, "breaks a rule of its kind") from None
            if not record.code:
                raise _invalid(where, "has no code")
            records.append(record)
    ids = {r.id for r in records}
    codes = Counter(r.code for r in records)
    doubled = sorted(code for code, n in codes.items() if n > 1)
    if doubled:
        raise _invalid(f"record code {doubled[0]}", "is used twice")
    for record in records:
        where = f"{record.code}"
        refs = list(getattr(record, "linked_ids", []))
        refs += [m.person_id for m in getattr(record, "members", [])]
        meeting_id = getattr(record, "meeting_id", None)
        if meeting_id is not None:
            refs.append(meeting_id)
        if any(ref not in ids for ref in refs):
            raise _invalid(where, "refers to a record the bundle does not hold")
    links: list[Link] = []
    for index, data in enumerate(mapping["links"]):
        try:
            link = link_from_dict(data)
            link.validate()
        except RecordInvalid:
            raise _invalid(f"links/{index}", "is not a valid link") from None
        if link.a_id not in ids or link.b_id not in ids:
            raise _invalid(f"links/{index}", "joins a record the bundle does not hold")
        links.append(link)
    link_ids = {link.id for link in links}
    evidence: list[Evidence] = []
    for index, data in enumerate(mapping["evidence"]):
        try:
            item = evidence_from_dict(data)
            item.validate()
        except RecordInvalid:
            raise _invalid(f"evidence/{index}", "is not a valid evidence entry") from None
        if item.subject_id not in ids and item.subject_id not in link_ids:
            raise _invalid(
                f"evidence/{index}", "is about a record or link the bundle does not hold"
            )
        evidence.append(item)
    placed = sorted(set(mapping.get("diagram", {})) - ids)
    if placed:
        raise _invalid("diagram", "places a record the bundle does not hold")
    return MappingTable.of(records, links, evidence)


def _check_school(verified: VerifiedBundle) -> None:
    if verified.mapping["school"]["urn"] != verified.sender_urn:
        raise BundleMappingInvalid(
            "The mapping table in the bundle is for another school than the one that signed "
            "it; it was not opened."
        )


def _findings(
    table: MappingTable, meeting_date: date | None, received: datetime, weeks: int
) -> list[Finding]:
    return run_checks(table, meeting_date or received.date(), weeks)


def _meeting_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def open_bundle(
    workspace: Workspace,
    path: Path,
    *,
    accept_new_key: str | None = None,
    passphrase: str | None = None,
    replace_key: str | None = None,
) -> OpenResult | OutcomesOpened:
    """Verify a bundle and store it in the workspace, or raise why not (changing nothing).

    Chair role: a school's submission. In order: the file's size (read with a cap), then
    :func:`crypto.bundle.read_bundle` with the workspace's identity (or ``passphrase``,
    for a bundle locked with one) — decryption, archive, manifest, signature, addressing,
    kind, hashes, mapping schema — then the signer: a school seen before must use the key
    it used before (SignerChanged); a first bundle is refused (UnknownSigner, whose
    sentence shows the fingerprint) unless ``accept_new_key`` is that fingerprint, as
    confirmed by phone (FingerprintMismatch otherwise); then not opened before
    (AlreadyImported) nor older than the last from that school signed with the same key
    (Replayed: a school's new workspace numbers its bundles from 1 again); then every
    reference in the mapping. Only then, in one transaction: the submission (the exact
    signed bytes), the school's key on first acceptance, older submissions from that school
    for the same meeting marked superseded by this one, and the audit event.

    A known school's bundle signed with another key (it set up a new workspace) raises
    SignerChanged, carrying the new fingerprint, the school, its URN and since when the
    old key was trusted. With ``replace_key``, that new key's fingerprint as confirmed by
    phone (FingerprintMismatch otherwise), the same transaction also replaces the school's
    trusted key and recipient with the bundle's and records "school key replaced" (the
    URN and both fingerprints); bundles signed with the old key are refused from then on,
    and its submissions stay on record and verifiable. ``replace_key`` for a bundle signed
    with the trusted key is ignored if it is that key's fingerprint (FingerprintMismatch
    if not), and a UsageError for a first bundle; with ``accept_new_key`` too, a UsageError.

    School role: the outcomes of a meeting from the school's chair, see :func:`open_outcomes`.
    """
    if workspace.details.role != "chair":
        return open_outcomes(workspace, path, passphrase=passphrase)
    accept = _fingerprint_given(accept_new_key)
    replace = _fingerprint_given(replace_key)
    if accept is not None and replace is not None:
        raise UsageError("Accept a school's first key or replace a school's key, not both at once.")
    data = read_bundle_file(Path(path))
    keys = workspace.keys()
    if bundle_lock(data) == "passphrase":
        verified = read_bundle(data, passphrase=passphrase, expect_kind="submission")
    else:
        verified = read_bundle(data, identity=keys.age_identity, expect_kind="submission")
    del data
    repo = workspace.repo
    urn = verified.sender_urn
    trusted = repo.trusted_sender(urn)
    try:
        replacing = check_signer(verified, trusted.verify_key if trusted else None, accept, replace)
    except UnknownSigner as error:
        # For the caller's confirmation dialog: who signed it, as the bundle says.
        error.fingerprint = verified.fingerprint  # type: ignore[attr-defined]
        error.school = verified.sender_name  # type: ignore[attr-defined]
        error.urn = verified.sender_urn  # type: ignore[attr-defined]
        raise
    except SignerChanged as error:
        # For the dialog offering to replace the key: the school as the chair knows it.
        if trusted is not None:
            error.school = trusted.name
            error.trusted_since = trusted.first_seen
        raise
    seen = {verified.bundle_id} if repo.bundle_seen(verified.bundle_id) else set()
    # Per key: a school's new workspace numbers its bundles from 1 again.
    check_not_replayed(verified, seen, repo.last_sequence(verified.kind, urn, verified.fingerprint))
    _check_school(verified)
    table = table_from_mapping(verified.mapping)

    received = now()
    meeting_date = verified.mapping["meeting_date"]
    stored = StoredBundle(
        bundle_id=verified.bundle_id,
        kind=verified.kind,
        sender_urn=urn,
        sender_name=verified.sender_name,
        fingerprint=verified.fingerprint,
        verify_key=verified.verify_key,
        sequence=verified.sequence,
        created=verified.manifest["created"],
        received=received.isoformat(),
        meeting_date=meeting_date,
        data_level=verified.mapping["data_level"],
        manifest=verified.manifest_bytes,
        signature=verified.signature,
        mapping=verified.members[MAPPING],
        briefing=verified.members.get(BRIEFING),
    )
    sender = TrustedSender(
        urn=urn,
        name=verified.sender_name,
        verify_key=verified.verify_key,
        fingerprint=verified.fingerprint,
        age_recipient=verified.sender_recipient,
        first_seen=received.isoformat(),
    )
    with workspace.db.transaction():
        if trusted is None:
            repo.add_trusted_sender(sender)
        elif replacing:
            repo.replace_trusted_key(sender)  # audit "school key replaced", old key on record
        else:
            repo.update_trusted_sender_details(urn, verified.sender_name, verified.sender_recipient)
        new_id = repo.add_bundle(stored)
        superseded = repo.superseded_ids(new_id)
        repo.audit("submission imported", [verified.bundle_id])
    return OpenResult(
        submission_id=new_id,
        bundle_id=verified.bundle_id,
        kind=verified.kind,
        school=verified.sender_name,
        urn=urn,
        sequence=verified.sequence,
        fingerprint=verified.fingerprint,
        new_signer=trusted is None,
        meeting_date=_meeting_date(meeting_date),
        level=DataLevel(verified.mapping["data_level"]),
        demo=bool(verified.mapping["demo"]),
        locked_with_passphrase=verified.locked_with_passphrase,
        briefing_included=verified.briefing is not None,
        superseded=superseded,
        counts=table.counts(),
        findings=_findings(
            table, _meeting_date(meeting_date), received, workspace.profile.currency_window_weeks
        ),
        replaced_fingerprint=trusted.fingerprint if replacing and trusted else None,
    )


def _fingerprint_given(text: str | None) -> str | None:
    """A fingerprint the chair typed, in its printed form; UsageError if it is not one."""
    if text is None:
        return None
    given = normalise_fingerprint(text)
    if given is None:
        raise UsageError(
            "That is not written like a fingerprint (five groups of four letters and digits)."
        )
    return given


# -- a school opens its outcomes ------------------------------------------------------------
@dataclass(frozen=True)
class OutcomesOpened:
    """Outcomes :func:`open_outcomes` verified and imported into a school's workspace."""

    submission_id: int  # the row keeping the bundle, as signed, in ``submissions``
    bundle_id: str
    kind: str  # "outcomes"
    chair: str  # the chair's name, as signed
    fingerprint: str  # the chair's
    sequence: int
    meeting_date: date
    meeting_id: str  # the school's meeting the actions are filed under
    meeting_code: str
    meeting_added: bool  # the school had no meeting on that date: one was added
    added: list[str]  # codes of the actions added
    updated: list[str]  # codes of actions imported before that these outcomes changed
    kept_status: list[str]  # of those, the ones whose status the school had moved on (kept)
    unlinked: int  # references to records this school does not hold, left out
    superseded: list[int]


def _outcomes_invalid(where: str, what: str) -> BundleMappingInvalid:
    return BundleMappingInvalid(
        f"The outcomes in the bundle are not valid ({where} {what}); they were not opened."
    )


def outcomes_from_mapping(mapping: dict[str, Any]) -> tuple[Meeting, list[Action]]:
    """An outcomes ``mapping.json`` (already schema-checked) as its meeting and the
    actions agreed at it, each valid. Outcomes carry nothing else: no young people, adults,
    places, links or evidence. An action's ``linked_ids`` name the school's own records,
    which the bundle does not carry."""
    records = mapping["records"]
    others = sorted(k for k, items in records.items() if items and k not in ("meeting", "action"))
    if others:
        raise _outcomes_invalid(f"records/{others[0]}", "is not part of a meeting's outcomes")
    if mapping["links"] or mapping["evidence"]:
        raise _outcomes_invalid("links and evidence", "are not part of a meeting's outcomes")
    meetings = records.get(Kind.MEETING.value, [])
    if len(meetings) != 1:
        raise _outcomes_invalid("records/meeting", "does not hold exactly one meeting")
    parsed: list[Record] = []
    for kind in (Kind.MEETING, Kind.ACTION):
        for index, data in enumerate(records.get(kind.value, [])):
            where = f"records/{kind.value}/{index} ({data.get('code') or 'no code'})"
            if data.get("kind") != kind.value:
                raise _outcomes_invalid(where, "is filed under the wrong kind")
            try:
                record = record_from_dict(data)
                record.validate()
            except RecordInvalid:
                raise _outcomes_invalid(where, "breaks a rule of its kind") from None
            parsed.append(record)
    meeting = parsed[0]
    assert isinstance(meeting, Meeting)
    if mapping["meeting_date"] != meeting.date.isoformat():
        raise _outcomes_invalid("meeting_date", "is not the date of the meeting")
    actions: list[Action] = []
    for record in parsed[1:]:
        assert isinstance(record, Action)
        if record.origin != ActionOrigin.MEETING.value or record.meeting_id != meeting.id:
            raise _outcomes_invalid(record.code or "an action", "was not agreed at the meeting")
        actions.append(record)
    return meeting, actions


def _school_meeting(
    workspace: Workspace, chair_meeting: Meeting, stamp: datetime
) -> tuple[Meeting, bool]:
    """The school's meeting on the outcomes' date, marked held, with what the meeting said
    about this school; or a new one from the chair's record if the school has none."""
    urn = workspace.details.urn
    said = [d for d in chair_meeting.discussions if d.subject == urn]
    own = workspace.table().meeting_on(chair_meeting.date)
    if own is None:
        return (
            Meeting(
                date=chair_meeting.date,
                venue=chair_meeting.venue,
                chair=chair_meeting.chair,
                attendees=list(chair_meeting.attendees),
                apologies=list(chair_meeting.apologies),
                discussions=said,
                status=MeetingStatus.HELD.value,
                created=stamp,
                updated=stamp,
            ),
            True,
        )
    discussions = [d for d in own.discussions if d.subject != urn] + said
    changed = dataclasses.replace(
        own,
        status=MeetingStatus.HELD.value,
        venue=own.venue or chair_meeting.venue,
        discussions=discussions,
    )
    if changed == own:
        return own, False
    changed.updated = max(stamp, own.created)
    return changed, False


def open_outcomes(
    workspace: Workspace, path: Path, *, passphrase: str | None = None
) -> OutcomesOpened:
    """Verify a meeting's outcomes and import their actions into this school's records, or
    raise why not (changing nothing).

    In order: the bundle's checks (:func:`crypto.bundle.read_bundle`, kind "outcomes");
    signed by the chair this school set from a key card (ChairNotVerifiable when the chair
    was set from a plain ``age1…`` key, NotFromYourChair for any other signer); not opened
    before (AlreadyImported) nor older than the last outcomes opened (Replayed); for this
    school's URN (OutcomesForAnotherSchool); a valid meeting and actions. Then, in one
    transaction: each action as the school's own record (a new code; linked to the school's
    records by the ids the school sent), the school's meeting on that date marked held, the
    bundle kept as signed in ``submissions``, and the audit event "outcomes imported".
    Outcomes sent again (a newer bundle) update the actions imported before, keeping a
    status the school has moved on since.
    """
    if workspace.details.role != "school":
        raise UsageError("Only a school's workspace opens a meeting's outcomes.")
    data = read_bundle_file(Path(path))
    keys = workspace.keys()
    try:
        if bundle_lock(data) == "passphrase":
            verified = read_bundle(data, passphrase=passphrase, expect_kind="outcomes")
        else:
            verified = read_bundle(data, identity=keys.age_identity, expect_kind="outcomes")
    except BundleNotForThisKey:
        raise BundleNotForThisKey(
            "This bundle was not encrypted to this school's key (it is for another school, or "
            "another workspace), so it cannot be opened here."
        ) from None
    del data
    info = chair(workspace)
    if info is None:
        raise ChairNotVerifiable(
            "No chair is set in this workspace, so outcomes cannot be checked; set the chair "
            "from their key card (.sypkey) with “saferyp trust”, then open the outcomes again."
        )
    if info.verify_key is None:
        raise ChairNotVerifiable()
    if verified.sender_role != "chair" or not hmac.compare_digest(
        info.verify_key, verified.verify_key
    ):
        raise NotFromYourChair(
            f"These outcomes are signed by a key other than that of the chair this school set "
            f"(fingerprint {verified.fingerprint}, not {info.fingerprint}), so they were not "
            "opened; check with the chair."
        )
    repo = workspace.repo
    seen = {verified.bundle_id} if repo.bundle_seen(verified.bundle_id) else set()
    # Per chair key: a school that changes chair still takes the new chair's first outcomes.
    last = repo.last_sequence(verified.kind, verified.sender_urn, verified.fingerprint)
    check_not_replayed(verified, seen, last)
    if verified.mapping["school"]["urn"] != workspace.details.urn:
        raise OutcomesForAnotherSchool()
    chair_meeting, incoming = outcomes_from_mapping(verified.mapping)

    stamp = now()
    table = workspace.table()
    meeting, meeting_added = _school_meeting(workspace, chair_meeting, stamp)
    imported = repo.outcome_actions()
    known = set(table.records)  # retired records too: a link to one is still the school's
    changes: list[tuple[Action, Action, bool, bool]] = []  # (school's, chair's, new, status kept)
    unlinked = 0
    for theirs in incoming:
        linked = [i for i in dict.fromkeys(theirs.linked_ids) if i in known]
        unlinked += len(set(theirs.linked_ids)) - len(linked)
        fields: dict[str, Any] = {
            "catalogue_key": theirs.catalogue_key,
            "sub_choice": theirs.sub_choice,
            "detail": theirs.detail,
            "linked_ids": linked,
            "owner_agency": theirs.owner_agency,
            "due": theirs.due,
            "status": theirs.status,
            "rationale": theirs.rationale,
            "origin": ActionOrigin.MEETING.value,
            "meeting_id": meeting.id,
            "cluster_key": theirs.cluster_key,
            "school_urn": "",
        }
        before = imported.get(theirs.id)
        ours = table.get(before.record_id) if before is not None else None
        if not isinstance(ours, Action):
            changes.append((Action(created=stamp, updated=stamp, **fields), theirs, True, False))
            continue
        kept = ours.status != before.imported_status  # the school moved it on since
        if kept:
            fields["status"] = ours.status
            fields["rationale"] = theirs.rationale or ours.rationale
        after = dataclasses.replace(ours, **fields)
        if after != ours:
            after.updated = max(stamp, ours.created)
        changes.append((after, theirs, False, kept and after != ours))
    for record, *_ in changes:
        record.validate()
    meeting.validate()

    stored = StoredBundle(
        bundle_id=verified.bundle_id,
        kind=verified.kind,
        sender_urn=verified.sender_urn,
        sender_name=verified.sender_name,
        fingerprint=verified.fingerprint,
        verify_key=verified.verify_key,
        sequence=verified.sequence,
        created=verified.manifest["created"],
        received=stamp.isoformat(),
        meeting_date=verified.mapping["meeting_date"],
        data_level=verified.mapping["data_level"],
        manifest=verified.manifest_bytes,
        signature=verified.signature,
        mapping=verified.members[MAPPING],
        briefing=verified.members.get(BRIEFING),
    )
    saved: list[Record] = []
    with workspace.db.transaction():
        if meeting_added or meeting != table.get(meeting.id):
            saved.append(repo.save_record(meeting))
        for record, theirs, is_new, _ in changes:
            if is_new or record != table.get(record.id):
                saved.append(repo.save_record(record))
            repo.put_outcome_action(
                OutcomeAction(
                    source_id=theirs.id,
                    record_id=record.id,
                    bundle_id=verified.bundle_id,
                    imported_status=theirs.status,
                    imported_at=stamp.isoformat(),
                )
            )
        new_id = repo.add_bundle(stored)
        superseded = repo.superseded_ids(new_id)
        repo.audit(
            "outcomes imported",
            [verified.bundle_id, meeting.id, *(record.id for record, *_ in changes)],
        )
    for record in saved:
        table.put(record)
    return OutcomesOpened(
        submission_id=new_id,
        bundle_id=verified.bundle_id,
        kind=verified.kind,
        chair=verified.sender_name,
        fingerprint=verified.fingerprint,
        sequence=verified.sequence,
        meeting_date=chair_meeting.date,
        meeting_id=meeting.id,
        meeting_code=meeting.code,
        meeting_added=meeting_added,
        added=[record.code for record, _, is_new, _ in changes if is_new],
        updated=[
            record.code
            for record, _, is_new, _ in changes
            if not is_new and any(record is r for r in saved)
        ],
        kept_status=[record.code for record, _, _, kept in changes if kept],
        unlinked=unlinked,
        superseded=superseded,
    )


def outcomes_received(workspace: Workspace) -> list[StoredBundle]:
    """Every outcomes bundle this school's workspace opened, oldest first (as signed)."""
    return workspace.repo.stored_bundles(kind="outcomes")


# -- the chair's inbox -------------------------------------------------------------------
@dataclass(frozen=True)
class SubmissionSummary:
    """One stored submission, as the chair's inbox lists it."""

    id: int
    bundle_id: str
    school: str
    urn: str
    meeting_date: date | None
    fingerprint: str
    sequence: int
    created: datetime
    received: datetime
    superseded_by: int | None
    level: DataLevel
    demo: bool
    has_briefing: bool
    counts: dict[Kind, int]
    findings: list[Finding]

    @property
    def superseded(self) -> bool:
        return self.superseded_by is not None

    @property
    def finding_counts(self) -> dict[Check, int]:
        return summary(self.findings)


def stored_table(stored: StoredBundle) -> tuple[dict[str, Any], MappingTable]:
    """A stored bundle's mapping document and its table (checked again as on import)."""
    mapping = load_mapping(stored.mapping)
    return mapping, table_from_mapping(mapping)


def submissions(workspace: Workspace) -> list[SubmissionSummary]:
    """Every submission this chair's workspace holds, oldest first, superseded ones too."""
    weeks = workspace.profile.currency_window_weeks
    result = []
    for stored in workspace.repo.stored_bundles(kind="submission"):
        mapping, table = stored_table(stored)
        received = datetime.fromisoformat(stored.received)
        meeting_date = _meeting_date(stored.meeting_date)
        assert stored.id is not None
        result.append(
            SubmissionSummary(
                id=stored.id,
                bundle_id=stored.bundle_id,
                school=stored.sender_name,
                urn=stored.sender_urn,
                meeting_date=meeting_date,
                fingerprint=stored.fingerprint,
                sequence=stored.sequence,
                created=datetime.fromisoformat(stored.created),
                received=received,
                superseded_by=stored.superseded_by,
                level=DataLevel(stored.data_level),
                demo=bool(mapping["demo"]),
                has_briefing=stored.briefing is not None,
                counts=table.counts(),
                findings=_findings(table, meeting_date, received, weeks),
            )
        )
    return result


def submission_table(workspace: Workspace, submission_id: int) -> MappingTable:
    """A stored submission's mapping table, rebuilt from its signed ``mapping.json``."""
    return stored_table(workspace.repo.stored_bundle(submission_id))[1]


def submission_briefing(workspace: Workspace, submission_id: int) -> bytes | None:
    """The briefing PDF a submission carried, if any (for the program to show, in memory)."""
    return workspace.repo.stored_bundle(submission_id).briefing


def reverify_submission(workspace: Workspace, submission_id: int) -> VerifiedBundle:
    """Check a stored submission again: manifest, signature, hashes and mapping, and that
    it is signed by the key this workspace trusts for its school, or by one that key
    replaced (a submission keeps the key it was signed with)."""
    stored = workspace.repo.stored_bundle(submission_id)
    members = {MAPPING: stored.mapping}
    if stored.briefing is not None:
        members[BRIEFING] = stored.briefing
    verified = reverify(stored.manifest, stored.signature, members)
    if (
        verified.verify_key != stored.verify_key
        or verified.bundle_id != stored.bundle_id
        or verified.sequence != stored.sequence
        or verified.sender_urn != stored.sender_urn
        or verified.kind != stored.kind
    ):
        raise BundleSignatureInvalid(
            "The stored submission does not match its signed manifest; restore the "
            "workspace from a backup."
        )
    trusted = workspace.repo.trusted_sender(stored.sender_urn)
    if (
        trusted is not None
        and trusted.verify_key != verified.verify_key
        and verified.fingerprint not in workspace.repo.replaced_fingerprints(stored.sender_urn)
    ):
        raise SignerChanged(
            "The stored submission is signed by a different key from the one this "
            "workspace trusts for its school."
        )
    table_from_mapping(verified.mapping)
    return verified
