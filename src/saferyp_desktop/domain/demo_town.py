"""Fernbridge, the invented town every demo school is in: its shared places and adults,
its names and streets, and the words its schools write in their mapping tables.

Nothing here is real. Postcodes and vehicle registrations start with ``ZZ``, which no
UK postcode area or registration area uses; phone numbers are in the range Ofcom
keeps for drama (07700 900xxx).
"""

from __future__ import annotations

from dataclasses import dataclass

from saferyp_desktop.domain.records import ConcernLevel, Kind, LocationKind, Rag, StrengthKind

TOWN = "Fernbridge"
COMMUNITY_AREA = "Fernbridge and Villages"
POSTCODE_AREA = "ZZ"


@dataclass(frozen=True)
class SharedPlace:
    """A place several schools know, each writing it one of a few ways."""

    key: str
    kind: LocationKind
    labels: tuple[str, ...]
    in_a_sentence: str
    postcode: str  # "" online
    wheres: tuple[str, ...]  # postcodes written with and without the space
    when: str
    guardianship: str
    harms: tuple[str, ...]
    rating: Rag
    core: bool  # every school knows it; the others, about half of them


@dataclass(frozen=True)
class SharedAdult:
    """An adult several schools know, each writing them one of a few ways. Every way
    keeps one thing a matcher can hold on to: a registration or a phone number."""

    key: str
    names: tuple[str, ...]
    aliases: tuple[tuple[str, ...], ...]
    ages: tuple[int | None, ...]
    vehicles: tuple[str, ...]
    handles: tuple[tuple[str, ...], ...]
    harms: tuple[str, ...]
    level: ConcernLevel
    haunts: tuple[str, ...]  # keys of the shared places they spend time at
    core: bool


