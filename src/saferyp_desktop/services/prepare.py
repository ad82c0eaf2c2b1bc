"""The "Prepare for a meeting" flow, in plain Python: steps, their rules, and resuming.

The Qt wizard (``ui/prepare_wizard.py``) is a thin shell over :class:`Preparation`:
its pages fill the state and ask :meth:`Preparation.is_complete` whether Next may be
pressed. Everything here is tested without a GUI.

A preparation belongs to one Meeting record. Its progress (the step reached, what was
ticked, which records were changed) is kept in the workspace's meta table under
``preparation:<meeting id>``, and ``preparation:current`` names the meeting being
prepared, so the wizard can be closed at any point and resumed where it was left.

Completeness rules, step by step (each incomplete step says why in one sentence):

- **details**: the meeting has a date that is not in the past; at least one attendee
  has the role DSL; every attendee has a name or an organisation.
- **sharing**: the DSL confirmed the information sharing charter in this preparation
  (the date is also kept as the workspace's ``wisc_confirmed``).
- **harm types**: at least one of the profile's harm categories is ticked as seen, or
  "none of these" is ticked (not both).
- **sections** (young people, adults, peer groups, locations and contexts, and
  strengths): every record in the section has been looked at in this preparation —
  confirmed current, changed, added or retired (retired records leave the section) —
  or the DSL ticked "Nothing more to add" for the section. An empty section needs the
  tick, so every section is considered at least once.
- **links**: always complete; the page shows the links and the spider diagram.
- **key concerns**: at least one key concern or question for this meeting (or not
  yet tied to a meeting), or the tick "No key concerns or questions to raise".
- **actions**: at least one action proposed for this meeting (or not yet tied to a
  meeting), or the tick "No actions to propose".
- **review**: always complete; it lists every finding of the four checks for the
  meeting date.
- **finish**: always complete.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from saferyp_desktop.domain.checks import Check, Finding, run_checks, summary
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import Profile
from saferyp_desktop.domain.records import (
    Action,
    ActionOrigin,
    ActionStatus,
    Attendee,
    Evidence,
    KeyConcern,
    Kind,
    Link,
    Meeting,
    MeetingStatus,
    Record,
    now,
)
from saferyp_desktop.errors import RecordNotFound, SaferypError
from saferyp_desktop.services.workspace import Workspace

STATE_VERSION = 1
META_PREFIX = "preparation:"
CURRENT_KEY = "preparation:current"
DSL_ROLE = "DSL"
# Agencies the guidance recommends at the meeting, by profile key, in its order.
RECOMMENDED_AGENCIES = ("school", "yps", "analyst", "police", "motiv8")
# A new meeting, when none is planned, is suggested this many days ahead.
DEFAULT_DAYS_AHEAD = 14


class Step(StrEnum):
    """The wizard's steps, in order."""

    DETAILS = "details"
    SHARING = "sharing"
    HARM_TYPES = "harm_types"
    YOUNG_PEOPLE = "young_people"
    ADULTS = "adults"
    PEER_GROUPS = "peer_groups"
    LOCATIONS = "locations"
    LINKS = "links"
    STRENGTHS = "strengths"
    CONCERNS = "concerns"
    ACTIONS = "actions"
    REVIEW = "review"
    FINISH = "finish"


STEPS: tuple[Step, ...] = tuple(Step)

# Steps that walk through one kind of record of the mapping table.
SECTION_KINDS: dict[Step, Kind] = {
    Step.YOUNG_PEOPLE: Kind.YOUNG_PERSON,
    Step.ADULTS: Kind.ADULT,
    Step.PEER_GROUPS: Kind.PEER_GROUP,
    Step.LOCATIONS: Kind.LOCATION,
    Step.STRENGTHS: Kind.STRENGTH,
}

# What a section calls its records, in reasons.
_SECTION_WORDS: dict[Step, str] = {
    Step.YOUNG_PEOPLE: "young people",
    Step.ADULTS: "adults",
    Step.PEER_GROUPS: "peer groups",
    Step.LOCATIONS: "locations and contexts",
    Step.STRENGTHS: "strengths",
}


