"""The mapping table's records (DESIGN.md §3), as plain dataclasses.

Every record has a stable UUID, a short human code (``YP-03``), ``created``,
``updated``, ``last_confirmed`` and free-text ``notes``. Validation lives in
``validate()`` on each class and raises :class:`RecordInvalid` with one sentence
that names the field, never the person.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from saferyp_desktop.errors import RecordInvalid


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Kind(StrEnum):
    YOUNG_PERSON = "young_person"
    ADULT = "adult"
    PEER_GROUP = "peer_group"
    LOCATION = "location"
    STRENGTH = "strength"
    KEY_CONCERN = "key_concern"
    ACTION = "action"
    MEETING = "meeting"


CODE_PREFIX: dict[Kind, str] = {
    Kind.YOUNG_PERSON: "YP",
    Kind.ADULT: "AD",
    Kind.PEER_GROUP: "PG",
    Kind.LOCATION: "LC",
    Kind.STRENGTH: "ST",
    Kind.KEY_CONCERN: "KC",
    Kind.ACTION: "AC",
    Kind.MEETING: "MT",
}
KIND_BY_PREFIX = {prefix: kind for kind, prefix in CODE_PREFIX.items()}
CODE_PATTERN = re.compile(r"^(YP|AD|PG|LC|ST|KC|AC|MT)-(\d{2,6})$")


def format_code(kind: Kind, number: int) -> str:
    return f"{CODE_PREFIX[kind]}-{number:02d}"


def code_number(code: str) -> int:
    match = CODE_PATTERN.match(code)
    if not match:
        raise RecordInvalid(f"“{code}” is not a record code like YP-03.")
    return int(match.group(2))


class ConcernLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class KnownTo(StrEnum):
    SOCIAL_CARE = "social care"
    EARLY_HELP = "Early Help"
    YOT = "YOT"
    POLICE = "police"
    CAMHS = "CAMHS"
    NONE_KNOWN = "none known"


class Awareness(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class LocationKind(StrEnum):
    PARK = "park"
    SHOP = "shop/takeaway"
    TRANSPORT_HUB = "transport hub"
    ROUTE_TO_SCHOOL = "route to school"
    SCHOOL_SITE = "part of the school site"
    HOUSING_AREA = "housing area"
    PRIVATE_ADDRESS = "private address"
    LEISURE_VENUE = "leisure venue"
    ONLINE_PLATFORM = "online platform"
    EVENT = "event"
    OTHER = "other"


class StrengthKind(StrEnum):
    TRUSTED_ADULT = "trusted adult"
    SAFE_SPACE = "safe space"
    POSITIVE_ACTIVITY = "positive activity"
    PEER_SUPPORT = "peer support"
    COMMUNITY_ASSET = "community asset"
    SCHOOL_PROVISION = "school provision"


class Relation(StrEnum):
    FRIENDS_WITH = "friends with"
    IN_RELATIONSHIP_WITH = "in a relationship with"
    RELATED_TO = "related to"
    SEEN_WITH = "seen with"
    SPENDS_TIME_AT = "spends time at"
    LIVES_AT_OR_NEAR = "lives at or near"
    ONLINE_CONTACT_WITH = "online contact with"
    SUSPECTED_OF_EXPLOITING = "suspected of exploiting or pressuring"
    IN_CONFLICT_WITH = "in conflict with"
    SUPPORTS_OR_PROTECTS = "supports or protects"


class Confidence(StrEnum):
    CONFIRMED = "confirmed"
    SUSPECTED = "suspected"
    UNCONFIRMED = "unconfirmed"


class HowKnown(StrEnum):
    FIRST_HAND = "first-hand"
    SECOND_HAND = "second-hand"
    HEARSAY = "hearsay"


class ActionStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in progress"
    DONE = "done"
    NOT_TAKEN_FORWARD = "not taken forward"


class ActionOrigin(StrEnum):
    SCHOOL = "school"
    MEETING = "meeting"


class MeetingStatus(StrEnum):
    PREPARING = "preparing"
    SUBMITTED = "submitted"
    HELD = "held"


def derive_initials(name: str) -> str:
    """``"Jordan Lee-Smith"`` → ``"JLS"``: the first letter of every name part."""
    parts = re.split(r"[\s\-']+", name.strip())
    return "".join(part[0].upper() for part in parts if part and part[0].isalpha())


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise RecordInvalid(message)


def _check_enum_list(values: list[str], enum: type[StrEnum], what: str) -> None:
    allowed = {member.value for member in enum}
    for value in values:
        _require(value in allowed, f"“{value}” is not a known {what}.")


@dataclass(kw_only=True)
class Record:
    """Fields every record of the mapping table has."""

    KIND = Kind.YOUNG_PERSON  # overridden by each record type

    id: str = field(default_factory=new_id)
    code: str = ""
    created: datetime = field(default_factory=now)
    updated: datetime = field(default_factory=now)
    last_confirmed: date | None = None
    retired: datetime | None = None
    notes: str = ""

    @property
    def kind(self) -> Kind:
        return self.KIND

    @property
    def active(self) -> bool:
        return self.retired is None

    def label_text(self) -> str:
        """The record's own words for itself (a name or a label) at full detail."""
        return self.code

    def validate(self) -> None:
        if self.code:
            _require(
                CODE_PATTERN.match(self.code) is not None
                and self.code.startswith(CODE_PREFIX[self.KIND] + "-"),
                f"“{self.code}” is not a valid code for this kind of record.",
            )
        _require(
            self.updated >= self.created,
            f"{self.code or 'A record'} was updated before it was created.",
        )