SHARED_PLACES: tuple[SharedPlace, ...] = (
    SharedPlace(
        key="bus_station",
        kind=LocationKind.TRANSPORT_HUB,
        labels=(
            "Fernbridge Bus Station",
            "Fernbridge bus station (Kettle Street)",
            "Bus station, Kettle St",
        ),
        in_a_sentence="the bus station",
        postcode="ZZ1 4QX",
        wheres=("Kettle Street, ZZ1 4QX", "Kettle St, ZZ14QX", "Shelters on Kettle Street"),
        when="After school and weekday evenings, 3:30–9pm",
        guardianship="CCTV; station staff until 7pm",
        harms=("county_lines", "cce"),
        rating=Rag.RED,
        core=True,
    ),
    SharedPlace(
        key="hollins_park",
        kind=LocationKind.PARK,
        labels=("Hollins Park", "Hollins Park skate area", "Hollins Rec (skate park)"),
        in_a_sentence="Hollins Park",
        postcode="ZZ2 7LB",
        wheres=("Off Linnet Road, ZZ2 7LB", "Linnet Rd, ZZ27LB", "By the skate ramps"),
        when="Evenings and weekends, especially Friday nights",
        guardianship="Park warden until dusk; no lighting after 8pm",
        harms=("cce", "serious_youth_violence"),
        rating=Rag.AMBER,
        core=True,
    ),
    SharedPlace(
        key="golden_griddle",
        kind=LocationKind.SHOP,
        labels=(
            "Golden Griddle takeaway",
            "Golden Griddle, Marrow Street",
            "The Griddle (chicken shop)",
        ),
        in_a_sentence="the Golden Griddle",
        postcode="ZZ1 6TR",
        wheres=("12 Marrow Street, ZZ1 6TR", "Marrow St, ZZ16TR", "Marrow Street, by the bank"),
        when="After school, 3:15–5pm, and late evenings",
        guardianship="Owner helpful; CCTV inside",
        harms=("cse", "cce"),
        rating=Rag.AMBER,
        core=True,
    ),
    SharedPlace(
        key="linkup_chat",
        kind=LocationKind.ONLINE_PLATFORM,
        labels=(
            "Snapchat group “FB Linkup”",
            "FB Link-Up (Snapchat group)",
            "Snapchat: fb_linkup group chat",
        ),
        in_a_sentence="the FB Linkup Snapchat group",
        postcode="",
        wheres=("Online – Snapchat", "Snapchat group chat", "Online"),
        when="Mostly late at night",
        guardianship="Reported to the platform; some parents aware",
        harms=("cse", "peer_on_peer"),
        rating=Rag.RED,
        core=True,
    ),
    SharedPlace(
        key="leisure_car_park",
        kind=LocationKind.LEISURE_VENUE,
        labels=(
            "Fernbridge Leisure Centre car park",
            "Leisure centre car park",
            "Car park behind Fernbridge Leisure Centre",
        ),
        in_a_sentence="the leisure centre car park",
        postcode="ZZ3 2HW",
        wheres=("Saddler Way, ZZ3 2HW", "Saddler Way ZZ32HW", "Behind the leisure centre"),
        when="Friday and Saturday evenings",
        guardianship="Barrier closes at 10pm; no attendant",
        harms=("cse",),
        rating=Rag.AMBER,
        core=False,
    ),
    SharedPlace(
        key="wexcombe_garages",
        kind=LocationKind.HOUSING_AREA,
        labels=(
            "Wexcombe Estate garages",
            "Garages behind Linnet Close (Wexcombe)",
            "Wexcombe estate lock-ups",
        ),
        in_a_sentence="the Wexcombe garages",
        postcode="ZZ4 8NP",
        wheres=("Linnet Close, ZZ4 8NP", "Linnet Cl, ZZ48NP", "Wexcombe estate, behind the flats"),
        when="Evenings, most days",
        guardianship="Housing officer visits weekly",
        harms=("county_lines", "cce"),
        rating=Rag.RED,
        core=False,
    ),
    SharedPlace(
        key="cloud_nine_vapes",
        kind=LocationKind.SHOP,
        labels=(
            "Cloud Nine Vapes, High Street",
            "Cloud 9 Vapes",
            "Vape shop on Fernbridge High St",
        ),
        in_a_sentence="the vape shop on the High Street",
        postcode="ZZ1 3AD",
        wheres=("High Street, ZZ1 3AD", "High St ZZ13AD", "High Street, next to the bakery"),
        when="After school",
        guardianship="Trading standards aware",
        harms=("cce",),
        rating=Rag.AMBER,
        core=False,
    ),
    SharedPlace(
        key="brook_lane_underpass",
        kind=LocationKind.ROUTE_TO_SCHOOL,
        labels=("Brook Lane underpass", "Underpass on Brook Lane", "Brook Ln subway"),
        in_a_sentence="the Brook Lane underpass",
        postcode="ZZ2 5DG",
        wheres=("Brook Lane, ZZ2 5DG", "Brook Ln, ZZ25DG", "Under the ring road at Brook Lane"),
        when="Before and after school",
        guardianship="Poorly lit; no CCTV",
        harms=("serious_youth_violence",),
        rating=Rag.AMBER,
        core=False,
    ),
    SharedPlace(
        key="mill_bridge_towpath",
        kind=LocationKind.OTHER,
        labels=("Canal towpath by Mill Bridge", "Mill Bridge towpath", "Towpath under Mill Bridge"),
        in_a_sentence="the towpath by Mill Bridge",
        postcode="ZZ3 9RJ",
        wheres=("Mill Lane, ZZ3 9RJ", "Mill Ln ZZ39RJ", "Canal, under Mill Bridge"),
        when="Summer evenings and weekends",
        guardianship="Canal ranger some weekends",
        harms=("cce", "cse"),
        rating=Rag.AMBER,
        core=False,
    ),
)
SHARED_POSTCODES = frozenset(p.postcode for p in SHARED_PLACES if p.postcode)

