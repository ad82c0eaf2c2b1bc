"""Fictional demo schools for ``saferyp demo`` and "Try the demo" (DESIGN.md §7).

Every school is in Fernbridge, an invented town (``demo_town``). Every school name
says "(DEMO)" and every record's notes say "Fictional demo record.".

The same seed, size and ``today`` always give the same school, ids included. Different
seeds give different schools in the same town: each has its own young people, adults
and places, and some of the town's shared places and adults too, written a little
differently by each school, so a meeting chair comparing several schools' bundles has
real matches to find (``DemoSchool.shared_ids`` says which records those are). All
the schools share one upcoming meeting.

Most records pass the four checks; a few are left for each check to find, so the
wizard's review page has something to show.
"""

from __future__ import annotations

import math
import random
import uuid
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from saferyp_desktop.domain import demo_town as town
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import Profile, load_profile
from saferyp_desktop.domain.records import (
    Action,
    ActionOrigin,
    ActionStatus,
    Adult,
    Attendee,
    Awareness,
    ConcernLevel,
    Confidence,
    Evidence,
    HowKnown,
    KeyConcern,
    Kind,
    KnownTo,
    Link,
    Location,
    LocationKind,
    Meeting,
    MeetingStatus,
    Membership,
    PeerGroup,
    Rag,
    Record,
    Relation,
    Strength,
    StrengthKind,
    YoungPerson,
    format_code,
)
from saferyp_desktop.errors import UsageError

DEMO_NOTE = "Fictional demo record."


@dataclass(frozen=True)
class DemoSize:
    young_people: int
    adults: int
    peer_groups: int
    places: int
    strengths: int
    links: int
    evidence: int
    key_concerns: int
    actions: int  # proposed; the recorded "no action" decisions come on top


SIZES: dict[str, DemoSize] = {
    "typical": DemoSize(60, 20, 15, 30, 20, 250, 300, 6, 10),
    "large": DemoSize(1000, 200, 150, 300, 100, 5000, 8000, 30, 60),
}


@dataclass
class DemoSchool:
    """A fictional school: its details for a new workspace, and its mapping table."""

    name: str
    urn: str
    phase: str
    community_area: str
    dsl: str
    deputy: str
    table: MappingTable
    meeting_date: date
    town: str = town.TOWN
    wisc_member: bool = True
    # The town's shared places and adults in this school's table: pool key → record id.
    # What a cross-school matcher should find.
    shared_ids: dict[str, str] = field(default_factory=dict)

    @property
    def meeting(self) -> Meeting:
        return next(r for r in self.table.records.values() if isinstance(r, Meeting))


def meeting_date_for(today: date) -> date:
    """The town's next meeting: the first Wednesday at least two weeks after ``today``."""
    start = today + timedelta(days=14)
    return start + timedelta(days=(2 - start.weekday()) % 7)


def make_demo(
    seed: int = 1,
    size: str = "typical",
    today: date | None = None,
    *,
    profile: Profile | None = None,
) -> DemoSchool:
    """The fictional school for ``seed`` at ``size`` ("typical" or "large"), its dates
    anchored on ``today`` (the real date when None), in the words of ``profile``."""
    if size not in SIZES:
        raise UsageError(f"“{size}” is not a demo size: use typical or large.")
    builder = _SchoolBuilder(seed, SIZES[size], today or date.today(), profile or load_profile())
    return builder.build()