class Progress(StrEnum):
    """Where one record of a section stands in this preparation."""

    TO_LOOK_AT = "to look at"
    CONFIRMED = "confirmed current"
    CHANGED = "changed"
    ADDED = "added"


class StepIncomplete(SaferypError):
    """Moving on from a step that is not complete; the message says why."""

    exit_code = 90
    default_message = "This step is not complete yet."


@dataclass
class PreparationState:
    """Everything the wizard must remember between sittings; JSON-able."""

    meeting_id: str
    current: Step = Step.DETAILS
    started_at: datetime = field(default_factory=now)
    started_on: date = field(default_factory=date.today)
    wisc_confirmed: bool = False
    harm_types_seen: list[str] = field(default_factory=list)
    no_harm_types: bool = False
    nothing_more: set[Step] = field(default_factory=set)
    edited: set[str] = field(default_factory=set)
    added: set[str] = field(default_factory=set)
    finished: bool = False

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": STATE_VERSION,
                "meeting_id": self.meeting_id,
                "current": self.current.value,
                "started_at": self.started_at.isoformat(),
                "started_on": self.started_on.isoformat(),
                "wisc_confirmed": self.wisc_confirmed,
                "harm_types_seen": list(self.harm_types_seen),
                "no_harm_types": self.no_harm_types,
                "nothing_more": sorted(step.value for step in self.nothing_more),
                "edited": sorted(self.edited),
                "added": sorted(self.added),
                "finished": self.finished,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> PreparationState:
        """The state saved by :meth:`to_json`; ValueError if it is not one."""
        try:
            data = json.loads(text)
            if data.get("version") != STATE_VERSION:
                raise ValueError("unknown preparation version")
            return cls(
                meeting_id=str(data["meeting_id"]),
                current=Step(data["current"]),
                started_at=datetime.fromisoformat(data["started_at"]),
                started_on=date.fromisoformat(data["started_on"]),
                wisc_confirmed=bool(data["wisc_confirmed"]),
                harm_types_seen=[str(k) for k in data["harm_types_seen"]],
                no_harm_types=bool(data["no_harm_types"]),
                nothing_more={Step(s) for s in data["nothing_more"]},
                edited={str(i) for i in data["edited"]},
                added={str(i) for i in data["added"]},
                finished=bool(data["finished"]),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a preparation state ({error})") from None


def load_state(workspace: Workspace, meeting_id: str) -> PreparationState | None:
    """The saved preparation of a meeting, or None (also for a damaged entry)."""
    raw = workspace.repo.meta().get(META_PREFIX + meeting_id)
    if not raw:
        return None
    try:
        state = PreparationState.from_json(raw)
    except ValueError:
        return None
    return state if state.meeting_id == meeting_id else None


def save_state(workspace: Workspace, state: PreparationState) -> None:
    """Write the preparation to the workspace (committed when this returns)."""
    workspace.repo.set_meta(
        {META_PREFIX + state.meeting_id: state.to_json(), CURRENT_KEY: state.meeting_id}
    )


class RecordEditor(Protocol):
    """How the flow changes records: the GUI passes its Session (undoable steps)."""

    def save(self, item: Record | Link | Evidence) -> None: ...

    def retire(self, item: Record | Link | Evidence) -> None: ...

    def confirm_current(self, record: Record, today: date | None = None) -> None: ...


class WorkspaceEditor:
    """A :class:`RecordEditor` straight onto the Workspace service (CLI and tests)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def save(self, item: Record | Link | Evidence) -> None:
        item = copy.deepcopy(item)
        if isinstance(item, Link):
            self.workspace.save_link(item)
        elif isinstance(item, Evidence):
            self.workspace.save_evidence(item)
        else:
            self.workspace.save(item)

    def retire(self, item: Record | Link | Evidence) -> None:
        gone = copy.deepcopy(item)
        gone.retired = now()
        self.save(gone)

    def confirm_current(self, record: Record, today: date | None = None) -> None:
        confirmed = copy.deepcopy(record)
        confirmed.last_confirmed = today or date.today()
        self.save(confirmed)


Completeness = tuple[bool, str]


class Preparation:
    """One meeting's preparation: the live flow over a workspace and its saved state."""

    def __init__(
        self,
        workspace: Workspace,
        state: PreparationState,
        editor: RecordEditor | None = None,
        today: date | None = None,
    ) -> None:
        self.workspace = workspace
        self.state = state
        self.editor: RecordEditor = editor or WorkspaceEditor(workspace)
        self._today = today

    # -- starting and resuming ------------------------------------------------
    @classmethod
    def start(
        cls,
        workspace: Workspace,
        editor: RecordEditor | None = None,
        today: date | None = None,
        meeting_id: str | None = None,
    ) -> Preparation:
        """Resume the preparation in progress, or begin one.

        Which meeting: ``meeting_id`` if given; else the meeting named by
        ``preparation:current`` while it is still being prepared (and unless it was
        finished and its date has passed); else the next upcoming meeting that is
        still being prepared; else a new meeting, two weeks ahead, with the DSL as
        its first attendee.
        """
        editor = editor or WorkspaceEditor(workspace)
        fixed_today, today = today, today or date.today()
        table = workspace.table()
        meeting = None
        if meeting_id is not None:
            meeting = table.get(meeting_id)
            if not isinstance(meeting, Meeting) or not meeting.active:
                raise RecordNotFound()
        if meeting is None:
            current = workspace.repo.meta().get(CURRENT_KEY)
            candidate = table.get(current) if current else None
            if _preparing(candidate):
                saved = load_state(workspace, candidate.id)  # type: ignore[union-attr]
                if not (saved and saved.finished and candidate.date < today):  # type: ignore[union-attr]
                    meeting = candidate
        if meeting is None:
            upcoming = [m for m in table.of_kind(Kind.MEETING) if _preparing(m) and m.date >= today]
            meeting = min(upcoming, key=lambda m: m.date, default=None)
        if meeting is None:
            meeting = Meeting(
                date=date.fromordinal(today.toordinal() + DEFAULT_DAYS_AHEAD),
                attendees=[_dsl_attendee(workspace)],
            )
            editor.save(meeting)
        state = load_state(workspace, meeting.id) or PreparationState(
            meeting_id=meeting.id, started_on=today
        )
        preparation = cls(workspace, state, editor, fixed_today)
        preparation.save()
        return preparation

    def save(self) -> None:
        save_state(self.workspace, self.state)

    # -- reading -----------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._today or date.today()

    @property
    def table(self) -> MappingTable:
        return self.workspace.table()

    @property
    def profile(self) -> Profile:
        return self.workspace.profile

    @property
    def meeting(self) -> Meeting:
        meeting = self.table.get(self.state.meeting_id)
        if not isinstance(meeting, Meeting):
            raise RecordNotFound()
        return meeting

    @property
    def step(self) -> Step:
        return self.state.current

    # -- navigation ----------------------------------------------------------------
    def is_complete(self, step: Step | None = None) -> Completeness:
        """Whether ``step`` (the current one by default) is complete, and if not, why."""
        return _RULES[step or self.state.current](self)

    def first_incomplete(self) -> Step | None:
        return next((s for s in STEPS if not self.is_complete(s)[0]), None)

    def go_to(self, step: Step) -> None:
        """Make ``step`` the current one (the wizard moved there) and save."""
        if self.state.current != step:
            self.state.current = step
            self.save()

    def advance(self) -> Step:
        """Move to the next step; StepIncomplete (with the reason) if this one is not done."""
        done, reason = self.is_complete()
        if not done:
            raise StepIncomplete(reason)
        index = STEPS.index(self.state.current)
        if index + 1 < len(STEPS):
            self.go_to(STEPS[index + 1])
        return self.state.current

    def back(self) -> Step:
        index = STEPS.index(self.state.current)
        if index > 0:
            self.go_to(STEPS[index - 1])
        return self.state.current

    def resume_path(self) -> list[Step]:
        """The steps from the first to where the DSL left off, stopping early at the
        first incomplete one (e.g. the meeting date has passed since)."""
        path = []
        for step in STEPS:
            path.append(step)
            if step == self.state.current or not self.is_complete(step)[0]:
                break
        return path

    # -- meeting details -------------------------------------------------------------
    def set_meeting(
        self,
        *,
        when: date | None = None,
        venue: str | None = None,
        chair: str | None = None,
        attendees: list[Attendee] | None = None,
    ) -> None:
        """Change the meeting's date, venue, chair or attendees (saved if anything changed)."""
        meeting = copy.deepcopy(self.meeting)
        changed = False
        for name, value in (
            ("date", when),
            ("venue", venue),
            ("chair", chair),
            ("attendees", attendees),
        ):
            if value is not None and getattr(meeting, name) != value:
                setattr(meeting, name, copy.deepcopy(value))
                changed = True
        if changed:
            self.editor.save(meeting)

    def recommended_attendees(self) -> list[Attendee]:
        """The DSL, then one row for each agency the guidance recommends that is not
        there yet (names left for the DSL to fill in)."""
        meeting = self.meeting
        present = {a.organisation for a in meeting.attendees}
        rows = []
        if not _has_dsl(meeting):
            rows.append(_dsl_attendee(self.workspace))
            present.add(rows[0].organisation)
        for agency in self.recommended_agencies():
            if agency not in present:
                rows.append(Attendee(name="", organisation=agency))
        return rows

    def recommended_agencies(self) -> list[str]:
        labels = {a.key: a.label for a in self.profile.agencies}
        found = [labels[key] for key in RECOMMENDED_AGENCIES if key in labels]
        return found or [a.label for a in self.profile.agencies if a.key != "other"]

    # -- information sharing ----------------------------------------------------------
    def confirm_sharing(self, confirmed: bool) -> None:
        """The DSL confirms the school is signed up to the charter; noted in the
        workspace details too, with the date."""
        self.state.wisc_confirmed = confirmed
        if confirmed:
            stamp = self.today.isoformat()
            self.workspace.repo.set_meta({"wisc_confirmed": stamp})
            self.workspace.details.wisc_confirmed = stamp
        self.save()

    # -- harm types ----------------------------------------------------------------------
    def harm_type_counts(self) -> dict[str, int]:
        """How many current records carry each harm category, by key."""
        counts = {c.key: 0 for c in self.profile.harm_categories}
        for record in self.table.records.values():
            if record.active:
                for key in getattr(record, "harm_categories", []):
                    if key in counts:
                        counts[key] += 1
        return counts

    def set_harm_type_seen(self, key: str, seen: bool) -> None:
        keys = [c.key for c in self.profile.harm_categories]
        if key not in keys:
            raise RecordNotFound(f"“{key}” is not a harm category in the local profile.")
        chosen = (
            set(self.state.harm_types_seen) | {key}
            if seen
            else set(self.state.harm_types_seen) - {key}
        )
        self.state.harm_types_seen = [k for k in keys if k in chosen]
        self.save()

    def set_no_harm_types(self, on: bool) -> None:
        self.state.no_harm_types = on
        self.save()

    # -- sections ---------------------------------------------------------------------------
    def section_records(self, step: Step) -> list[Record]:
        return self.table.of_kind(SECTION_KINDS[step])

    def progress_of(self, record: Record) -> Progress:
        # Added here, or in the main window since (timestamps are to the second).
        if record.id in self.state.added or record.created > self.state.started_at:
            return Progress.ADDED
        if record.last_confirmed is not None and record.last_confirmed >= self.state.started_on:
            return Progress.CONFIRMED
        if record.id in self.state.edited:
            return Progress.CHANGED
        return Progress.TO_LOOK_AT

    def section_progress(self, step: Step) -> tuple[int, int]:
        """(records looked at, records in the section)."""
        records = self.section_records(step)
        done = sum(1 for r in records if self.progress_of(r) != Progress.TO_LOOK_AT)
        return done, len(records)

    def confirm_current(self, record_id: str) -> None:
        self.editor.confirm_current(self._record(record_id), self.today)

    def retire(self, record_id: str) -> None:
        self.editor.retire(self._record(record_id))

    def add(self, record: Record) -> Record:
        """Add a new record (saved through the editor); returns it as stored, with its code."""
        self.editor.save(record)
        self.state.added.add(record.id)
        self.save()
        return self._record(record.id)

    def mark_changed(self, record_id: str) -> None:
        """A record was edited (here or in the main window) during this preparation."""
        if record_id not in self.state.edited:
            self.state.edited.add(record_id)
            self.save()

    def set_nothing_more(self, step: Step, on: bool) -> None:
        """The DSL's tick "Nothing more to add" (or "nothing to raise / propose")."""
        if on:
            self.state.nothing_more.add(step)
        else:
            self.state.nothing_more.discard(step)
        self.save()

    # -- links -----------------------------------------------------------------------------
    def links(self) -> list[Link]:
        return sorted(self.table.active_links(), key=lambda link: link.created)

    # -- key concerns and actions -----------------------------------------------------------
    def key_concerns(self) -> list[KeyConcern]:
        """Key concerns and questions for this meeting, or not yet tied to a meeting."""
        return [
            r
            for r in self.table.of_kind(Kind.KEY_CONCERN)
            if isinstance(r, KeyConcern) and r.meeting_id in (None, self.state.meeting_id)
        ]

    def add_key_concern(
        self, text: str, *, is_question: bool = False, linked_ids: list[str] | None = None
    ) -> KeyConcern:
        concern = KeyConcern(
            text=text.strip(),
            is_question=is_question,
            linked_ids=list(linked_ids or []),
            meeting_id=self.state.meeting_id,
        )
        self.add(concern)
        return self._record(concern.id)  # type: ignore[return-value]

    def proposed_actions(self) -> list[Action]:
        """The school's proposals (including those it decided not to take forward) for
        this meeting, or not yet tied to a meeting."""
        return [
            r
            for r in self.table.of_kind(Kind.ACTION)
            if isinstance(r, Action)
            and r.origin == ActionOrigin.SCHOOL.value
            and r.status in (ActionStatus.PROPOSED.value, ActionStatus.NOT_TAKEN_FORWARD.value)
            and r.meeting_id in (None, self.state.meeting_id)
        ]

    def propose_action(
        self,
        catalogue_key: str,
        *,
        sub_choice: str = "",
        detail: str = "",
        linked_ids: list[str] | None = None,
        owner_agency: str = "",
        due: date | None = None,
        taken_forward: bool = True,
        rationale: str = "",
    ) -> Action:
        """A proposed action from the catalogue, or one recorded as not taken forward
        (which needs a rationale)."""
        entry = self.profile.action(catalogue_key)
        if entry is None:
            raise RecordNotFound(f"“{catalogue_key}” is not an action in the local profile.")
        if sub_choice and sub_choice not in entry.sub_choices:
            raise RecordNotFound(f"“{sub_choice}” is not a choice for this action.")
        action = Action(
            catalogue_key=catalogue_key,
            sub_choice=sub_choice,
            detail=detail.strip(),
            linked_ids=list(linked_ids or []),
            owner_agency=owner_agency,
            due=due,
            status=(
                ActionStatus.PROPOSED.value
                if taken_forward
                else ActionStatus.NOT_TAKEN_FORWARD.value
            ),
            rationale=rationale.strip(),
            origin=ActionOrigin.SCHOOL.value,
            meeting_id=self.state.meeting_id,
        )
        self.add(action)
        return self._record(action.id)  # type: ignore[return-value]

    # -- review ----------------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        """Every finding of the four checks for the meeting's date."""
        return run_checks(self.table, self.meeting.date, self.profile.currency_window_weeks)

    def finding_counts(self) -> dict[Check, int]:
        return summary(self.findings())

    # -- finish ----------------------------------------------------------------------------
    def finish(self) -> None:
        self.state.finished = True
        self.save()

    # -- internals -------------------------------------------------------------------------
    def _record(self, record_id: str) -> Record:
        record = self.table.get(record_id)
        if record is None:
            raise RecordNotFound()
        return record


def _preparing(record: Record | None) -> bool:
    return (
        isinstance(record, Meeting)
        and record.active
        and record.status == MeetingStatus.PREPARING.value
    )


def _dsl_attendee(workspace: Workspace) -> Attendee:
    school = next((a.label for a in workspace.profile.agencies if a.key == "school"), "")
    return Attendee(name=workspace.details.dsl, role=DSL_ROLE, organisation=school)


def _has_dsl(meeting: Meeting) -> bool:
    return any(is_dsl_role(a.role) for a in meeting.attendees)


def is_dsl_role(role: str) -> bool:
    """Whether an attendee's role makes them the DSL ("DSL", "Deputy DSL", "DSL / pastoral")."""
    folded = role.casefold()
    return re.search(r"\bdsl\b", folded) is not None or "designated safeguarding lead" in folded


# -- the rules, one per step ----------------------------------------------------------------
def _details(prep: Preparation) -> Completeness:
    meeting = prep.meeting
    if meeting.date < prep.today:
        return False, "The meeting date is in the past: choose the date of the next meeting."
    if not _has_dsl(meeting):
        return False, "Add the DSL as an attendee (role “DSL”)."
    if any(not (a.name.strip() or a.organisation.strip()) for a in meeting.attendees):
        return False, "Every attendee needs a name or an organisation."
    return True, ""


def _sharing(prep: Preparation) -> Completeness:
    if not prep.state.wisc_confirmed:
        short = prep.profile.charter.short_name or prep.profile.charter.name
        return False, f"Confirm that the school is signed up to the {short}."
    return True, ""


def _harm_types(prep: Preparation) -> Completeness:
    seen, none = prep.state.harm_types_seen, prep.state.no_harm_types
    if seen and none:
        return False, "Untick “None of these”, or untick the harm types."
    if not seen and not none:
        return False, "Tick the types of harm the school has seen, or “None of these”."
    return True, ""


def _section(step: Step) -> Callable[[Preparation], Completeness]:
    many = _SECTION_WORDS[step]

    def rule(prep: Preparation) -> Completeness:
        if step in prep.state.nothing_more:
            return True, ""
        done, total = prep.section_progress(step)
        if total == 0:
            return False, f"There are no {many} yet: add one, or tick “Nothing more to add”."
        if done < total:
            left = total - done
            return False, (
                f"{left} of {total} {many} {'is' if left == 1 else 'are'} still to look at: "
                "confirm, change or retire each one, or tick “Nothing more to add”."
            )
        return True, ""

    return rule


def _always(prep: Preparation) -> Completeness:
    return True, ""


def _concerns(prep: Preparation) -> Completeness:
    if prep.key_concerns() or Step.CONCERNS in prep.state.nothing_more:
        return True, ""
    return False, "Add a key concern or question, or tick “No key concerns or questions to raise”."


def _actions(prep: Preparation) -> Completeness:
    if prep.proposed_actions() or Step.ACTIONS in prep.state.nothing_more:
        return True, ""
    return False, "Propose an action, or tick “No actions to propose”."


_RULES: dict[Step, Callable[[Preparation], Completeness]] = {
    Step.DETAILS: _details,
    Step.SHARING: _sharing,
    Step.HARM_TYPES: _harm_types,
    **{step: _section(step) for step in SECTION_KINDS},
    Step.LINKS: _always,
    Step.CONCERNS: _concerns,
    Step.ACTIONS: _actions,
    Step.REVIEW: _always,
    Step.FINISH: _always,
}