SHARED_ADULTS: tuple[SharedAdult, ...] = (
    SharedAdult(
        key="dazza",
        names=("Darren Ambrell", "Darren Ambrel", "Darren (surname not known)"),
        aliases=(("Dazza",), ("Daz",), ("Dazza", "DA")),
        ages=(24, 25, 23),
        vehicles=(
            "Black Audi A3, reg ZZ19 KFR",
            "black Audi A3 ZZ19KFR",
            "Black Audi (ZZ19 KFR), tinted windows",
        ),
        handles=(("@dazza.a (Snapchat)",), ("dazza.a on Snapchat",), ()),
        harms=("county_lines", "cce"),
        level=ConcernLevel.HIGH,
        haunts=("bus_station", "golden_griddle"),
        core=True,
    ),
    SharedAdult(
        key="tiny",
        names=("Male known as “Tiny”", "Unknown male – “Tiny”", "Tiny (real name not known)"),
        aliases=(("Tiny",), ("Tiny", "T"), ("Tinny",)),
        ages=(19, 20, None),
        vehicles=("", "Silver Vauxhall Corsa", ""),
        handles=(("07700 900417",), ("07700900417 (WhatsApp)",), ("Tel 07700 900 417", "@tiny.fb")),
        harms=("county_lines",),
        level=ConcernLevel.HIGH,
        haunts=("bus_station", "hollins_park"),
        core=True,
    ),
    SharedAdult(
        key="kd",
        names=("Kieran Dowsett", "Kieran Dowset", "Kieran D."),
        aliases=(("KD",), ("K-Dog",), ("KD", "Kez")),
        ages=(20, 21, 20),
        vehicles=(
            "White Ford Transit van, ZZ17 PLM",
            "white Transit van (reg ZZ17 PLM)",
            "White van, ZZ17PLM",
        ),
        handles=(("@kd.runs (Instagram)",), ("kd.runs",), ("@kd.runs",)),
        harms=("cse", "cce"),
        level=ConcernLevel.MEDIUM,
        haunts=("leisure_car_park", "golden_griddle"),
        core=False,
    ),
    SharedAdult(
        key="shan",
        names=("Shannon Pell", "Shanon Pell", "Shannon P."),
        aliases=(("Shan",), ("Shanny",), ()),
        ages=(21, 22, None),
        vehicles=("", "", ""),
        handles=(("07700 900582",), ("07700 900582 (texts)",), ("07700900582",)),
        harms=("cse",),
        level=ConcernLevel.MEDIUM,
        haunts=("linkup_chat", "golden_griddle"),
        core=False,
    ),
    SharedAdult(
        key="moped",
        names=("Male on a red moped", "Young man on a red moped", "Unknown male, red moped"),
        aliases=(("Moped",), (), ("Red",)),
        ages=(18, 19, None),
        vehicles=(
            "Red Yamaha moped, reg ZZ67 WBT",
            "red moped ZZ67WBT",
            "Red moped (ZZ67 WBT), no L-plates",
        ),
        handles=((), (), ()),
        harms=("serious_youth_violence",),
        level=ConcernLevel.MEDIUM,
        haunts=("brook_lane_underpass", "hollins_park"),
        core=False,
    ),
    SharedAdult(
        key="mozza",
        names=("Lee Morrow", "Lee Moreau", "Leigh Morrow"),
        aliases=(("Mozza",), ("Moz",), ("Mozza", "Big Lee")),
        ages=(31, 33, 30),
        vehicles=("Grey BMW 1 Series, ZZ21 HNA", "grey BMW ZZ21HNA", "Grey BMW (ZZ21 HNA)"),
        handles=(("07700 900268",), ("07700900268",), ()),
        harms=("cce", "county_lines"),
        level=ConcernLevel.HIGH,
        haunts=("wexcombe_garages", "cloud_nine_vapes"),
        core=False,
    ),
)

# The town's meeting: where, who chairs it, and the partners who come: (name, role, agency key).
MEETING_VENUE = "Fernbridge Library, community room"
MEETING_CHAIR = ("Morwenna Castell", "Chair, contextual safeguarding lead", "yps")
MEETING_PARTNERS = (
    ("Idris Thorne", "Exploitation Analyst", "analyst"),
    ("PCSO Jess Varley", "Police Community Support Officer", "police"),
    ("Tariq Elwood", "Youth worker", "motiv8"),
)

