"""The meeting chair's work across schools (DESIGN.md §4, "Chair").

What the chair's workspace holds: the schools' submissions as they were signed
(:mod:`services.exchange`), the chair's decisions on candidate matches (migration 3),
and the chair's own records — a :class:`Meeting` per meeting date and the actions
agreed at it (origin "meeting", each for one school by its URN or for one cluster
across schools by its candidate key).

- :func:`candidates`, :func:`decide`, :func:`area_places`, :func:`combined_table`: where
  the schools' concerns meet. Candidates are only proposed; a decision never changes a
  school's records, which stay exactly as they came. Confirmed matches are drawn and
  counted together; nothing is merged.
- :func:`meeting`, :func:`save_meeting`, :func:`agree_action`, :func:`actions_for_school`:
  the meeting record.
- :func:`export_pack`: the printed briefing pack. :func:`export_outcomes`: the signed,
  encrypted outcomes bundle for one school (``saferyp pack`` / ``saferyp outcomes``).

A meeting is named by its date. "Current" submissions are those no newer bundle from the
same school for the same meeting has superseded; with several meetings, a school's
newest current one.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from saferyp_desktop.crypto.bundle import MAPPING_FORMAT, MAPPING_VERSION, SenderInfo, write_bundle
from saferyp_desktop.domain.checks import run_checks
from saferyp_desktop.domain.levels import PRINT_DEFAULT, DataLevel, display_name, redact
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.matching import AreaPlace, Candidate, SchoolTable, find_candidates
from saferyp_desktop.domain.matching import area_places as _area_places
from saferyp_desktop.domain.profile import Profile, load_profile
from saferyp_desktop.domain.records import (
    Action,
    ActionOrigin,
    ActionStatus,
    Attendee,
    Discussion,
    Kind,
    Meeting,
    MeetingStatus,
    Record,
    derive_initials,
    now,
)
from saferyp_desktop.domain.serialize import record_from_dict, to_dict
from saferyp_desktop.errors import (
    NoSubmissions,
    ProfileInvalid,
    RecordInvalid,
    RecordNotFound,
    SchoolNotInMeeting,
    UsageError,
)
from saferyp_desktop.reports.pack import (
    PackData,
    PackMatch,
    PackSchool,
    build_pack,
    suggested_pack_name,
)
from saferyp_desktop.services.exchange import (
    BUNDLE_SUFFIX,
    META_BUNDLE_SEQUENCE,
    check_out_path,
    date_hint,
    stored_table,
    write_with_record,
)
from saferyp_desktop.services.workspace import Workspace
from saferyp_desktop.storage.repository import BundleFacts, MatchDecision, StoredBundle

__all__ = [
    "CONFIRMED",
    "DECISIONS",
    "DISMISSED",
    "CandidateView",
    "MatchMember",
    "OutcomesResult",
    "PackResult",
    "SchoolSubmission",
    "actions_for_school",
    "agree_action",
    "area_places",
    "candidates",
    "clear_decision",
    "combined_table",
    "current_submissions",
    "decide",
    "export_outcomes",
    "export_pack",
    "find_meeting",
    "meeting",
    "meeting_actions",
    "outcomes_document",
    "pack_data",
    "save_meeting",
    "suggested_outcomes_name",
    "suggested_pack_name",
]

CONFIRMED = "confirmed"
DISMISSED = "dismissed"
DECISIONS = (CONFIRMED, DISMISSED)
CLUSTER_PREFIX = "cluster:"  # a discussion's subject when it is about a cluster
OUTCOMES_LEVEL = DataLevel.INITIALS  # outcomes carry attendees and names as initials
PACK_AUDIT_EVENT = "pack printed"
OUTCOMES_AUDIT_EVENT = "outcomes exported"


# -- the schools' submissions ----------------------------------------------------------------
# What a submission's mapping.json says of the school beyond its name and URN (the pack
# prints it); the rest of the document is its table.
SCHOOL_FACTS = ("phase", "community_area", "dsl", "deputy", "wisc_confirmed")


@dataclass(frozen=True)
class SchoolSubmission:
    """A school's current submission, with its mapping table rebuilt from the signed bytes.

    Only the table and the few facts read from the mapping document are kept: the parsed
    document itself (a dict for every record, link and evidence entry) is dropped.
    """

    submission_id: int
    bundle_id: str
    urn: str
    school: str
    meeting_date: date | None
    received: datetime
    fingerprint: str
    level: DataLevel
    demo: bool
    profile: str
    table: MappingTable = field(repr=False)
    # The mapping's "school" facts (SCHOOL_FACTS) that it gives, and its diagram positions.
    school_facts: dict[str, str] = field(default_factory=dict, repr=False)
    positions: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)

    @property
    def diagram_positions(self) -> dict[str, tuple[float, float]]:
        """Where the school draws each node of its diagram (empty from a bundle made
        before bundles carried it: the diagram is then laid out here)."""
        return dict(self.positions)


def diagram_positions_of(mapping: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """The diagram positions a (checked) mapping.json carries, by record id."""
    return {node_id: (x, y) for node_id, (x, y) in mapping.get("diagram", {}).items()}


class _HeldSubmissions:
    """One open workspace's current submissions, each rebuilt from its signed bytes once
    and then shared by every page and job that asks (a submission never changes once
    stored; one that is superseded is let go)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # guards the two dicts
        self.by_id: dict[int, SchoolSubmission] = {}
        self.reading: dict[int, threading.Lock] = {}  # one reader a submission at a time
        # The candidates found among the same submissions (by their ids, in order): the
        # last few sets matched. Matching waits for a matching under way.
        self.matching = threading.Lock()
        self.matched: dict[tuple[tuple[int, str], ...], list[Candidate]] = {}