@dataclass(kw_only=True)
class YoungPerson(Record):
    KIND = Kind.YOUNG_PERSON

    name: str
    initials: str = ""
    year_group: int | None = None
    age: int | None = None
    gender: str = ""
    known_to: list[str] = field(default_factory=list)
    worker_aware: str = Awareness.UNKNOWN.value
    harm_categories: list[str] = field(default_factory=list)
    concern_level: str = ConcernLevel.LOW.value
    strengths: str = ""

    def __post_init__(self) -> None:
        if not self.initials:
            self.initials = derive_initials(self.name)

    def label_text(self) -> str:
        return self.name

    def validate(self) -> None:
        super().validate()
        _require(bool(self.name.strip()), f"{self.code or 'A young person'} needs a name.")
        _require(
            self.year_group is None or 0 <= self.year_group <= 14,
            f"{self.code or 'A young person'}: the year group must be between Reception (0) and 14.",
        )
        _require(
            self.age is None or 3 <= self.age <= 25,
            f"{self.code or 'A young person'}: the age must be between 3 and 25.",
        )
        _check_enum_list(self.known_to, KnownTo, "agency for “known to”")
        _check_enum_list([self.worker_aware], Awareness, "answer for “worker aware”")
        _check_enum_list([self.concern_level], ConcernLevel, "level of concern")


@dataclass(kw_only=True)
class Adult(Record):
    KIND = Kind.ADULT

    name: str
    aliases: list[str] = field(default_factory=list)
    approx_age: int | None = None
    vehicle: str = ""
    handles: list[str] = field(default_factory=list)
    harm_categories: list[str] = field(default_factory=list)
    concern_level: str = ConcernLevel.MEDIUM.value

    def label_text(self) -> str:
        return self.name

    def validate(self) -> None:
        super().validate()
        _require(
            bool(self.name.strip()), f"{self.code or 'An adult'} needs a name or a description."
        )
        _require(
            self.approx_age is None or 16 <= self.approx_age <= 110,
            f"{self.code or 'An adult'}: the approximate age must be between 16 and 110.",
        )
        _check_enum_list([self.concern_level], ConcernLevel, "level of concern")


@dataclass(kw_only=True)
class Membership:
    """A young person in a peer group, with an optional role (e.g. "leader")."""

    person_id: str
    role: str = ""


@dataclass(kw_only=True)
class PeerGroup(Record):
    KIND = Kind.PEER_GROUP

    label: str
    description: str = ""
    members: list[Membership] = field(default_factory=list)
    harm_categories: list[str] = field(default_factory=list)
    concern_level: str = ConcernLevel.MEDIUM.value

    def label_text(self) -> str:
        return self.label

    def validate(self) -> None:
        super().validate()
        _require(bool(self.label.strip()), f"{self.code or 'A peer group'} needs a label.")
        _check_enum_list([self.concern_level], ConcernLevel, "level of concern")
        ids = [m.person_id for m in self.members]
        _require(len(ids) == len(set(ids)), f"{self.code or 'A peer group'} lists a member twice.")


# A full postcode, or only its outward code (the area) when that is all that is known.
POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?( ?[0-9][A-Z]{2})?$")


def normalise_postcode(text: str) -> str:
    """Upper case with one space before the inward code: ``sn12ab`` → ``SN1 2AB``."""
    compact = re.sub(r"\s+", "", text).upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


@dataclass(kw_only=True)
class Location(Record):
    KIND = Kind.LOCATION

    label: str
    location_kind: str = LocationKind.OTHER.value
    where: str = ""
    postcode: str = ""
    when: str = ""
    guardianship: str = ""
    harm_categories: list[str] = field(default_factory=list)
    rating: str = Rag.AMBER.value

    def __post_init__(self) -> None:
        if self.postcode:
            self.postcode = normalise_postcode(self.postcode)

    @property
    def online(self) -> bool:
        return self.location_kind == LocationKind.ONLINE_PLATFORM.value

    def label_text(self) -> str:
        return self.label

    def validate(self) -> None:
        super().validate()
        _require(bool(self.label.strip()), f"{self.code or 'A location'} needs a label.")
        _check_enum_list([self.location_kind], LocationKind, "kind of location")
        _check_enum_list([self.rating], Rag, "safety rating (red, amber or green)")
        _require(
            not self.postcode or POSTCODE_PATTERN.match(self.postcode) is not None,
            f"{self.code or 'A location'}: the postcode is not a UK postcode.",
        )