# -- names ------------------------------------------------------------------------------
# fmt: off
SCHOOL_NAMES = (
    "Fernbridge Academy", "Hollins Vale School", "St Aldric's Church of England Academy",
    "Brookmead Community College", "Linnet Hill School", "Marrowdown Academy",
    "Kestle Green High School", "Tallowmere School", "Wexcombe Park Academy",
    "Saddler's Green Community School", "Fernside Upper School", "Millcroft Academy",
)
GIRL_NAMES = (
    "Amory", "Bryony", "Calla", "Delphi", "Elowen", "Fenna", "Greer", "Isolde", "Jessamy",
    "Kerensa", "Liora", "Maelie", "Nerys", "Oriel", "Petra", "Rhiannon", "Sable", "Tamsin",
    "Tilda", "Verity", "Wren", "Yara", "Ysolde", "Ziva", "Marisol", "Lark", "Ottilie",
    "Briar", "Cassia", "Dilys",
)
BOY_NAMES = (
    "Alvie", "Brannon", "Caddon", "Dacey", "Eldon", "Farrow", "Gethin", "Harlan", "Idris",
    "Jory", "Kellan", "Lorcan", "Marlo", "Nevan", "Orrin", "Perrin", "Rafferty", "Soren",
    "Zennor", "Bram", "Corin", "Dashiell", "Evander", "Griff", "Ivo", "Jago", "Kester",
    "Merritt", "Tobin", "Wystan",
)
SURNAMES = (
    "Ashgrove", "Bellamore", "Brackwell", "Carrodine", "Dunmere", "Elsworth", "Farrant",
    "Gillow", "Halloway", "Inchley", "Jessop", "Kestrell", "Larkham", "Mardell",
    "Nettlefold", "Orchardson", "Pennick", "Quarrie", "Rushmere", "Stroudley", "Tallis",
    "Underhay", "Vellacott", "Wintle", "Yarrow", "Blakemore", "Challis", "Dimmock",
    "Edgecombe", "Fairweather", "Gosling", "Hartnell", "Ivell", "Jellicoe", "Kimber",
    "Loveridge", "Merrifield", "Norcott", "Pardew", "Redgrave", "Sallis", "Trevenna",
    "Upcott", "Veale", "Whitcombe", "Yeardley", "Brindle", "Cobbold", "Dowland",
    "Fennimore", "Hesketh", "Lydiard", "Maskell", "Pengelly", "Rendle", "Scarrott",
    "Tregear", "Wellbeloved", "Ashdown", "Coker",
)
ADULT_FIRST_NAMES = (
    "Dean", "Craig", "Wayne", "Jamie", "Ryan", "Lewis", "Scott", "Kirk", "Dale", "Shane",
    "Lloyd", "Carl", "Gavin", "Troy", "Reece", "Kayleigh", "Stacey", "Jodie", "Tanya",
    "Leanne", "Danielle", "Kerry", "Marcus", "Aaron", "Brandon", "Jordan", "Nathan",
    "Tyrone", "Callum", "Lyle",
)
NICKNAMES = (
    "Smudge", "Ginge", "Bigs", "Lil J", "Rocket", "Ace", "Ghost", "Tricky", "Spider",
    "Junior", "Chalky", "Bones", "Scrappy", "Money", "Sparks", "Nudge",
)
STAFF_FIRST_NAMES = (
    "Helen", "Owain", "Ruth", "Neil", "Sunita", "Gareth", "Fiona", "Marcus", "Clare",
    "Dominic", "Anwen", "Rebecca", "Tom", "Priya", "Joanne", "Simon", "Bethan", "Graham",
    "Nadia", "Philippa", "Rhodri", "Lorna", "Imran", "Judith",
)
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
PLACE_STEMS = (
    "Hollins", "Wexcombe", "Kestle", "Brookmead", "Linnet Hill", "Marrowdown", "Tallowmere",
    "Saddler's Green", "Ashmead", "Cowlbury", "Pennick Vale", "Fernside", "Millcroft",
    "Quarry End", "Rushmere", "Dunmere", "Larkhold", "Orchard Rise", "Sallowby", "Thistledown",
)
STREETS = (
    "Quillon Street", "Tallow Road", "Brackle Lane", "Cowdray Close", "Pennick Avenue",
    "Fenwick Row", "Hobart Crescent", "Gallow Hill", "Sparrow Lane", "Tanner's Way",
    "Orchard Street", "Wainwright Road", "Coppice Lane", "Ropewalk", "Chandler Street",
    "Millrace Road", "Furlong Close", "Weaver's Lane", "Cobble Row", "Drover's Way",
    "Tinker Street", "Bellfounder Road", "Pargeter Close", "Saltings Lane", "Wharf Road",
    "Thatcher Avenue", "Cooper's Yard", "Mallow Street", "Heron Way", "Kiln Lane",
    "Sorrel Close", "Fuller Street", "Larch Avenue", "Dyers Lane", "Ostler Road",
)
# fmt: on