_HELD: weakref.WeakKeyDictionary[Workspace, _HeldSubmissions] = weakref.WeakKeyDictionary()
_HELD_LOCK = threading.Lock()


def _held(workspace: Workspace) -> _HeldSubmissions:
    with _HELD_LOCK:
        held = _HELD.get(workspace)
        if held is None:
            held = _HELD[workspace] = _HeldSubmissions()
        return held


def forget_submissions(workspace: Workspace) -> None:
    """Let go of the submissions read from ``workspace`` (it is closing)."""
    with _HELD_LOCK:
        _HELD.pop(workspace, None)


def _read(
    workspace: Workspace, wanted: Iterable[BundleFacts], stored: Sequence[BundleFacts]
) -> dict[int, SchoolSubmission]:
    """The submissions ``wanted`` names, by id: one not superseded is read once and then
    held for the workspace, a superseded one is read each time. ``stored`` (every stored
    bundle's facts) says which held ones to let go: those superseded since, or gone."""
    held = _held(workspace)
    live = {fact.id for fact in stored if fact.superseded_by is None}
    with held.lock:
        for gone in [i for i in held.by_id if i not in live]:
            del held.by_id[gone]

    def hit(fact: BundleFacts) -> SchoolSubmission | None:
        sub = held.by_id.get(fact.id)
        return sub if sub is not None and sub.bundle_id == fact.bundle_id else None

    found: dict[int, SchoolSubmission] = {}
    for fact in wanted:
        with held.lock:
            sub = hit(fact)
            reading = held.reading.setdefault(fact.id, threading.Lock()) if sub is None else None
        if reading is not None:
            with reading:  # another job reading the same submission: wait for it
                with held.lock:
                    sub = hit(fact)
                if sub is None:
                    sub = _submission(workspace.repo.stored_bundle(fact.id))
                with held.lock:
                    if fact.id in live:
                        held.by_id[fact.id] = sub
                    held.reading.pop(fact.id, None)
        assert sub is not None
        found[fact.id] = sub
    return found


MATCHINGS_HELD = 4


def _candidates_among(workspace: Workspace, subs: Sequence[SchoolSubmission]) -> list[Candidate]:
    """The candidate matches among ``subs``, found once for the same submissions (they
    never change: a decision is applied to them afterwards, by :func:`_view`)."""
    if len(subs) < 2:
        return []
    key = tuple((s.submission_id, s.bundle_id) for s in subs)
    held = _held(workspace)
    with held.matching:
        found = held.matched.get(key)
        if found is None:
            found = find_candidates(_school_tables(subs))
            while len(held.matched) >= MATCHINGS_HELD:
                del held.matched[next(iter(held.matched))]
            held.matched[key] = found
    return list(found)


def submission_view(
    workspace: Workspace, submission_id: int
) -> tuple[MappingTable, dict[str, tuple[float, float]]]:
    """A stored submission's mapping table, rebuilt from its signed bytes, and where the
    school draws its diagram's nodes (empty if the bundle did not say)."""
    stored = workspace.repo.bundle_facts()
    wanted = [fact for fact in stored if fact.id == int(submission_id)]
    if not wanted:
        raise RecordNotFound("There is no such submission in this workspace.")
    sub = _read(workspace, wanted, stored)[wanted[0].id]
    return sub.table, sub.diagram_positions