# -- how the records are spread -------------------------------------------------------
class _Weights:
    """Values drawn by weight: built once, drawn many times."""

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        pairs = [(value, weight) for value, weight in pairs if weight > 0]
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> Any:
        return self.values[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# Weights by harm category key; a profile's key not named here weighs 2.
YOUNG_PERSON_HARMS = {
    "cce": 14, "county_lines": 9, "cse": 12, "peer_on_peer": 16, "bullying": 18,
    "serious_youth_violence": 10, "teenage_relationship_abuse": 10, "trafficking": 1, "other": 3,
}  # fmt: skip
ADULT_HARMS = {
    "cce": 25, "county_lines": 25, "cse": 22, "serious_youth_violence": 10,
    "teenage_relationship_abuse": 3, "trafficking": 5, "other": 3, "peer_on_peer": 0, "bullying": 0,
}  # fmt: skip
PLACE_HARMS = {
    "cce": 18, "county_lines": 14, "cse": 14, "serious_youth_violence": 14, "peer_on_peer": 12,
    "bullying": 10, "teenage_relationship_abuse": 3, "trafficking": 2, "other": 4,
}  # fmt: skip

LOW, MEDIUM, HIGH = ConcernLevel.LOW.value, ConcernLevel.MEDIUM.value, ConcernLevel.HIGH.value
YOUNG_PERSON_LEVELS = _Weights(((LOW, 55), (MEDIUM, 33), (HIGH, 12)))
ADULT_LEVELS = _Weights(((LOW, 15), (MEDIUM, 55), (HIGH, 30)))
GROUP_LEVELS = _Weights(((LOW, 30), (MEDIUM, 52), (HIGH, 18)))
LEVEL_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

AWARE_IF_KNOWN = _Weights(
    ((Awareness.YES.value, 75), (Awareness.UNKNOWN.value, 15), (Awareness.NO.value, 10))
)
AWARE_IF_NOT_KNOWN = _Weights(((Awareness.UNKNOWN.value, 60), (Awareness.NO.value, 40)))

PLACE_KINDS = _Weights(
    (
        (LocationKind.PARK, 10),
        (LocationKind.SHOP, 14),
        (LocationKind.TRANSPORT_HUB, 6),
        (LocationKind.ROUTE_TO_SCHOOL, 10),
        (LocationKind.SCHOOL_SITE, 9),
        (LocationKind.HOUSING_AREA, 10),
        (LocationKind.PRIVATE_ADDRESS, 7),
        (LocationKind.LEISURE_VENUE, 8),
        (LocationKind.ONLINE_PLATFORM, 12),
        (LocationKind.EVENT, 4),
        (LocationKind.OTHER, 8),
    )
)
GREEN, AMBER, RED = Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value
RATINGS = _Weights(((GREEN, 30), (AMBER, 50), (RED, 20)))
RATINGS_BY_KIND = {
    LocationKind.ONLINE_PLATFORM: _Weights(((AMBER, 55), (RED, 45))),
    LocationKind.SCHOOL_SITE: _Weights(((GREEN, 45), (AMBER, 45), (RED, 10))),
    LocationKind.PRIVATE_ADDRESS: _Weights(((GREEN, 10), (AMBER, 50), (RED, 40))),
}
RESIDENTIAL = {LocationKind.HOUSING_AREA.value, LocationKind.PRIVATE_ADDRESS.value}

# Relations a link between two kinds can have; the first kind is side a.
RELATIONS: dict[tuple[Kind, Kind], _Weights] = {
    (Kind.YOUNG_PERSON, Kind.YOUNG_PERSON): _Weights(
        (
            (Relation.FRIENDS_WITH, 40),
            (Relation.SEEN_WITH, 20),
            (Relation.IN_CONFLICT_WITH, 12),
            (Relation.ONLINE_CONTACT_WITH, 12),
            (Relation.IN_RELATIONSHIP_WITH, 6),
            (Relation.RELATED_TO, 6),
        )
    ),
    (Kind.ADULT, Kind.YOUNG_PERSON): _Weights(
        (
            (Relation.SUSPECTED_OF_EXPLOITING, 45),
            (Relation.SEEN_WITH, 25),
            (Relation.ONLINE_CONTACT_WITH, 20),
            (Relation.RELATED_TO, 5),
        )
    ),
    (Kind.ADULT, Kind.ADULT): _Weights(
        ((Relation.SEEN_WITH, 50), (Relation.FRIENDS_WITH, 30), (Relation.RELATED_TO, 20))
    ),
    (Kind.ADULT, Kind.PEER_GROUP): _Weights(
        ((Relation.SUSPECTED_OF_EXPLOITING, 50), (Relation.SEEN_WITH, 50))
    ),
    (Kind.PEER_GROUP, Kind.PEER_GROUP): _Weights(
        ((Relation.IN_CONFLICT_WITH, 70), (Relation.SEEN_WITH, 30))
    ),
}
# How the links not already made go across pairs of kinds.
LINK_MIX = _Weights(
    (
        ((Kind.YOUNG_PERSON, Kind.YOUNG_PERSON), 32),
        ((Kind.YOUNG_PERSON, Kind.LOCATION), 30),
        ((Kind.ADULT, Kind.YOUNG_PERSON), 15),
        ((Kind.ADULT, Kind.LOCATION), 7),
        ((Kind.ADULT, Kind.ADULT), 4),
        ((Kind.PEER_GROUP, Kind.LOCATION), 6),
        ((Kind.ADULT, Kind.PEER_GROUP), 4),
        ((Kind.PEER_GROUP, Kind.PEER_GROUP), 2),
    )
)
CONFIDENCES = _Weights(
    (
        (Confidence.CONFIRMED.value, 30),
        (Confidence.SUSPECTED.value, 40),
        (Confidence.UNCONFIRMED.value, 30),
    )
)

# Evidence sources by profile key: weight, and how the school usually knows.
SOURCES = {
    "staff_observation": (28, HowKnown.FIRST_HAND),
    "disclosure": (12, HowKnown.FIRST_HAND),
    "peer_report": (16, HowKnown.SECOND_HAND),
    "parent_carer": (10, HowKnown.SECOND_HAND),
    "partner_agency": (12, HowKnown.SECOND_HAND),
    "police": (10, HowKnown.SECOND_HAND),
    "online": (7, HowKnown.FIRST_HAND),
    "anonymous": (5, HowKnown.HEARSAY),
}
# Which agency owns each action of the catalogue, by key.
CATALOGUE_OWNERS = {
    "mash_referral": "school",
    "worker_aware": "school",
    "school_self_assessment": "school",
    "safety_mapping": "yps",
    "context_assessment": "yps",
    "peer_group_assessment": "yps",
    "motiv8_referral": "school",
    "outreach": "motiv8",
    "intel_submitted": "school",
    "police_pcso": "police",
    "varmm_referral": "yps",
    "group_work": "school",
    "regular_intel": "school",
    "other_agencies": "other",
}

# The share of records left for each check to find.
UNCATEGORISED_SHARE = 0.025  # relevant: no harm category, no link to one
UNEVIDENCED_SHARE = 0.03  # evidenced: rated records with no evidence
UNEVIDENCED_LINK_SHARE = 0.02  # evidenced: confirmed or suspected links with none
STALE_SHARE = 0.04  # current: nothing newer than the currency window
UNPLANNED_SHARE = 0.06  # plan: young people in no key concern or action


def _out_and_about(place: Location) -> bool:
    """A place in town young people go to regularly: not online, not the school site,
    not a one-off event."""
    return not place.online and place.location_kind not in (
        LocationKind.SCHOOL_SITE.value,
        LocationKind.EVENT.value,
    )


def _in_a_sentence(label: str) -> str:
    """How a place's label reads after "at": "the bus stop on …", "Hollins Park"."""
    if label.split(maxsplit=1)[0] in town.COMMON_NOUNS:
        return f"the {label[0].lower()}{label[1:]}"
    return label


class _SchoolBuilder:
    """Builds one school's records in a fixed order from seeded random generators."""

    def __init__(self, seed: int, size: DemoSize, today: date, profile: Profile) -> None:
        self.seed = seed
        self.size = size
        self.today = today
        self.profile = profile
        # Who the school is does not depend on the size; what it knows does.
        self.identity = random.Random(f"saferyp-demo-school/{seed}")
        self.rng = random.Random(f"saferyp-demo-table/{seed}/{size}")
        self.meeting_date = meeting_date_for(today)
        window_start = self.meeting_date - timedelta(weeks=profile.currency_window_weeks)
        # A date at most this many days before today is current at the meeting.
        self.fresh_days = (today - window_start).days
        self.harm_keys = [c.key for c in profile.harm_categories]
        self.young_person_harms = self.harm_weights(YOUNG_PERSON_HARMS)
        self.adult_harms = self.harm_weights(ADULT_HARMS)
        self.place_harms = self.harm_weights(PLACE_HARMS)
        self.sources = _Weights((c.key, SOURCES.get(c.key, (5,))[0]) for c in profile.sources)
        self.agency_keys = [c.key for c in profile.agencies]
        self.counters = dict.fromkeys(Kind, 0)
        self.records: list[Record] = []
        self.links: list[Link] = []
        self.evidence: list[Evidence] = []
        self.created_days: dict[str, int] = {}  # record or link id → days before today
        self.link_keys: set[tuple[str, str, str]] = set()
        self.neighbours: dict[str, list[str]] = defaultdict(list)
        self.shared_ids: dict[str, str] = {}
        self.sentence: dict[str, str] = {}  # place id → how it reads after "at"
        self.hangout: dict[str, Location] = {}  # peer group id → where it meets
        self.group_year: dict[str, int] = {}

    # -- small helpers ------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def at(self, days_ago: int) -> datetime:
        """A time in working hours ``days_ago`` days before today."""
        day = self.today - timedelta(days=days_ago)
        slot = self.rng.randrange(120)  # five-minute slots from 8:00 to 17:55
        return datetime(day.year, day.month, day.day, 8 + slot // 12, slot % 12 * 5, tzinfo=UTC)

    def stamp(self, kind: Kind, *, newest: int = 20, oldest: int = 260) -> dict:
        """The id, code, times and notes of a new record created between ``oldest``
        and ``newest`` days ago."""
        self.counters[kind] += 1
        days = self.rng.randint(newest, oldest)
        created = self.at(days)
        record_id = self.uid()
        self.created_days[record_id] = days
        return {
            "id": record_id,
            "code": format_code(kind, self.counters[kind]),
            "created": created,
            "updated": max(created, self.at(self.rng.randint(1, days))),
            "notes": DEMO_NOTE,
        }

    def harm_weights(self, weights: dict[str, int]) -> _Weights:
        """``weights`` over the profile's harm categories (evenly if it knows none)."""
        pairs = [(key, weights.get(key, 2)) for key in self.harm_keys]
        return _Weights(pairs if any(w for _, w in pairs) else [(k, 1) for k in self.harm_keys])

    def harms(self, weights: _Weights) -> list[str]:
        """One harm category, sometimes two."""
        wanted = min(len(weights.values), 1 if self.rng.random() < 0.7 else 2)
        found: list[str] = []
        while len(found) < wanted:
            key = weights.draw(self.rng)
            if key not in found:
                found.append(key)
        return found

    def profile_harms(self, keys: tuple[str, ...]) -> list[str]:
        """The categories ``keys`` of a shared record that this profile has."""
        return [k for k in keys if k in self.harm_keys] or self.harms(self.adult_harms)

    def postcode(self, rng: random.Random | None = None) -> str:
        """A postcode in the town's fictional area, none of its shared places'."""
        rng = rng or self.rng
        letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters an inward code uses
        while True:
            code = (
                f"{town.POSTCODE_AREA}{rng.randint(1, 9)} {rng.randint(1, 9)}"
                f"{rng.choice(letters)}{rng.choice(letters)}"
            )
            if code not in town.SHARED_POSTCODES:
                return code

    def plate(self) -> str:
        letters = "ABCDEFGHJKLMNPRSTUVWXY"
        tail = "".join(self.rng.choice(letters) for _ in range(3))
        return f"{town.POSTCODE_AREA}{self.rng.randint(10, 73)} {tail}"

    @staticmethod
    def unique(make: Callable[[], tuple], seen: set[str]) -> tuple:
        """What ``make`` makes, a label first, with a label not in ``seen`` (numbered if
        ``make`` keeps repeating itself)."""
        for _ in range(30):
            made = make()
            if made[0] not in seen:
                break
        else:
            made = (f"{made[0]} ({len(seen) + 1})", *made[1:])
        seen.add(made[0])
        return made

    # -- the school ---------------------------------------------------------------
    def build(self) -> DemoSchool:
        cycle, index = divmod(self.seed - 1, len(town.SCHOOL_NAMES))
        name = town.SCHOOL_NAMES[index] + (f" {cycle + 1}" if cycle else "") + " (DEMO)"
        # The DSL, the deputy and two pastoral staff, who record the evidence.
        surnames = len(town.SURNAMES)
        self.staff = [
            f"{town.STAFF_FIRST_NAMES[n // surnames]} {town.SURNAMES[n % surnames]}"
            for n in self.identity.sample(range(len(town.STAFF_FIRST_NAMES) * surnames), 4)
        ]
        self.sixth_form = self.identity.random() < 0.5
        self.school_postcode = self.postcode(self.identity)

        places = self.make_places()
        adults = self.make_adults()
        people = self.make_young_people()
        left_out = self.leave_uncategorised(people, adults, places)
        groups = self.make_groups(people, places, left_out)
        left_out += self.leave_uncategorised(groups)
        strengths = self.make_strengths()
        self.make_links(people, adults, groups, places, strengths, left_out)
        mapped = [*people, *adults, *groups, *places, *strengths]
        self.make_evidence(mapped)
        meeting = self.make_meeting()
        self.make_plans(people, adults, groups, places, meeting)
        return DemoSchool(
            name=name,
            urn=f"99{self.seed % 10000:04d}",  # real URNs are far below 990000
            phase="Secondary",
            community_area=town.COMMUNITY_AREA,
            dsl=self.staff[0],
            deputy=self.staff[1],
            table=MappingTable.of(self.records, self.links, self.evidence),
            meeting_date=self.meeting_date,
            shared_ids=self.shared_ids,
        )

    # -- places -------------------------------------------------------------------
    def make_places(self) -> list[Location]:
        rng = self.rng
        places: list[Location] = []
        labels: set[str] = set()
        for shared in town.SHARED_PLACES:
            if not shared.core and rng.random() >= 0.6:
                continue
            place = Location(
                **self.stamp(Kind.LOCATION, newest=150),
                label=rng.choice(shared.labels),
                location_kind=shared.kind.value,
                where=rng.choice(shared.wheres),
                postcode=shared.postcode,
                when=shared.when,
                guardianship=shared.guardianship,
                harm_categories=self.profile_harms(shared.harms),
                rating=shared.rating.value,
            )
            labels.add(place.label)
            self.shared_ids[shared.key] = place.id
            self.sentence[place.id] = shared.in_a_sentence
            places.append(place)
        while len(places) < self.size.places:
            kind = PLACE_KINDS.draw(rng)
            label, where = self.unique(lambda kind=kind: self.place_label(kind), labels)
            places.append(self.place(kind, label, where))
        self.records += places
        return places

    def place_label(self, kind: LocationKind) -> tuple[str, str]:
        """A label for a new place of ``kind``, and where it is."""
        rng = self.rng
        template = rng.choice(town.PLACE_LABELS[kind])
        stem, street, platform = (
            rng.choice(town.PLACE_STEMS),
            rng.choice(town.STREETS),
            rng.choice(town.PLATFORMS),
        )
        tag = rng.choice(town.TAGS) + (str(rng.randint(1, 99)) if rng.random() < 0.5 else "")
        if kind == LocationKind.ONLINE_PLATFORM:
            where = f"Online – {platform}"
        elif kind == LocationKind.SCHOOL_SITE:
            where = "School site"
        else:
            where = f"{street if '{street}' in template else stem}, {town.TOWN}"
        label = template.format(
            stem=stem,
            street=street,
            food=rng.choice(town.FOODS),
            platform=platform,
            tag=tag,
            year=rng.randint(7, 11),
        )
        return label, where

    def place(self, kind: LocationKind, label: str, where: str) -> Location:
        rng = self.rng
        postcode = ""
        when, guardianship = rng.choice(town.WHENS), rng.choice(town.GUARDIANSHIPS)
        rating = RATINGS_BY_KIND.get(kind, RATINGS).draw(rng)
        if kind == LocationKind.ONLINE_PLATFORM:
            when = rng.choice(town.ONLINE_WHENS)
            guardianship = rng.choice(town.ONLINE_GUARDIANSHIPS)
        elif kind == LocationKind.SCHOOL_SITE:
            postcode = self.school_postcode
            when = rng.choice(town.SCHOOL_SITE_WHENS)
            guardianship = rng.choice(town.SCHOOL_SITE_GUARDIANSHIPS)
        elif kind == LocationKind.PRIVATE_ADDRESS:
            postcode = self.postcode()
        elif kind == LocationKind.EVENT:
            when = rng.choice(town.EVENT_WHENS)
        elif kind != LocationKind.ROUTE_TO_SCHOOL or rng.random() < 0.5:
            postcode = self.postcode()
        # A green place often has no harm of its own; it matters through who goes there.
        no_harm = rating == GREEN and rng.random() < 0.5
        place = Location(
            **self.stamp(Kind.LOCATION),
            label=label,
            location_kind=kind.value,
            where=where,
            postcode=postcode,
            when=when,
            guardianship=guardianship,
            harm_categories=[] if no_harm else self.harms(self.place_harms),
            rating=rating,
        )
        self.sentence[place.id] = _in_a_sentence(label)
        return place

    # -- adults -------------------------------------------------------------------
    def make_adults(self) -> list[Adult]:
        rng = self.rng
        adults: list[Adult] = []
        for shared in town.SHARED_ADULTS:
            if not shared.core and rng.random() >= 0.6:
                continue
            adult = Adult(
                **self.stamp(Kind.ADULT, newest=120, oldest=240),
                name=rng.choice(shared.names),
                aliases=list(rng.choice(shared.aliases)),
                approx_age=rng.choice(shared.ages),
                vehicle=rng.choice(shared.vehicles),
                handles=list(rng.choice(shared.handles)),
                harm_categories=self.profile_harms(shared.harms),
                concern_level=shared.level.value,
            )
            self.shared_ids[shared.key] = adult.id
            adults.append(adult)
        surnames = len(town.SURNAMES)
        names = rng.sample(range(len(town.ADULT_FIRST_NAMES) * surnames), self.size.adults)
        for number in names[: max(0, self.size.adults - len(adults))]:
            first = town.ADULT_FIRST_NAMES[number // surnames]
            age = rng.randint(17, 45)
            if rng.random() < 0.15:
                name = rng.choice(town.ADULT_DESCRIPTIONS).format(age=age - age % 5)
            else:
                name = f"{first} {town.SURNAMES[number % surnames]}"
            vehicle = ""
            if rng.random() < 0.4:
                vehicle = rng.choice(town.VEHICLES)
                if rng.random() < 0.6:
                    vehicle += f", reg {self.plate()}"
            handles = []
            if rng.random() < 0.45:
                handle = f"@{first.lower()}.{rng.choice(town.HANDLE_WORDS)}{rng.randint(1, 99)}"
                handles = [f"{handle} ({rng.choice(town.HANDLE_APPS)})"]
            adults.append(
                Adult(
                    **self.stamp(Kind.ADULT),
                    name=name,
                    aliases=[rng.choice(town.NICKNAMES)] if rng.random() < 0.4 else [],
                    approx_age=age if rng.random() < 0.8 else None,
                    vehicle=vehicle,
                    handles=handles,
                    harm_categories=self.harms(self.adult_harms),
                    concern_level=ADULT_LEVELS.draw(rng),
                )
            )
        self.records += adults
        return adults

    # -- young people -------------------------------------------------------------
    def make_young_people(self) -> list[YoungPerson]:
        rng = self.rng
        top_year = 13 if self.sixth_form else 11
        first_names = town.GIRL_NAMES + town.BOY_NAMES
        surnames = len(town.SURNAMES)
        people = []
        for number in rng.sample(range(len(first_names) * surnames), self.size.young_people):
            first = number // surnames
            year = min(top_year, rng.choice((7, 8, 9, 9, 10, 10, 10, 11, 11, 12, 13)))
            level = YOUNG_PERSON_LEVELS.draw(rng)
            if level == ConcernLevel.LOW.value:
                early_help = rng.random() < 0.2
                known = [KnownTo.EARLY_HELP.value if early_help else KnownTo.NONE_KNOWN.value]
            else:
                agencies = [k for k in KnownTo if k != KnownTo.NONE_KNOWN]
                known = sorted(k.value for k in rng.sample(agencies, rng.randint(1, 2)))
            aware = (
                AWARE_IF_NOT_KNOWN if known == [KnownTo.NONE_KNOWN.value] else AWARE_IF_KNOWN
            ).draw(rng)
            gender = ""
            if rng.random() < 0.85:
                gender = "female" if first < len(town.GIRL_NAMES) else "male"
            # Some low-level young people matter through who they are linked to.
            uncategorised = level == ConcernLevel.LOW.value and rng.random() < 0.2
            people.append(
                YoungPerson(
                    **self.stamp(Kind.YOUNG_PERSON),
                    name=f"{first_names[first]} {town.SURNAMES[number % surnames]}",
                    year_group=year,
                    age=year + 4 + (rng.random() < 0.6),
                    gender=gender,
                    known_to=known,
                    worker_aware=aware,
                    harm_categories=[] if uncategorised else self.harms(self.young_person_harms),
                    concern_level=level,
                    strengths="; ".join(rng.sample(town.YOUNG_PERSON_STRENGTHS, rng.randint(0, 2))),
                )
            )
        self.records += people
        return people

    def leave_uncategorised(self, *kinds: list) -> list[Record]:
        """A few records of each kind with no harm category, which will get no link to
        one: findings of the "relevant" check. Never the town's shared records."""
        shared = set(self.shared_ids.values())
        chosen: list[Record] = []
        for records in kinds:
            candidates = [r for r in records if r.id not in shared]
            count = max(1, round(len(records) * UNCATEGORISED_SHARE))
            for record in self.rng.sample(candidates, min(count, len(candidates))):
                record.harm_categories = []
                chosen.append(record)
        return chosen

    # -- peer groups --------------------------------------------------------------
    def make_groups(
        self, people: list[YoungPerson], places: list[Location], left_out: list[Record]
    ) -> list[PeerGroup]:
        rng = self.rng
        skip = {r.id for r in left_out}
        by_year: dict[int, list[YoungPerson]] = defaultdict(list)
        for person in people:
            if person.id not in skip:
                by_year[person.year_group or 0].append(person)
        years = sorted(by_year)
        offline = [p for p in places if p.id not in skip and _out_and_about(p)]
        online = [p for p in places if p.id not in skip and p.online]
        labels: set[str] = set()
        groups = []
        for _ in range(self.size.peer_groups):

            def label() -> tuple[str, int, Location]:
                year = rng.choice(years)
                place = rng.choice(online if online and rng.random() < 0.2 else offline)
                where = self.sentence[place.id].removeprefix("the ")
                return f"Year {year} {rng.choice(town.GROUP_WHO)}, {where}", year, place

            group_label, year, place = self.unique(label, labels)
            pool = by_year[year] + by_year.get(year + 1, []) + by_year.get(year - 1, [])
            members = rng.sample(pool, min(len(pool), rng.randint(3, 6)))
            roles = ["leader" if rng.random() < 0.6 else ""]
            roles += [
                rng.choice(town.GROUP_ROLES) if rng.random() < 0.25 else "" for _ in members[1:]
            ]
            group = PeerGroup(
                **self.stamp(Kind.PEER_GROUP),
                label=group_label,
                description=rng.choice(town.GROUP_DESCRIPTIONS),
                members=[
                    Membership(person_id=m.id, role=r) for m, r in zip(members, roles, strict=True)
                ],
                harm_categories=self.harms(self.young_person_harms),
                concern_level=GROUP_LEVELS.draw(rng),
            )
            self.hangout[group.id] = place
            self.group_year[group.id] = year
            groups.append(group)
        self.records += groups
        return groups

    # -- strengths ----------------------------------------------------------------
    def make_strengths(self) -> list[Strength]:
        rng = self.rng
        labels: set[str] = set()
        strengths = []
        kinds = list(StrengthKind)
        for i in range(self.size.strengths):
            kind = kinds[i] if i < len(kinds) else rng.choice(kinds)

            def label(kind: StrengthKind = kind) -> tuple[str]:
                text = rng.choice(town.STRENGTH_LABELS[kind]).format(
                    title=rng.choice(town.TITLES),
                    surname=rng.choice(town.SURNAMES),
                    year=rng.randint(7, 11),
                    stem=rng.choice(town.PLACE_STEMS),
                )
                return (text,)

            strengths.append(
                Strength(
                    **self.stamp(Kind.STRENGTH),
                    label=self.unique(label, labels)[0],
                    strength_kind=kind.value,
                    description=town.STRENGTH_DESCRIPTIONS[kind],
                )
            )
        self.records += strengths
        return strengths

    # -- links --------------------------------------------------------------------
    def link(self, a: Record, b: Record, relation: Relation, confidence: str = "") -> bool:
        """Link ``a`` to ``b`` unless that joins a record to itself or repeats a link."""
        key = (min(a.id, b.id), max(a.id, b.id), relation.value)
        if a.id == b.id or key in self.link_keys:
            return False
        self.link_keys.add(key)
        rng = self.rng
        days = rng.randint(1, min(self.created_days[a.id], self.created_days[b.id]))
        link_id = self.uid()
        self.created_days[link_id] = days
        created = self.at(days)
        self.links.append(
            Link(
                id=link_id,
                a_id=a.id,
                b_id=b.id,
                relation=relation.value,
                confidence=confidence or CONFIDENCES.draw(rng),
                note=rng.choice(town.LINK_NOTES) if rng.random() < 0.2 else "",
                created=created,
                updated=max(created, self.at(rng.randint(1, days))),
            )
        )
        self.neighbours[a.id].append(b.id)
        self.neighbours[b.id].append(a.id)
        return True

    def relation_to(self, place: Location, who: Kind) -> Relation:
        if place.location_kind in RESIDENTIAL and self.rng.random() < (
            0.3 if who == Kind.YOUNG_PERSON else 0.5
        ):
            return Relation.LIVES_AT_OR_NEAR
        return Relation.SPENDS_TIME_AT

    def make_links(
        self,
        people: list[YoungPerson],
        adults: list[Adult],
        groups: list[PeerGroup],
        places: list[Location],
        strengths: list[Strength],
        left_out: list[Record],
    ) -> None:
        rng = self.rng
        skip = {r.id for r in left_out}
        linkable: dict[Kind, list] = {
            Kind.YOUNG_PERSON: [r for r in people if r.id not in skip],
            Kind.ADULT: [r for r in adults if r.id not in skip],
            Kind.PEER_GROUP: [r for r in groups if r.id not in skip],
            Kind.LOCATION: [r for r in places if r.id not in skip],
        }
        # Adults are mostly linked to the young people the school is worried about.
        of_concern = [
            p for p in linkable[Kind.YOUNG_PERSON] if p.concern_level != ConcernLevel.LOW.value
        ]
        by_id = {r.id: r for r in self.records}

        # The town's shared adults at the town's shared places, and with our pupils.
        for shared in town.SHARED_ADULTS:
            if shared.key not in self.shared_ids:
                continue
            adult = by_id[self.shared_ids[shared.key]]
            for haunt in shared.haunts:
                if haunt in self.shared_ids:
                    self.link(adult, by_id[self.shared_ids[haunt]], Relation.SPENDS_TIME_AT)
            for person in rng.sample(of_concern, min(len(of_concern), 2)):
                self.link(adult, person, Relation.SUSPECTED_OF_EXPLOITING)
        # Each group where it meets.
        for group in linkable[Kind.PEER_GROUP]:
            self.link(
                group, self.hangout[group.id], Relation.SPENDS_TIME_AT, Confidence.CONFIRMED.value
            )
        # A record without a harm category of its own is linked to one with one.
        with_harm = {kind: [r for r in rs if r.harm_categories] for kind, rs in linkable.items()}
        for kind, records in linkable.items():
            for record in records:
                if record.harm_categories:
                    continue
                if kind == Kind.YOUNG_PERSON:
                    self.link(record, rng.choice(with_harm[kind]), Relation.FRIENDS_WITH)
                elif kind == Kind.LOCATION:
                    person = rng.choice(with_harm[Kind.YOUNG_PERSON])
                    self.link(person, record, self.relation_to(record, Kind.YOUNG_PERSON))
                else:
                    self.link(record, rng.choice(with_harm[Kind.LOCATION]), Relation.SPENDS_TIME_AT)
        # Strengths support young people, groups and places (a strength has no harm
        # category, so it does not make a record relevant).
        supported = [*people, *groups, *places]
        for strength in strengths:
            targets = rng.sample(supported, rng.randint(1, 3))
            for target in targets:
                self.link(
                    strength, target, Relation.SUPPORTS_OR_PROTECTS, Confidence.CONFIRMED.value
                )
            strength.linked_ids = [t.id for t in targets]
        # The rest, spread across pairs of kinds.
        left = self.size.links - len(self.links)
        for _ in range(self.size.links * 20):
            if left <= 0:
                break
            kind_a, kind_b = LINK_MIX.draw(rng)
            a = rng.choice(linkable[kind_a])
            if (kind_a, kind_b) == (Kind.ADULT, Kind.YOUNG_PERSON) and rng.random() < 0.8:
                b = rng.choice(of_concern)
            else:
                b = rng.choice(linkable[kind_b])
            if kind_b == Kind.LOCATION:
                relation = self.relation_to(b, kind_a)
            else:
                relation = RELATIONS[(kind_a, kind_b)].draw(rng)
            left -= self.link(a, b, relation)

    # -- evidence -----------------------------------------------------------------
    def make_evidence(self, mapped: list[Record]) -> None:
        rng = self.rng
        shared = set(self.shared_ids.values())
        # Stale: nothing confirmed or observed within the currency window ("current").
        old_enough = [
            r
            for r in mapped
            if self.created_days[r.id] > self.fresh_days + 20 and r.id not in shared
        ]
        stale_count = min(len(old_enough), max(2, round(len(mapped) * STALE_SHARE)))
        stale = {r.id for r in rng.sample(old_enough, stale_count)}
        # Rated records and sure links with no evidence at all ("evidenced").
        rated = [r for r in mapped if self.rated(r) and r.id not in shared]
        sure_links = [lk for lk in self.links if lk.confidence != Confidence.UNCONFIRMED.value]
        bare = {r.id for r in rng.sample(rated, max(1, round(len(rated) * UNEVIDENCED_SHARE)))}
        bare_links = rng.sample(sure_links, max(1, round(len(sure_links) * UNEVIDENCED_LINK_SHARE)))
        bare |= {lk.id for lk in bare_links}

        kind_of: dict[str, Kind | None] = {r.id: r.kind for r in mapped}
        kind_of |= dict.fromkeys((lk.id for lk in self.links), None)
        needed = [r.id for r in mapped if self.rated(r) and r.id not in bare]
        needed += [lk.id for lk in sure_links if lk.id not in bare]
        for subject in needed[: self.size.evidence]:
            self.add_evidence(subject, kind_of[subject], subject in stale)
        more_records = [r.id for r in mapped if r.id not in bare]
        more_links = [lk.id for lk in self.links if lk.id not in bare]
        while len(self.evidence) < self.size.evidence:
            subject = rng.choice(more_records if rng.random() < 0.5 else more_links)
            self.add_evidence(subject, kind_of[subject], subject in stale)

        # The DSL has confirmed most records recently, the stale ones long ago or never.
        newest: dict[str, int] = {}  # record id → days since its newest evidence
        for item in self.evidence:
            days = (self.today - item.observed).days
            newest[item.subject_id] = min(days, newest.get(item.subject_id, days))
        for record in mapped:
            created = self.created_days[record.id]
            if record.id in stale:
                if rng.random() < 0.6:
                    record.last_confirmed = self.at(
                        rng.randint(self.fresh_days + 7, created)
                    ).date()
                continue
            if newest.get(record.id, created) > self.fresh_days - 7 or rng.random() < 0.6:
                confirmed = self.at(rng.randint(1, max(1, min(created, self.fresh_days - 7))))
                record.last_confirmed = confirmed.date()
                record.updated = max(record.updated, confirmed)

    @staticmethod
    def rated(record: Record) -> bool:
        """Rated medium or high (amber or red for a place): needs evidence."""
        if isinstance(record, Location):
            return record.rating != Rag.GREEN.value
        return getattr(record, "concern_level", ConcernLevel.LOW.value) != ConcernLevel.LOW.value

    def add_evidence(self, subject_id: str, kind: Kind | None, stale: bool) -> None:
        rng = self.rng
        newest = self.fresh_days + 7 if stale else 1
        days = rng.randint(newest, max(newest, min(self.created_days[subject_id], 182)))
        source = self.sources.draw(rng)
        how = SOURCES[source][1] if source in SOURCES else HowKnown.SECOND_HAND
        if how == HowKnown.SECOND_HAND and rng.random() < 0.1:
            how = HowKnown.HEARSAY
        self.evidence.append(
            Evidence(
                id=self.uid(),
                subject_id=subject_id,
                observed=self.today - timedelta(days=days),
                source=source,
                how_known=how.value,
                summary=rng.choice(town.SUMMARIES[kind]),
                recorded_by=rng.choice(self.staff),
                recorded_at=self.at(max(1, days - rng.randint(0, 3))),
            )
        )

    # -- the meeting, key concerns and actions ------------------------------------
    def make_meeting(self) -> Meeting:
        def organisation(agency: str) -> str:
            return self.profile.label("agencies", agency)

        school = ((self.staff[0], "Designated Safeguarding Lead", "school"),)
        chair_name, _, chair_agency = town.MEETING_CHAIR
        meeting = Meeting(
            **self.stamp(Kind.MEETING, newest=3, oldest=10),
            date=self.meeting_date,
            venue=town.MEETING_VENUE,
            chair=f"{chair_name} ({organisation(chair_agency)})",
            attendees=[
                Attendee(name=name, role=role, organisation=organisation(agency))
                for name, role, agency in (*school, town.MEETING_CHAIR, *town.MEETING_PARTNERS)
                if agency in self.agency_keys
            ],
            status=MeetingStatus.PREPARING.value,
        )
        self.records.append(meeting)
        return meeting

    def make_plans(
        self,
        people: list[YoungPerson],
        adults: list[Adult],
        groups: list[PeerGroup],
        places: list[Location],
        meeting: Meeting,
    ) -> None:
        """Key concerns and proposed actions that cover every young person but a few
        (findings of the "no name without a plan" check)."""
        rng = self.rng
        count = max(1, round(len(people) * UNPLANNED_SHARE))
        unplanned = {p.id for p in rng.sample(people, count)}
        kind_of = {r.id: r.kind for r in self.records}

        def planned(ids: list[str]) -> list[str]:
            return list(dict.fromkeys(i for i in ids if i not in unplanned))

        def young_people_near(record_id: str) -> list[str]:
            found = [i for i in self.neighbours[record_id] if kind_of[i] == Kind.YOUNG_PERSON]
            return found[:8]

        # The plan is about what the school has categorised, the worst first.
        worrying_groups = sorted(
            (g for g in groups if g.harm_categories), key=lambda g: LEVEL_ORDER[g.concern_level]
        )
        worrying_adults = sorted(
            (a for a in adults if a.harm_categories), key=lambda a: LEVEL_ORDER[a.concern_level]
        )
        in_town = [p for p in places if p.harm_categories and _out_and_about(p)]
        red_places = [p for p in in_town if p.rating == Rag.RED.value] or in_town

        concerns: list[KeyConcern] = []
        for i in range(self.size.key_concerns):
            group = worrying_groups[i % len(worrying_groups)]
            members = [m.person_id for m in group.members]
            if i % 3 == 0:
                place = self.hangout[group.id]
                text = (
                    f"{group.code} is seen at {self.sentence[place.id]} with older males. "
                    "Is this exploitation?"
                )
                ids = [group.id, place.id, *members]
            elif i % 3 == 1:
                adult = worrying_adults[(i // 3) % len(worrying_adults)]
                text = (
                    f"{adult.code} has been seen with several of our pupils after school. "
                    "Do other schools know this adult?"
                )
                ids = [adult.id, *young_people_near(adult.id)]
            else:
                place = red_places[(i // 3) % len(red_places)]
                text = (
                    f"Young people gather at {self.sentence[place.id]} late at night and say "
                    "they feel unsafe on the way home."
                )
                ids = [place.id, *young_people_near(place.id)]
            concerns.append(
                KeyConcern(
                    **self.stamp(Kind.KEY_CONCERN, newest=1, oldest=14),
                    text=text,
                    is_question=text.endswith("?"),
                    linked_ids=planned(ids),
                    meeting_id=meeting.id,
                )
            )

        catalogue = [a.key for a in self.profile.actions]
        actions: list[Action] = []
        for i in range(self.size.actions):
            key = catalogue[i] if i < len(catalogue) else rng.choice(catalogue)
            group = worrying_groups[(i + 1) % len(worrying_groups)]
            hangout = self.hangout[group.id]
            place = hangout if _out_and_about(hangout) else red_places[i % len(red_places)]
            template = town.ACTION_DETAILS.get(key, self.profile.label("actions", key) + ".")
            detail = template.format(
                place=self.sentence[place.id], group=group.code, year=self.group_year[group.id]
            )
            ids = [group.id, *(m.person_id for m in group.members)]
            if "{place}" in template:
                ids.insert(0, place.id)
            actions.append(self.action(key, detail, planned(ids), meeting))

        # Everyone else: young people of concern into the action to tell their workers,
        # the others into a recorded decision to take no action for now.
        covered = {i for item in (*concerns, *actions) for i in item.linked_ids}
        rest = [p for p in people if p.id not in covered and p.id not in unplanned]
        low = [p.id for p in rest if p.concern_level == ConcernLevel.LOW.value]
        of_concern = [p.id for p in rest if p.concern_level != ConcernLevel.LOW.value]
        tell_worker = next((a for a in actions if a.catalogue_key == "worker_aware"), None)
        if tell_worker is not None:
            tell_worker.linked_ids += of_concern
        else:
            low += of_concern
        decisions = max(1, self.size.actions // 10)
        per_decision = max(1, math.ceil(len(low) / decisions))
        no_action_key = "mash_referral" if "mash_referral" in catalogue else catalogue[0]
        for start in range(0, len(low), per_decision):
            decision = self.action(
                no_action_key, town.NO_ACTION_DETAIL, low[start : start + per_decision], meeting
            )
            decision.status = ActionStatus.NOT_TAKEN_FORWARD.value
            decision.rationale = town.NO_ACTION_RATIONALE
            decision.due = None
            actions.append(decision)
        self.records += concerns
        self.records += actions

    def action(self, key: str, detail: str, linked_ids: list[str], meeting: Meeting) -> Action:
        owner = CATALOGUE_OWNERS.get(key, "school")
        return Action(
            **self.stamp(Kind.ACTION, newest=1, oldest=14),
            catalogue_key=key,
            sub_choice=town.ACTION_SUB_CHOICES.get(key, ""),
            detail=detail,
            linked_ids=linked_ids,
            owner_agency=owner if owner in self.agency_keys else self.agency_keys[0],
            due=self.meeting_date + timedelta(weeks=self.rng.randint(2, 8)),
            status=ActionStatus.PROPOSED.value,
            origin=ActionOrigin.SCHOOL.value,
            meeting_id=meeting.id,
        )