# -- places -----------------------------------------------------------------------------
# A label names its street with {street} or its part of town with {stem}.
PLACE_LABELS: dict[LocationKind, tuple[str, ...]] = {
    LocationKind.PARK: (
        "{stem} Park",
        "{stem} playing fields",
        "{stem} Rec",
        "Woods behind {street}",
    ),
    LocationKind.SHOP: (
        "{stem} Convenience Store",
        "{food} takeaway, {street}",
        "Off-licence on {street}",
        "{stem} Mini Market",
        "Phone shop on {street}",
    ),
    LocationKind.TRANSPORT_HUB: (
        "Bus stop on {street}",
        "{stem} taxi rank",
        "{stem} station footbridge",
    ),
    LocationKind.ROUTE_TO_SCHOOL: (
        "Footpath from {street} to school",
        "Alley off {street}",
        "{street} crossing",
        "Cut-through at {stem}",
    ),
    LocationKind.SCHOOL_SITE: (
        "Bike sheds",
        "Back field behind the sports hall",
        "Year {year} toilets",
        "Changing rooms",
        "School gates at home time",
        "Corner of the {stem} block",
        "Canteen queue",
        "Astro pitch",
    ),
    LocationKind.HOUSING_AREA: ("{stem} estate", "Flats on {street}", "{street} maisonettes"),
    LocationKind.PRIVATE_ADDRESS: (
        "House on {street}",
        "Flat above a shop on {street}",
        "Older male's flat, {street}",
    ),
    LocationKind.LEISURE_VENUE: (
        "{stem} Bowl",
        "Trampoline park, {stem} retail park",
        "Arcade on {street}",
        "{stem} cinema",
    ),
    LocationKind.ONLINE_PLATFORM: (
        "{platform} group “{tag}”",
        "{platform} account “{tag}”",
        "{platform} live streams",
        "{platform} server “{tag}”",
    ),
    LocationKind.EVENT: (
        "{stem} summer fair",
        "Bonfire night at {stem} Park",
        "House parties on {street}",
        "Friday disco at {stem} Youth Club",
    ),
    LocationKind.OTHER: (
        "Car park behind {street} shops",
        "Garage block on {street}",
        "Church steps, {street}",
        "{stem} cemetery",
    ),
}
# Labels that start with one of these read "the bus stop on …" in a sentence.
COMMON_NOUNS = frozenset(
    ("Bus", "Footpath", "Alley", "House", "Flat", "Flats", "Bike", "Back", "Changing")
    + ("School", "Canteen", "Astro", "Woods", "Off-licence", "Phone", "Arcade", "Trampoline")
    + ("Car", "Garage", "Church", "Cut-through", "Corner", "Chicken", "Pizza", "Kebab")
    + ("Burger", "Fish", "Noodle", "Older")
)
FOODS = ("Chicken", "Pizza", "Kebab", "Burger", "Fish and chip", "Noodle")
PLATFORMS = ("Snapchat", "Instagram", "TikTok", "Discord", "WhatsApp", "Telegram")
TAGS = (
    "after.dark", "the_lads", "roadmen", "girlz_only", "linkup2", "late_nite",
    "money_moves", "the_crew", "no_snitch", "fb_chat", "dropz", "vibes",
)  # fmt: skip
WHENS = (
    "After school, 3:15–6pm",
    "Weekday evenings",
    "Friday and Saturday nights",
    "Weekends, daytime",
    "Lunchtimes",
    "Late evenings, after 9pm",
    "School holidays",
    "Before school, 8–8:45am",
)
ONLINE_WHENS = ("After school", "Evenings and weekends", "Late at night")
SCHOOL_SITE_WHENS = ("Break and lunch", "Before school", "After school, until 4pm")
EVENT_WHENS = ("Once a year", "Some Friday and Saturday nights", "Summer holidays")
GUARDIANSHIPS = (
    "CCTV covers the entrance",
    "Staff on site until 10pm",
    "Well lit, busy road",
    "PCSO patrols on Friday nights",
    "No natural surveillance",
    "Shop owner will ring the school if worried",
    "Neighbours watchful",
    "",
)
SCHOOL_SITE_GUARDIANSHIPS = ("Staff on duty at break and lunch", "CCTV", "Not supervised after 4pm")
ONLINE_GUARDIANSHIPS = ("Reported to the platform", "Parents of some members aware", "")