def _day(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(date_hint(str(value))) from None


def _require_chair(workspace: Workspace) -> None:
    if workspace.details.role != "chair":
        raise UsageError("Only a chair's workspace holds the schools' submissions and meetings.")


def _submission(stored: StoredBundle) -> SchoolSubmission:
    mapping, table = stored_table(stored)
    assert stored.id is not None
    school = mapping["school"]
    return SchoolSubmission(
        submission_id=stored.id,
        bundle_id=stored.bundle_id,
        urn=stored.sender_urn,
        school=stored.sender_name,
        meeting_date=date.fromisoformat(stored.meeting_date) if stored.meeting_date else None,
        received=datetime.fromisoformat(stored.received),
        fingerprint=stored.fingerprint,
        level=DataLevel(stored.data_level),
        demo=bool(mapping["demo"]),
        profile=str(mapping["profile"]),
        table=table,
        school_facts={key: school[key] for key in SCHOOL_FACTS if key in school},
        positions=diagram_positions_of(mapping),
    )


def current_submissions(
    workspace: Workspace, meeting_date: date | str | None = None
) -> list[SchoolSubmission]:
    """Each school's current submission (for ``meeting_date``, if given), by school name."""
    _require_chair(workspace)
    day = _day(meeting_date) if meeting_date is not None else None
    facts = workspace.repo.bundle_facts(kind="submission")
    newest: dict[str, BundleFacts] = {}
    for fact in facts:
        if fact.superseded_by is not None:
            continue
        if day is not None and fact.meeting_date != day.isoformat():
            continue
        if fact.sender_urn not in newest or fact.sequence > newest[fact.sender_urn].sequence:
            newest[fact.sender_urn] = fact
    read = _read(workspace, newest.values(), facts)
    found = [read[fact.id] for fact in newest.values()]
    return sorted(found, key=lambda s: (s.school.casefold(), s.urn))


def _school_tables(subs: Sequence[SchoolSubmission]) -> list[SchoolTable]:
    return [SchoolTable(s.urn, s.school, s.table) for s in subs]


def _record_ids_of_school(workspace: Workspace, urn: str) -> set[str]:
    """Every record id any submission from the school ever carried (superseded ones too)."""
    stored = workspace.repo.bundle_facts(kind="submission")
    ids: set[str] = set()
    for sub in _read(workspace, [f for f in stored if f.sender_urn == urn], stored).values():
        ids.update(sub.table.records)
    return ids


# -- candidate matches and the chair's decisions ------------------------------------------------
@dataclass(frozen=True)
class MatchMember:
    """One record of a candidate match, as the chair sees it (full detail: chair only)."""

    urn: str
    school: str
    record_id: str
    code: str
    label: str
    kind: Kind


@dataclass(frozen=True)
class CandidateView:
    """A candidate match with the reasons for it and the chair's decision, if any.

    ``decision`` is None until the chair decides; ``inherited`` says the decision was made
    on its pairs before another school's record joined the candidate.
    """

    key: str
    kind: Kind
    score: float
    reasons: list[str]
    members: list[MatchMember]
    pair_keys: list[str]
    decision: str | None = None
    note: str = ""
    decided_at: datetime | None = None
    inherited: bool = False

    @property
    def confirmed(self) -> bool:
        return self.decision == CONFIRMED

    @property
    def schools(self) -> list[str]:
        return list(dict.fromkeys(m.school for m in self.members))


def _decision_for(
    candidate: Candidate, decisions: dict[str, MatchDecision]
) -> tuple[MatchDecision | None, bool]:
    own = decisions.get(candidate.key)
    if own is not None:
        return own, False
    of_pairs = [decisions.get(p.key) for p in candidate.pairs]
    made = [d for d in of_pairs if d is not None]
    if of_pairs and len(made) == len(of_pairs) and len({d.decision for d in made}) == 1:
        return max(made, key=lambda d: d.decided_at), True
    return None, False


def _view(
    candidate: Candidate,
    subs: dict[str, SchoolSubmission],
    decisions: dict[str, MatchDecision],
) -> CandidateView:
    members = []
    for urn, record_id in candidate.members:
        sub = subs[urn]
        record = sub.table.records[record_id]
        members.append(
            MatchMember(
                urn=urn,
                school=sub.school,
                record_id=record_id,
                code=record.code,
                label=display_name(record, DataLevel.FULL),
                kind=record.kind,
            )
        )
    decision, inherited = _decision_for(candidate, decisions)
    return CandidateView(
        key=candidate.key,
        kind=candidate.kind,
        score=candidate.score,
        reasons=list(candidate.reasons),
        members=members,
        pair_keys=[p.key for p in candidate.pairs],
        decision=decision.decision if decision else None,
        note=decision.note if decision else "",
        decided_at=datetime.fromisoformat(decision.decided_at) if decision else None,
        inherited=inherited,
    )


def _matching(
    workspace: Workspace, meeting_date: date | str | None
) -> tuple[list[SchoolSubmission], list[Candidate], dict[str, MatchDecision]]:
    subs = current_submissions(workspace, meeting_date)
    return subs, _candidates_among(workspace, subs), workspace.repo.match_decisions()


def candidates(workspace: Workspace, meeting_date: date | str | None = None) -> list[CandidateView]:
    """Records of different schools that may be the same place, adult, peer group or young
    person, best first, each with its reasons and the chair's decision, over the current
    submissions (for ``meeting_date``, if given)."""
    subs, found, decisions = _matching(workspace, meeting_date)
    by_urn = {s.urn: s for s in subs}
    return [_view(c, by_urn, decisions) for c in found]


def _find(found: list[Candidate], key: str) -> tuple[Candidate, bool]:
    """The candidate with ``key``, and whether ``key`` is one of its pairs'."""
    for candidate in found:
        if candidate.key == key:
            return candidate, False
    for candidate in found:
        if any(p.key == key for p in candidate.pairs):
            return candidate, True
    raise RecordNotFound("There is no candidate match with that key among the current submissions.")


def decide(
    workspace: Workspace,
    key: str,
    decision: str,
    note: str = "",
    *,
    meeting_date: date | str | None = None,
) -> CandidateView:
    """Confirm or dismiss a candidate match (or one pair of it), with an optional note.

    Deciding a candidate decides each of its pairs too, so the decision holds when another
    school's record later joins it. Audit event "match decided", with ids only.
    """
    if decision not in DECISIONS:
        raise UsageError("A match is either “confirmed” or “dismissed”.")
    subs, found, decisions = _matching(workspace, meeting_date)
    candidate, is_pair = _find(found, key)
    stamp = now().isoformat()
    keys = [key] if is_pair else list(dict.fromkeys([key, *(p.key for p in candidate.pairs)]))
    repo = workspace.repo
    with workspace.db.transaction():
        for each in keys:
            repo.set_match_decision(MatchDecision(each, decision, stamp, note.strip()))
        parent = decisions.get(candidate.key)
        if is_pair and parent is not None and parent.decision != decision:
            repo.delete_match_decisions([candidate.key])  # no longer true of all its records
        repo.audit("match decided", [key, *(record_id for _, record_id in candidate.members)])
    return _view(candidate, {s.urn: s for s in subs}, repo.match_decisions())


def clear_decision(
    workspace: Workspace, key: str, *, meeting_date: date | str | None = None
) -> CandidateView:
    """Forget the decision on a candidate match (and its pairs), so it is undecided again."""
    subs, found, _ = _matching(workspace, meeting_date)
    candidate, is_pair = _find(found, key)
    keys = [key] if is_pair else [key, *(p.key for p in candidate.pairs)]
    repo = workspace.repo
    with workspace.db.transaction():
        repo.delete_match_decisions(keys)
        repo.audit("match decision cleared", [key])
    return _view(candidate, {s.urn: s for s in subs}, repo.match_decisions())


def _confirmed(decisions: dict[str, MatchDecision]) -> set[str]:
    return {key for key, d in decisions.items() if d.decision == CONFIRMED}


def area_places(workspace: Workspace, meeting_date: date | str | None = None) -> list[AreaPlace]:
    """Every place the schools name, the ones the chair confirmed as the same counted as one:
    most schools first, then the worst rated. ``school_ids`` are URNs."""
    subs, found, decisions = _matching(workspace, meeting_date)
    if not subs:
        return []
    return _area_places(_school_tables(subs), _confirmed(decisions), found)


def _joined(found: list[Candidate], confirmed: set[str]) -> list[set[str]]:
    """Record ids the chair confirmed as the same, as sets of two or more."""
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def join(ids: Iterable[str]) -> None:
        ids = list(ids)
        for other in ids[1:]:
            a, b = root(ids[0]), root(other)
            if a != b:
                parent[b] = a

    for candidate in found:
        if candidate.key in confirmed:
            join(record_id for _, record_id in candidate.members)
        for pair in candidate.pairs:
            if pair.key in confirmed:
                join((pair.a[1], pair.b[1]))
    groups: dict[str, set[str]] = {}
    for item in list(parent):
        groups.setdefault(root(item), set()).add(item)
    return sorted((g for g in groups.values() if len(g) > 1), key=sorted)


def _combined(
    subs: Sequence[SchoolSubmission], found: list[Candidate], confirmed: set[str]
) -> tuple[MappingTable, dict[str, str], list[set[str]]]:
    records: list[Record] = []
    links = []
    evidence = []
    school_of: dict[str, str] = {}
    for sub in subs:
        clash = set(sub.table.records) & set(school_of)
        if clash:  # UUIDs do not collide by chance; a copied record would be refused here
            raise RecordInvalid(
                "Two schools' submissions hold a record with the same id, so they cannot be "
                "drawn together; ask the schools to send their bundles again."
            )
        for record_id in sub.table.records:
            school_of[record_id] = sub.urn
        records += sub.table.records.values()
        links += sub.table.links.values()
        evidence += sub.table.evidence.values()
    return MappingTable.of(records, links, evidence), school_of, _joined(found, confirmed)


def combined_table(
    workspace: Workspace, meeting_date: date | str | None = None
) -> tuple[MappingTable, dict[str, str], list[set[str]]]:
    """Every current submission's records in one table, for the combined spider diagram:
    the table (each record exactly as its school sent it), the school (URN) of each record,
    and the sets of records the chair confirmed as the same (drawn joined, never merged)."""
    subs, found, decisions = _matching(workspace, meeting_date)
    return _combined(subs, found, _confirmed(decisions))


@dataclass
class AcrossSchools:
    """The current submissions, read and matched once, and what is worked out from them.

    :func:`candidates`, :func:`combined_table` and :func:`area_places` each read every
    submission and match them again; a page showing all three asks :func:`across_schools`
    once instead, and gets the same answers from these methods.
    """

    subs: list[SchoolSubmission]
    found: list[Candidate]
    decisions: dict[str, MatchDecision]

    def candidates(self) -> list[CandidateView]:
        """As :func:`candidates`."""
        by_urn = {s.urn: s for s in self.subs}
        return [_view(c, by_urn, self.decisions) for c in self.found]

    def combined_table(self) -> tuple[MappingTable, dict[str, str], list[set[str]]]:
        """As :func:`combined_table`."""
        return _combined(self.subs, self.found, _confirmed(self.decisions))

    def area_places(self) -> list[AreaPlace]:
        """As :func:`area_places`."""
        if not self.subs:
            return []
        return _area_places(_school_tables(self.subs), _confirmed(self.decisions), self.found)


def across_schools(workspace: Workspace, meeting_date: date | str | None = None) -> AcrossSchools:
    """The current submissions (for ``meeting_date``, if given), read and matched once."""
    return AcrossSchools(*_matching(workspace, meeting_date))


# -- the meeting record ------------------------------------------------------------------------
def find_meeting(workspace: Workspace, meeting_date: date | str) -> Meeting | None:
    """The chair's meeting record for that date, or None."""
    _require_chair(workspace)
    return workspace.table().meeting_on(_day(meeting_date))


def _chair_name(workspace: Workspace) -> str:
    details = workspace.details
    return f"{details.name} ({details.organisation})" if details.organisation else details.name


def _draft_meeting(workspace: Workspace, day: date, subs: Sequence[SchoolSubmission]) -> Meeting:
    """A meeting record made from the meetings the schools sent for that date: the venue
    most of them give, everyone any of them expects to attend, and the bundles."""
    venues: Counter[str] = Counter()
    attendees: dict[tuple[str, str], Attendee] = {}
    for sub in subs:
        for record in sub.table.of_kind(Kind.MEETING):
            if not isinstance(record, Meeting) or record.date != day:
                continue
            if record.venue.strip():
                venues[record.venue.strip()] += 1
            for person in record.attendees:
                key = (" ".join(person.name.split()).casefold(), person.organisation.casefold())
                if key[0]:
                    attendees.setdefault(key, dataclasses.replace(person))
    venue = max(venues.items(), key=lambda kv: (kv[1], kv[0]))[0] if venues else ""
    return Meeting(
        date=day,
        venue=venue,
        chair=_chair_name(workspace),
        attendees=list(attendees.values()),
        status=MeetingStatus.PREPARING.value,
        bundles=[s.bundle_id for s in subs],
    )


def meeting(workspace: Workspace, meeting_date: date | str) -> Meeting:
    """The chair's meeting record for that date, made from the schools' submissions for it
    (venue, expected attendees, bundles) and saved if there is none yet."""
    day = _day(meeting_date)
    found = find_meeting(workspace, day)
    if found is not None:
        return found
    return workspace.save(_draft_meeting(workspace, day, current_submissions(workspace, day)))


def _check_subject(subject: str) -> None:
    if subject.startswith(CLUSTER_PREFIX) and len(subject) > len(CLUSTER_PREFIX):
        return
    if len(subject) == 6 and subject.isdigit():
        return
    raise RecordInvalid(
        "A discussion is about one school (its six-digit URN) or one cluster (cluster:<key>)."
    )


def save_meeting(workspace: Workspace, record: Meeting) -> Meeting:
    """Save the chair's meeting record (attendees, apologies, discussions, venue, status).
    One meeting a date; each discussion is about a school (URN) or a cluster."""
    _require_chair(workspace)
    if not isinstance(record, Meeting):
        raise RecordInvalid("That is not a meeting record.")
    other = find_meeting(workspace, record.date)
    if other is not None and other.id != record.id:
        raise RecordInvalid(
            f"There is already a meeting on {record.date.isoformat()} ({other.code})."
        )
    subjects = [d.subject for d in record.discussions]
    for subject in subjects:
        _check_subject(subject)
    if len(subjects) != len(set(subjects)):
        raise RecordInvalid("A meeting has one discussion summary for each school or cluster.")
    return workspace.save(record)


def meeting_actions(workspace: Workspace, meeting_date: date | str) -> list[Action]:
    """The actions agreed at the meeting on that date (any status), by code."""
    found = find_meeting(workspace, meeting_date)
    if found is None:
        return []
    return [
        a
        for a in workspace.table().of_kind(Kind.ACTION)
        if isinstance(a, Action)
        and a.meeting_id == found.id
        and a.origin == ActionOrigin.MEETING.value
    ]


def _candidate_keys(found: list[Candidate]) -> dict[str, Candidate]:
    keys: dict[str, Candidate] = {}
    for candidate in found:
        keys.setdefault(candidate.key, candidate)
        for pair in candidate.pairs:
            keys.setdefault(pair.key, candidate)
    return keys


def agree_action(
    workspace: Workspace,
    meeting_date: date | str,
    *,
    catalogue_key: str,
    school_urn: str = "",
    cluster_key: str = "",
    detail: str = "",
    sub_choice: str = "",
    linked_ids: Sequence[str] = (),
    owner_agency: str = "",
    due: date | str | None = None,
    status: str = ActionStatus.AGREED.value,
    rationale: str = "",
    notes: str = "",
    action_id: str | None = None,
) -> Action:
    """Record an action agreed at the meeting, for one school (``school_urn``) or for one
    cluster across schools (``cluster_key``, a candidate's key), or change one
    (``action_id``). ``linked_ids`` name records of the schools' submissions for that
    meeting (the school's own, for a school's action); a cluster's action with none is
    linked to the cluster's records. "Not taken forward" needs a rationale. The meeting
    record is made if there is none yet. Changing an action gives all its fields again
    (its id, code and creation time stay). Nothing is saved unless all of it is valid."""
    _require_chair(workspace)
    day = _day(meeting_date)
    subs = current_submissions(workspace, day)
    if not subs:
        raise NoSubmissions(
            f"There are no submissions for the meeting on {day.isoformat()} in this workspace; "
            "open the schools' bundles first."
        )
    if bool(school_urn) == bool(cluster_key):
        raise UsageError(
            "An agreed action is for one school (its URN) or for one cluster across schools: "
            "give one of the two."
        )
    by_urn = {s.urn: s for s in subs}
    linked = list(dict.fromkeys(linked_ids))
    if school_urn:
        if school_urn not in by_urn:
            raise SchoolNotInMeeting(
                f"There is no submission from school {school_urn} for the meeting on "
                f"{day.isoformat()} in this workspace."
            )
        allowed = set(by_urn[school_urn].table.records)
    else:
        cluster = _candidate_keys(_candidates_among(workspace, subs)).get(cluster_key)
        if cluster is None:
            raise RecordNotFound(
                "There is no candidate match with that key among the submissions for this meeting."
            )
        allowed = {record_id for sub in subs for record_id in sub.table.records}
        if not linked:
            linked = [record_id for _, record_id in cluster.members]
    if any(record_id not in allowed for record_id in linked):
        raise RecordInvalid(
            "An agreed action can be linked only to records of "
            + ("that school's submission." if school_urn else "the schools' submissions.")
        )
    profile = workspace.profile
    entry = profile.action(catalogue_key)
    if entry is None:
        raise RecordInvalid(f"“{catalogue_key}” is not an action in the local profile.")
    if sub_choice and entry.sub_choices and sub_choice not in entry.sub_choices:
        raise RecordInvalid(f"“{sub_choice}” is not one of the choices for “{entry.label}”.")
    owner = ""
    if owner_agency:
        owner = profile.resolve("agencies", owner_agency) or ""
        if not owner:
            raise RecordInvalid(f"“{owner_agency}” is not an agency in the local profile.")
    fields: dict[str, Any] = {
        "catalogue_key": catalogue_key,
        "sub_choice": sub_choice,
        "detail": detail.strip(),
        "linked_ids": linked,
        "owner_agency": owner,
        "due": _day(due) if due not in (None, "") else None,
        "status": status,
        "rationale": rationale.strip(),
        "origin": ActionOrigin.MEETING.value,
        "school_urn": school_urn,
        "cluster_key": cluster_key,
        "notes": notes,
    }
    if action_id is not None:
        existing = workspace.table().get(action_id)
        if not isinstance(existing, Action) or existing.origin != ActionOrigin.MEETING.value:
            raise RecordNotFound("There is no such agreed action in this workspace.")
        action = dataclasses.replace(existing, **fields)
    else:
        action = Action(**fields)
    action.validate()  # before the meeting record is made, so a refusal changes nothing
    action.meeting_id = meeting(workspace, day).id
    return workspace.save(action)


def actions_for_school(workspace: Workspace, meeting_date: date | str, urn: str) -> list[Action]:
    """The actions agreed at the meeting that concern one school: those for it, and those
    for a cluster linked to any of its records."""
    ours = _record_ids_of_school(workspace, urn)
    return [
        a
        for a in meeting_actions(workspace, meeting_date)
        if a.active
        and (a.school_urn == urn or (a.cluster_key and not ours.isdisjoint(a.linked_ids)))
    ]


# -- the briefing pack --------------------------------------------------------------------------
@dataclass(frozen=True)
class PackResult:
    path: Path
    document_id: str
    meeting_date: date
    level: DataLevel
    schools: list[str]
    confirmed_matches: int
    actions: int
    size: int


def _profile_for(workspace: Workspace, name: str) -> Profile:
    if name == workspace.details.profile:
        return workspace.profile
    try:
        return load_profile(name)
    except ProfileInvalid:
        return workspace.profile


def _pack_meeting(workspace: Workspace, day: date, subs: Sequence[SchoolSubmission]) -> Meeting:
    found = find_meeting(workspace, day)
    return found if found is not None else _draft_meeting(workspace, day, subs)


def _school_meeting(sub: SchoolSubmission, day: date) -> tuple[Meeting, bool]:
    found = sub.table.meeting_on(day)
    return (found, True) if found is not None else (Meeting(date=day), False)


def pack_data(
    workspace: Workspace,
    meeting_date: date | str,
    *,
    level: DataLevel | str = PRINT_DEFAULT,
    document_id: str | None = None,
    created: datetime | None = None,
) -> PackData:
    """Everything the briefing pack for a meeting prints (NoSubmissions if there is none)."""
    _require_chair(workspace)
    try:
        level = DataLevel(level)
    except ValueError:
        raise UsageError(f"“{level}” is not a data level: use full, initials or codes.") from None
    day = _day(meeting_date)
    subs, found, decisions = _matching(workspace, day)
    if not subs:
        raise NoSubmissions(
            f"There are no submissions for the meeting on {day.isoformat()} in this workspace; "
            "open the schools' bundles first."
        )
    confirmed = _confirmed(decisions)
    by_urn = {s.urn: s for s in subs}
    views = [_view(c, by_urn, decisions) for c in found]
    schools = []
    for sub in subs:
        school_meeting, planned = _school_meeting(sub, day)
        profile = _profile_for(workspace, sub.profile)
        school = sub.school_facts
        schools.append(
            PackSchool(
                urn=sub.urn,
                name=sub.school,
                received=sub.received,
                level_sent=sub.level,
                fingerprint=sub.fingerprint,
                demo=sub.demo,
                table=sub.table,
                meeting=school_meeting,
                meeting_planned=planned,
                profile=profile,
                findings=run_checks(sub.table, day, profile.currency_window_weeks),
                phase=school.get("phase", ""),
                community_area=school.get("community_area", ""),
                dsl=school.get("dsl", ""),
                deputy=school.get("deputy", ""),
                wisc_confirmed=school.get("wisc_confirmed", ""),
                diagram_positions=sub.diagram_positions,
            )
        )
    table, school_of, joined = _combined(subs, found, confirmed)

    def printed(view: CandidateView) -> PackMatch:
        return PackMatch(
            kind=view.kind,
            members=[(m.urn, m.record_id) for m in view.members],
            reasons=view.reasons,
            note=view.note,
            score=view.score,
        )

    # Confirmed ones as decided; undecided ones (best first) to decide at the meeting.
    matches = [printed(view) for view in views if view.confirmed]
    undecided = [printed(view) for view in views if view.decision is None]
    return PackData(
        meeting=_pack_meeting(workspace, day, subs),
        profile=workspace.profile,
        level=level,
        document_id=document_id or uuid.uuid4().hex,
        created=created or now(),
        chair=workspace.details.name,
        organisation=workspace.details.organisation,
        fingerprint=workspace.keys().fingerprint,
        schools=schools,
        matches=matches,
        dismissed=sum(1 for v in views if v.decision == DISMISSED),
        undecided=undecided,
        places=_area_places(_school_tables(subs), confirmed, found),
        combined=table,
        school_of=school_of,
        joined=joined,
        actions=[a for a in meeting_actions(workspace, day) if a.active],
    )


def export_pack(
    workspace: Workspace,
    meeting_date: date | str,
    out: Path,
    level: DataLevel | str = PRINT_DEFAULT,
    overwrite: bool = False,
) -> PackResult:
    """Write the briefing pack for a meeting to ``out`` (atomically) and note "pack
    printed" in the audit log (ids only). Refuses a meeting with no submissions
    (NoSubmissions) and an existing file unless ``overwrite``."""
    _require_chair(workspace)
    day = _day(meeting_date)
    target = check_out_path(workspace, Path(out), overwrite, what="briefing pack")
    data = pack_data(workspace, day, level=level)
    pdf = build_pack(data)
    saved = data.meeting.id if find_meeting(workspace, day) is not None else None
    write_with_record(
        workspace,
        target,
        pdf,
        overwrite,
        Path(out).name,
        lambda: workspace.repo.audit(PACK_AUDIT_EVENT, [saved] if saved else []),
    )
    return PackResult(
        path=Path(out),
        document_id=data.document_id,
        meeting_date=day,
        level=data.level,
        schools=[s.name for s in data.schools],
        confirmed_matches=len(data.matches),
        actions=len(data.actions),
        size=len(pdf),
    )


def pack_bytes(
    workspace: Workspace, meeting_date: date | str, level: DataLevel | str = PRINT_DEFAULT
) -> bytes:
    """The briefing pack as PDF bytes, for printing; notes "pack printed" (ids only)."""
    _require_chair(workspace)
    day = _day(meeting_date)
    pdf = build_pack(pack_data(workspace, day, level=level))
    saved = find_meeting(workspace, day)
    workspace.repo.audit(PACK_AUDIT_EVENT, [saved.id] if saved else [])
    return pdf


# -- outcomes for one school -----------------------------------------------------------------
@dataclass(frozen=True)
class OutcomesResult:
    path: Path
    bundle_id: str
    sequence: int
    school: str
    urn: str
    meeting_date: date
    actions: list[str]  # the chair's codes of the actions sent
    recipient: str  # the school's age recipient, from its submission
    fingerprint: str  # this chair's: the school checks outcomes against it
    size: int


def suggested_outcomes_name(urn: str, meeting_date: date | str) -> str:
    """``outcomes-<URN>-<date>.sypbundle``: no personal name in a file name."""
    return f"outcomes-{urn}-{_day(meeting_date).isoformat()}{BUNDLE_SUFFIX}"


def _scrubber(subs: Sequence[SchoolSubmission]) -> Any:
    """Free text with the schools' young people's and adults' names as initials."""
    from saferyp_desktop.domain.levels import NameScrubber

    records = [r for sub in subs for r in sub.table.records.values()]
    return NameScrubber(MappingTable.of(records))


def outcomes_document(workspace: Workspace, meeting_date: date | str, urn: str) -> dict[str, Any]:
    """The ``mapping.json`` of one school's outcomes: the meeting (attendees at initials)
    and the actions agreed for it, each linked only to that school's own records."""
    _require_chair(workspace)
    day = _day(meeting_date)
    subs = current_submissions(workspace, day)
    sub = next((s for s in subs if s.urn == urn), None)
    if sub is None:
        raise SchoolNotInMeeting(
            f"There is no submission from school {urn} for the meeting on {day.isoformat()} in "
            "this workspace, so there is nobody to send its outcomes to."
        )
    held = find_meeting(workspace, day)
    if held is None:
        raise RecordNotFound(
            f"There is no meeting record for {day.isoformat()} yet; record the meeting and its "
            "agreed actions first."
        )
    scrub = _scrubber(subs)
    ours = _record_ids_of_school(workspace, urn)

    def people(items: list[Attendee]) -> list[Attendee]:
        return [dataclasses.replace(a, name=derive_initials(a.name)) for a in items]

    shown = redact(held, OUTCOMES_LEVEL)
    assert isinstance(shown, Meeting)
    shown = dataclasses.replace(
        shown,
        chair=derive_initials(held.chair),
        attendees=people(held.attendees),
        apologies=people(held.apologies),
        bundles=[],
        notes="",
        discussions=[
            Discussion(subject=d.subject, summary=scrub(d.summary))
            for d in held.discussions
            if d.subject == urn
        ],
    )
    actions = []
    for action in actions_for_school(workspace, day, urn):
        actions.append(
            to_dict(
                dataclasses.replace(
                    action,
                    detail=scrub(action.detail),
                    rationale=scrub(action.rationale),
                    linked_ids=[i for i in action.linked_ids if i in ours],
                    notes="",
                )
            )
        )
    records: dict[str, list[dict[str, Any]]] = {kind.value: [] for kind in Kind}
    records[Kind.MEETING.value] = [to_dict(shown)]
    records[Kind.ACTION.value] = actions
    return {
        "format": MAPPING_FORMAT,
        "version": MAPPING_VERSION,
        "profile": workspace.details.profile,
        "data_level": OUTCOMES_LEVEL.value,
        "demo": sub.demo,
        "school": {"name": " ".join(sub.school.split()), "urn": urn},
        "meeting_date": day.isoformat(),
        "records": records,
        "links": [],
        "evidence": [],
    }


def export_outcomes(
    workspace: Workspace,
    meeting_date: date | str,
    urn: str,
    out: Path,
    overwrite: bool = False,
) -> OutcomesResult:
    """Write one school's outcomes bundle (kind "outcomes"): signed by this chair and
    encrypted to the school's key from its current submission (and the chair's own).
    The sequence number, the audit event "outcomes exported" and the file are one step:
    all of them happen, or none."""
    _require_chair(workspace)
    day = _day(meeting_date)
    document = outcomes_document(workspace, day, urn)
    trusted = workspace.repo.trusted_sender(urn)
    if trusted is None:  # a submission is stored only with its school's key
        raise SchoolNotInMeeting()
    target = check_out_path(workspace, Path(out), overwrite)
    repo = workspace.repo
    last = int(repo.meta().get(META_BUNDLE_SEQUENCE, "0"))
    sequence = last + 1
    bundle_id = str(uuid.uuid4())
    keys = workspace.keys()
    data = write_bundle(
        kind="outcomes",
        sender=SenderInfo(workspace.details.name, "", "chair", keys),
        recipients=[trusted.age_recipient],
        passphrase=None,
        mapping=document,
        briefing_pdf=None,
        sequence=sequence,
        bundle_id=bundle_id,
    )
    held = find_meeting(workspace, day)
    assert held is not None
    sent = [record_from_dict(a) for a in document["records"][Kind.ACTION.value]]

    def record() -> None:
        if int(repo.meta().get(META_BUNDLE_SEQUENCE, "0")) != last:
            raise UsageError("Another bundle was exported at the same time; export again.")
        repo.set_meta({META_BUNDLE_SEQUENCE: str(sequence)})
        repo.audit(OUTCOMES_AUDIT_EVENT, [bundle_id, held.id, *(a.id for a in sent)])

    write_with_record(workspace, target, data, overwrite, Path(out).name, record)
    return OutcomesResult(
        path=Path(out),
        bundle_id=bundle_id,
        sequence=sequence,
        school=document["school"]["name"],
        urn=urn,
        meeting_date=day,
        actions=[a.code for a in sent],
        recipient=trusted.age_recipient,
        fingerprint=keys.fingerprint,
        size=len(data),
    )