@dataclass(kw_only=True)
class Strength(Record):
    KIND = Kind.STRENGTH

    label: str
    strength_kind: str = StrengthKind.TRUSTED_ADULT.value
    description: str = ""
    linked_ids: list[str] = field(default_factory=list)

    def label_text(self) -> str:
        return self.label

    def validate(self) -> None:
        super().validate()
        _require(bool(self.label.strip()), f"{self.code or 'A strength'} needs a label.")
        _check_enum_list([self.strength_kind], StrengthKind, "kind of strength")


@dataclass(kw_only=True)
class KeyConcern(Record):
    """A key concern or question the school brings to the meeting."""

    KIND = Kind.KEY_CONCERN

    text: str
    is_question: bool = False
    linked_ids: list[str] = field(default_factory=list)
    meeting_id: str | None = None

    def label_text(self) -> str:
        return self.text

    def validate(self) -> None:
        super().validate()
        _require(bool(self.text.strip()), f"{self.code or 'A key concern'} needs some text.")


@dataclass(kw_only=True)
class Action(Record):
    KIND = Kind.ACTION

    catalogue_key: str
    sub_choice: str = ""
    detail: str = ""
    linked_ids: list[str] = field(default_factory=list)
    owner_agency: str = ""
    due: date | None = None
    status: str = ActionStatus.PROPOSED.value
    rationale: str = ""
    origin: str = ActionOrigin.SCHOOL.value
    meeting_id: str | None = None
    # Chair side: the school an agreed action is for, or the cross-school cluster.
    school_urn: str = ""
    cluster_key: str = ""

    def label_text(self) -> str:
        return self.detail or self.catalogue_key

    def validate(self) -> None:
        super().validate()
        _require(
            bool(self.catalogue_key),
            f"{self.code or 'An action'} needs an action from the catalogue.",
        )
        _check_enum_list([self.status], ActionStatus, "action status")
        _check_enum_list([self.origin], ActionOrigin, "origin of an action")
        _require(
            self.status != ActionStatus.NOT_TAKEN_FORWARD.value or bool(self.rationale.strip()),
            f"{self.code or 'An action'} is not taken forward, so it needs a rationale.",
        )


@dataclass(kw_only=True)
class Attendee:
    name: str
    role: str = ""
    organisation: str = ""


@dataclass(kw_only=True)
class Discussion:
    """What the meeting said about one school (its URN) or one cluster (``cluster:<key>``)."""

    subject: str
    summary: str = ""


@dataclass(kw_only=True)
class Meeting(Record):
    KIND = Kind.MEETING

    date: date
    venue: str = ""
    chair: str = ""
    attendees: list[Attendee] = field(default_factory=list)
    status: str = MeetingStatus.PREPARING.value
    bundles: list[str] = field(default_factory=list)
    apologies: list[Attendee] = field(default_factory=list)
    discussions: list[Discussion] = field(default_factory=list)

    def label_text(self) -> str:
        return self.date.isoformat()

    def validate(self) -> None:
        super().validate()
        _check_enum_list([self.status], MeetingStatus, "meeting status")


@dataclass(kw_only=True)
class Link:
    """A relation between two records; links draw the spider diagram."""

    id: str = field(default_factory=new_id)
    a_id: str
    b_id: str
    relation: str
    confidence: str = Confidence.UNCONFIRMED.value
    note: str = ""
    created: datetime = field(default_factory=now)
    updated: datetime = field(default_factory=now)
    last_confirmed: date | None = None
    retired: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired is None

    def other(self, record_id: str) -> str:
        return self.b_id if record_id == self.a_id else self.a_id

    def validate(self) -> None:
        _require(self.a_id != self.b_id, "A link must join two different records.")
        _check_enum_list([self.relation], Relation, "relation")
        _check_enum_list([self.confidence], Confidence, "confidence")


@dataclass(kw_only=True)
class Evidence:
    """What supports a record or a link: when, from where, how it is known."""

    id: str = field(default_factory=new_id)
    subject_id: str
    observed: date
    source: str
    how_known: str = HowKnown.FIRST_HAND.value
    summary: str = ""
    recorded_by: str = ""
    recorded_at: datetime = field(default_factory=now)
    retired: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired is None

    def validate(self) -> None:
        _require(bool(self.source.strip()), "Evidence needs a source.")
        _check_enum_list([self.how_known], HowKnown, "way of knowing")
        # A day's grace: recorded_at is UTC, the date observed is the DSL's local date.
        _require(
            self.observed <= self.recorded_at.date() + timedelta(days=1),
            "Evidence cannot be observed after it was recorded.",
        )


RECORD_TYPES: dict[Kind, type[Record]] = {
    Kind.YOUNG_PERSON: YoungPerson,
    Kind.ADULT: Adult,
    Kind.PEER_GROUP: PeerGroup,
    Kind.LOCATION: Location,
    Kind.STRENGTH: Strength,
    Kind.KEY_CONCERN: KeyConcern,
    Kind.ACTION: Action,
    Kind.MEETING: Meeting,
}

# The records the four checks look at, and the spider diagram draws.
MAPPED_KINDS = (Kind.YOUNG_PERSON, Kind.ADULT, Kind.PEER_GROUP, Kind.LOCATION, Kind.STRENGTH)