# -- adults -----------------------------------------------------------------------------
VEHICLES = (
    "Black Mercedes A-Class", "White Ford Fiesta", "Blue VW Golf", "Silver Toyota Yaris",
    "Red Seat Leon", "Grey Range Rover Evoque", "Black moped", "White BMW 3 Series",
    "Green Skoda Octavia", "Dark blue Vauxhall Astra",
)  # fmt: skip
HANDLE_APPS = ("Snapchat", "Instagram", "TikTok", "WhatsApp")
HANDLE_WORDS = ("drip", "money", "realone", "lowkey", "fb", "mandem", "moves", "official", "xo")
ADULT_DESCRIPTIONS = (
    "Unknown male, about {age}, tall with a beard",
    "Unknown female, about {age}, blonde",
    "Older male who waits outside the gates",
    "Male in a grey tracksuit, about {age}",
    "Female who gives lifts, about {age}",
    "Older teenager from out of town",
)

# -- young people and groups ------------------------------------------------------------
YOUNG_PERSON_STRENGTHS = (
    "Good attendance", "Enjoys football", "Close to grandmother", "Talented at art",
    "Engages with form tutor", "Sings in the school choir", "Works well with learning mentor",
    "Keen on cooking", "Plays in a band", "Reliable younger-sibling carer", "Loves animals",
    "Goes to a local boxing club",
)  # fmt: skip
GROUP_WHO = ("boys", "girls", "mixed group")
GROUP_DESCRIPTIONS = (
    "Meet after school most days; some older members have cars.",
    "Friendship group that has become more closed this term.",
    "Talk about making money; new clothes and phones noticed.",
    "Linked by a group chat; fall-outs spill into school.",
    "Hang around late; some go missing overnight.",
    "Younger members look up to two older ones.",
)
GROUP_ROLES = ("older member", "newer member", "on the edge")

# -- strengths --------------------------------------------------------------------------
STRENGTH_LABELS: dict[StrengthKind, tuple[str, ...]] = {
    StrengthKind.TRUSTED_ADULT: (
        "{title} {surname}, Head of Year {year}",
        "{title} {surname}, form tutor",
        "{title} {surname}, school nurse",
        "{title} {surname}, learning mentor",
        "{title} {surname}, football coach",
    ),
    StrengthKind.SAFE_SPACE: (
        "Library at lunchtime",
        "Inclusion room",
        "Homework club",
        "Breakfast club",
        "Fernbridge Youth Hub drop-in",
        "Year {year} base",
    ),
    StrengthKind.POSITIVE_ACTIVITY: (
        "{stem} Boxing Club",
        "Saturday football, {stem} Rovers juniors",
        "Drama club",
        "Duke of Edinburgh group",
        "{stem} Sea Cadets",
        "Street dance at {stem} Community Centre",
    ),
    StrengthKind.PEER_SUPPORT: (
        "Year {year} peer mentors",
        "Anti-bullying ambassadors",
        "Sixth-form buddy scheme",
        "Friendship group with good attendance (Year {year})",
    ),
    StrengthKind.COMMUNITY_ASSET: (
        "Motiv8 drop-in at the Youth Hub",
        "{stem} church youth group",
        "Fernbridge Library",
        "{stem} Community Centre",
    ),
    StrengthKind.SCHOOL_PROVISION: (
        "Pastoral support plans",
        "PSHE on healthy relationships (Year {year})",
        "Mentoring with the learning mentor",
        "Attendance officer home visits",
        "Safe route home scheme",
    ),
}
STRENGTH_DESCRIPTIONS = {
    StrengthKind.TRUSTED_ADULT: "Young people say they can talk to them.",
    StrengthKind.SAFE_SPACE: "Open every day and always staffed.",
    StrengthKind.POSITIVE_ACTIVITY: "Free sessions twice a week; several of our pupils go.",
    StrengthKind.PEER_SUPPORT: "Trained pupils, supervised by the pastoral team.",
    StrengthKind.COMMUNITY_ASSET: "Open evenings and Saturdays.",
    StrengthKind.SCHOOL_PROVISION: "In place this term.",
}

