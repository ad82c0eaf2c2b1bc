"""A hand-built set of four schools' mapping tables for the cross-school matcher, with
the truth: which records are the same place, adult, peer group or young person.

Everything is invented: postcodes and registrations start with ``ZZ`` (used by no
UK postcode or registration area), phone numbers are in Ofcom's drama range
(07700 900xxx), and the names belong to nobody.

Each record is tagged with an *entity*: records of different schools with the same
entity are a true match; every other pair of records from different schools is not.
Records whose entity starts with ``solo-`` are the only one of their kind.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.matching import Member, SchoolTable
from saferyp_desktop.domain.records import (
    Adult,
    Kind,
    Link,
    Location,
    LocationKind,
    Membership,
    PeerGroup,
    Rag,
    Record,
    Relation,
    YoungPerson,
)


@dataclass
class _School:
    school_id: str
    name: str
    records: list[Record] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    by_name: dict[str, Record] = field(default_factory=dict)
    counters: dict[Kind, int] = field(default_factory=dict)


@dataclass
class Fixture:
    schools: list[SchoolTable]
    truth: dict[Member, str]  # (school id, record id) → entity
    kinds: dict[Member, Kind]
    by_name: dict[tuple[str, str], Member]  # (school id, short name) → member

    def true_pairs(self) -> set[tuple[Member, Member]]:
        pairs = set()
        for a, b in itertools.combinations(sorted(self.truth), 2):
            if a[0] != b[0] and self.truth[a] == self.truth[b]:
                pairs.add((a, b))
        return pairs

    def member(self, school_id: str, short: str) -> Member:
        return self.by_name[(school_id, short)]


class _Builder:
    def __init__(self) -> None:
        self.schools: dict[str, _School] = {}
        self.truth: dict[Member, str] = {}
        self.kinds: dict[Member, Kind] = {}
        self.by_name: dict[tuple[str, str], Member] = {}
        self.serial = 0

    def school(self, school_id: str, name: str) -> None:
        self.schools[school_id] = _School(school_id, name)

    def add(self, school_id: str, short: str, entity: str, record: Record) -> Record:
        school = self.schools[school_id]
        kind = record.kind
        school.counters[kind] = school.counters.get(kind, 0) + 1
        self.serial += 1
        record.id = f"00000000-0000-4000-8000-{self.serial:012d}"
        record.code = f"{record.code}-{school.counters[kind]:02d}"
        school.records.append(record)
        school.by_name[short] = record
        member = (school_id, record.id)
        self.truth[member] = entity
        self.kinds[member] = kind
        self.by_name[(school_id, short)] = member
        return record

    def place(self, school_id: str, short: str, entity: str, label: str, kind: LocationKind,
              postcode: str = "", rating: Rag = Rag.AMBER, where: str = "") -> None:  # fmt: skip
        self.add(
            school_id,
            short,
            entity,
            Location(
                code="LC",
                label=label,
                location_kind=kind.value,
                postcode=postcode,
                rating=rating.value,
                where=where,
                harm_categories=["cce"],
            ),
        )

    def adult(self, school_id: str, short: str, entity: str, name: str, **fields) -> None:
        self.add(
            school_id, short, entity, Adult(code="AD", name=name, harm_categories=["cce"], **fields)
        )

    def person(
        self, school_id: str, short: str, entity: str, name: str, year: int, age: int
    ) -> None:
        self.add(
            school_id,
            short,
            entity,
            YoungPerson(code="YP", name=name, year_group=year, age=age, harm_categories=["cce"]),
        )

    def group(
        self, school_id: str, short: str, entity: str, label: str, members: list[str]
    ) -> None:
        school = self.schools[school_id]
        self.add(
            school_id,
            short,
            entity,
            PeerGroup(
                code="PG",
                label=label,
                members=[Membership(person_id=school.by_name[m].id) for m in members],
                harm_categories=["cce"],
            ),
        )

    def link(self, school_id: str, a: str, b: str, relation: Relation) -> None:
        school = self.schools[school_id]
        self.serial += 1
        school.links.append(
            Link(
                id=f"00000000-0000-4000-9000-{self.serial:012d}",
                a_id=school.by_name[a].id,
                b_id=school.by_name[b].id,
                relation=relation.value,
            )
        )

    def build(self) -> Fixture:
        tables = [
            SchoolTable(s.school_id, s.name, MappingTable.of(s.records, s.links))
            for s in self.schools.values()
        ]
        return Fixture(tables, self.truth, self.kinds, self.by_name)


def build_fixture() -> Fixture:
    b = _Builder()
    b.school("990101", "Ashcombe Academy (TEST)")
    b.school("990102", "Brindley School (TEST)")
    b.school("990103", "Cotterell College (TEST)")
    b.school("990104", "Dunmore High School (TEST)")
    A, B, C, D = "990101", "990102", "990103", "990104"  # noqa: N806

    # -- places -----------------------------------------------------------------------
    # One park, written three ways: postcode with and without a space, "Pk", and one
    # school that knows only the outward code.
    b.place(A, "victoria", "victoria-park", "Victoria Park", LocationKind.PARK, "ZZ1 1AB", Rag.RED)
    b.place(B, "victoria", "victoria-park", "Victoria Pk", LocationKind.PARK, "zz11ab", Rag.AMBER)
    b.place(
        C, "victoria", "victoria-park", "The Victoria Park (play area)", LocationKind.PARK, "ZZ1"
    )
    # A different Victoria Park, in another town's postcode: not the same place.
    b.place(D, "victoria", "victoria-park-elsewhere", "Victoria Park", LocationKind.PARK, "ZZ9 9XY")
    # Two parks with one name in different postcodes: not the same.
    b.place(A, "ashdown", "ashdown-park-north", "Ashdown Park", LocationKind.PARK, "ZZ4 5GH")
    b.place(B, "ashdown", "ashdown-park-south", "Ashdown Park", LocationKind.PARK, "ZZ6 7JK")
    # A takeaway: "St"/"Street", the postcode's space.
    b.place(
        A, "kebab", "kebab-king", "Kebab King, Mill St", LocationKind.SHOP, "ZZ2 3CD", Rag.GREEN
    )
    b.place(
        B,
        "kebab",
        "kebab-king",
        "Kebab King takeaway, Mill Street",
        LocationKind.SHOP,
        "ZZ23CD",
        Rag.RED,
    )
    # A bus stop: "Rd"/"Road", a different word order.
    b.place(
        B,
        "busstop",
        "station-road-stop",
        "Station Road bus stop",
        LocationKind.TRANSPORT_HUB,
        "ZZ3 4EF",
    )
    b.place(
        C,
        "busstop",
        "station-road-stop",
        "Bus stop, Station Rd",
        LocationKind.TRANSPORT_HUB,
        "ZZ3 4EF",
    )
    # A bowling alley with the postcode only in "where".
    b.place(C, "bowl", "strikers", "Strikers Bowling Alley", LocationKind.LEISURE_VENUE, "ZZ8 3NP")
    b.place(
        D,
        "bowl",
        "strikers",
        "Strikers Bowl",
        LocationKind.LEISURE_VENUE,
        where="Retail park, zz8 3np",
    )
    # A churchyard with no postcode at all.
    b.place(D, "church", "st-marys", "St Mary's churchyard", LocationKind.OTHER)
    b.place(A, "church", "st-marys", "Churchyard of St Mary's church", LocationKind.OTHER)
    # An online group, and another with a number on the end: a different account.
    b.place(
        A,
        "crew",
        "north-end-crew",
        "Snapchat group “north_end_crew”",
        LocationKind.ONLINE_PLATFORM,
        rating=Rag.RED,
    )
    b.place(C, "crew", "north-end-crew", "North End Crew (Snapchat)", LocationKind.ONLINE_PLATFORM)
    b.place(
        D,
        "crew",
        "north-end-crew-2",
        "Snapchat group “north_end_crew2”",
        LocationKind.ONLINE_PLATFORM,
    )
    # Each school's own bike sheds, in one postcode (a shared campus): never the same.
    b.place(A, "sheds", "sheds-a", "Bike sheds", LocationKind.SCHOOL_SITE, "ZZ5 1AA")
    b.place(B, "sheds", "sheds-b", "Bike sheds", LocationKind.SCHOOL_SITE, "ZZ5 1AA")
    # A shop and the flats above the shops, in one postcode: not the same place.
    b.place(C, "londis", "londis", "Londis, Kiln Lane", LocationKind.SHOP, "ZZ7 2LM")
    b.place(D, "kilnflats", "kiln-flats", "Kiln Lane flats", LocationKind.HOUSING_AREA, "ZZ7 2LM")
    # The same street, two different places on it.
    b.place(B, "alley", "alley-quarry", "Alley off Quarry Road", LocationKind.ROUTE_TO_SCHOOL)
    b.place(
        D,
        "footpath",
        "footpath-quarry",
        "Footpath from Quarry Road to the canal",
        LocationKind.ROUTE_TO_SCHOOL,
    )

    # Known limit: two branches of one chain in two towns, neither with a postcode, look
    # the same to the matcher (it proposes them; the chair dismisses).
    b.place(B, "greggs", "greggs-fernbridge", "Greggs, High Street", LocationKind.SHOP)
    b.place(D, "greggs", "greggs-wexcombe", "Greggs, High St", LocationKind.SHOP)

    # -- adults -----------------------------------------------------------------------
    # Darren: a misspelt surname, a nickname, a plate in free text, a handle.
    b.adult(A, "darren", "darren", "Darren Ambrell", aliases=["Dazza"], approx_age=24,
            vehicle="Black Audi A3, reg ZZ19 KFR")  # fmt: skip
    b.adult(B, "darren", "darren", "Darren Ambrel", aliases=["Daz"], approx_age=25,
            vehicle="black Audi A3 ZZ19KFR")  # fmt: skip
    b.adult(C, "darren", "darren", "Darren (surname not known)", aliases=["Dazza"], approx_age=23,
            handles=["@dazza.a (Snapchat)"])  # fmt: skip
    b.adult(D, "dazza", "darren", "Dazza", handles=["dazza.a on Snapchat"])
    # Another Darren, with another surname, car and age: a different man.
    b.adult(A, "darren2", "darren-whitlow", "Darren Whitlow", approx_age=45,
            vehicle="Silver Ford Focus ZZ05 ABC")  # fmt: skip
    b.adult(B, "darren3", "darren-hooper", "Darren Hooper", approx_age=38)
    # "Tiny": one phone number written three ways.
    b.adult(A, "tiny", "tiny", "Male known as “Tiny”", handles=["07700 900417"], approx_age=19)
    b.adult(B, "tiny", "tiny", "Tiny", handles=["+44 7700 900417 (WhatsApp)"])
    b.adult(C, "tiny", "tiny", "Unknown male – 'Tinny'", handles=["Tel 07700-900-417"])
    # Kieran: a plate written two ways inside a description of the van.
    b.adult(
        B,
        "kieran",
        "kieran",
        "Kieran Dowsett",
        aliases=["KD"],
        vehicle="White Ford Transit van (ZZ17 PLM)",
    )
    b.adult(D, "van", "kieran", "Young man in a white van", vehicle="white transit, reg zz17plm")
    # Shannon: a misspelt first name.
    b.adult(B, "shannon", "shannon", "Shannon Pell", handles=["07700 900582"], approx_age=21)
    b.adult(C, "shannon", "shannon", "Shanon Pell", aliases=["Shan"], approx_age=22)
    # Two men called Lee Morrow: thirty years apart, different cars.
    b.adult(
        C, "lee", "lee-morrow-younger", "Lee Morrow", approx_age=31, vehicle="Grey BMW ZZ21 HNA"
    )
    b.adult(
        D, "lee", "lee-morrow-older", "Lee Morrow", approx_age=62, vehicle="Blue Volvo ZZ02 TRE"
    )
    # Known limit: the younger Lee Morrow again, as a school that only saw his car (no
    # registration) describes him. Too little to go on; the matcher should not guess.
    b.adult(A, "bmw", "lee-morrow-younger", "Man in a grey BMW", vehicle="Grey BMW 1 Series")
    # Two adults whose only likeness is a common nickname.
    b.adult(A, "ghost", "jordan-price", "Jordan Price", aliases=["Ghost"], approx_age=27)
    b.adult(C, "ghost", "callum-reed", "Callum Reed", aliases=["Ghost"], approx_age=29)
    # One woman, named in full by one school and by first name and initial by another.
    b.adult(A, "kayleigh", "kayleigh", "Kayleigh Marsh", handles=["@kay.marsh99 (Instagram)"])
    b.adult(D, "kayleigh", "kayleigh", "Kayleigh M.", handles=["Instagram: kay.marsh99"])

    # -- young people -----------------------------------------------------------------
    # The same boy, known to two schools (he moved), both times with Darren.
    b.person(A, "jb", "jayden", "Jayden Brooks", 9, 14)
    b.person(B, "jb", "jayden", "Jaden Brookes", 9, 14)
    # A girl with his initials and year group at a third school: a different child.
    b.person(C, "jb", "jasmine", "Jasmine Bell", 9, 14)
    # Tyler, in the same peer group known to two schools.
    b.person(A, "tk", "tyler", "Tyler King", 9, 14)
    b.person(B, "tk", "tyler", "Tyler King", 9, 13)
    b.person(A, "rm", "solo-rm", "Riley Marsh", 9, 14)
    b.person(B, "as", "solo-as", "Alfie Stone", 9, 14)
    # Two boys with one name at two schools, with nothing else in common.
    b.person(C, "tom", "tom-kelly-c", "Tom Kelly", 8, 13)
    b.person(D, "tom", "tom-kelly-d", "Tom Kelly", 8, 13)
    # Two girls in Year 10 at a third school.
    b.person(C, "ew", "solo-ew", "Erin Walsh", 10, 15)
    b.person(C, "mp", "solo-mp", "Maisie Platt", 10, 15)

    # -- peer groups ------------------------------------------------------------------
    b.group(A, "boys", "year9-park-boys", "Year 9 boys, Victoria Park", ["jb", "tk", "rm"])
    b.group(B, "boys", "year9-park-boys", "Y9 lads at Victoria Pk", ["jb", "tk", "as"])
    # Year 10 girls at the same park: a different group.
    b.group(C, "girls", "year10-park-girls", "Year 10 girls, Victoria Park", ["ew", "mp"])

    # -- links ------------------------------------------------------------------------
    b.link(A, "darren", "jb", Relation.SUSPECTED_OF_EXPLOITING)
    b.link(B, "darren", "jb", Relation.SUSPECTED_OF_EXPLOITING)
    b.link(A, "darren", "victoria", Relation.SPENDS_TIME_AT)
    b.link(B, "darren", "victoria", Relation.SPENDS_TIME_AT)
    b.link(A, "boys", "victoria", Relation.SPENDS_TIME_AT)
    b.link(B, "boys", "victoria", Relation.SPENDS_TIME_AT)
    b.link(C, "girls", "victoria", Relation.SPENDS_TIME_AT)
    b.link(C, "jb", "victoria", Relation.SPENDS_TIME_AT)
    b.link(C, "tiny", "victoria", Relation.SPENDS_TIME_AT)
    return b.build()