# -- links, evidence, concerns and actions ----------------------------------------------
LINK_NOTES = (
    "Seen together several times after school.",
    "Mentioned by a friend.",
    "Messages seen on a phone.",
    "Reported by a parent.",
)
# Evidence summaries by the kind of record they are about; None for a link.
SUMMARIES: dict[Kind | None, tuple[str, ...]] = {
    Kind.YOUNG_PERSON: (
        "Seen after school with older young people not from this school.",
        "Said they had been asked to carry a bag for someone.",
        "Attendance has dropped; new phone and clothes noticed.",
        "Parent reports late nights and one missing episode.",
        "Upset after messages in a group chat; screenshots shown to staff.",
        "Involved in a fight on the way home.",
        "Has money they cannot explain.",
        "Says they feel unsafe walking home.",
    ),
    Kind.ADULT: (
        "Seen waiting in a car near the school gates at home time.",
        "Young people say this adult gives lifts and buys food.",
        "Named by police as known for drug supply.",
        "Seen talking to pupils at the bus station.",
        "Sends friend requests to pupils.",
    ),
    Kind.PEER_GROUP: (
        "Group seen gathering after school with older males.",
        "Group chat shared with staff by a parent.",
        "Members arrived late together with new trainers.",
        "Conflict with another group reported by pupils.",
    ),
    Kind.LOCATION: (
        "Young people gathering here late in the evening.",
        "Reports of drugs being sold here.",
        "Pupils say they avoid this place on the way home.",
        "Cars waiting here at home time.",
        "Images being shared here.",
    ),
    Kind.STRENGTH: (
        "Young person says they trust this adult.",
        "Attends every week and enjoys it.",
        "Helped a pupil disclose a concern.",
    ),
    None: (
        "Seen together after school.",
        "Messages between them seen by staff.",
        "A friend says they meet here most evenings.",
        "Police report them together.",
        "Young person disclosed the contact.",
    ),
}
# {place} is a physical place where the action names one.
ACTION_DETAILS = {
    "mash_referral": "MASH referral given the concerns about older males and missing episodes.",
    "worker_aware": "Make sure the allocated worker knows about the new concerns.",
    "school_self_assessment": "Review attendance and safeguarding policies; pupil survey on feeling safe.",
    "safety_mapping": "Safety mapping with the young people in {group}.",
    "context_assessment": "Context assessment of {place}.",
    "peer_group_assessment": "Peer group assessment of {group}.",
    "motiv8_referral": "Motiv8 referral for the young people most at risk in {group}.",
    "outreach": "Detached youth work at {place} on Friday evenings.",
    "intel_submitted": "Submit intelligence about the vehicle seen near the school gates.",
    "police_pcso": "Increased patrols at {place} after school.",
    "varmm_referral": "Feed information about {group} into the current VARMM.",
    "group_work": "PSHE sessions on exploitation and healthy relationships for Year {year}.",
    "regular_intel": "School to submit intelligence after each incident.",
    "other_agencies": "Ask the businesses at {place} to report concerns.",
}
ACTION_SUB_CHOICES = {"police_pcso": "Increased patrols"}
NO_ACTION_DETAIL = "Considered at the school's safeguarding review."
NO_ACTION_RATIONALE = (
    "Threshold for a MASH referral not met; low-level concern, pastoral team monitoring "
    "and will bring back if anything changes."
)
