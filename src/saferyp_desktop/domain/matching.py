"""Across schools: where several schools' mapping tables may name the same place,
adult, peer group or young person (DESIGN.md §4, "Chair").

:func:`find_candidates` only *proposes*: each :class:`Candidate` names two or more
records from different schools (never two of one school), a score between 0 and 1 and
the reasons in plain words, in the words the bundles already show the chair (a young
person by initials, a phone number by its last three digits). Nothing is merged here.

Keys: a candidate's ``key`` is a hash of its kind and its sorted members, so the same
bundles give the same keys in any order, run or process, and a chair's confirm or
dismiss decision can be stored against it. A candidate of three or more records also
lists its ``pairs``, each with its own key (a two-record candidate's key *is* its
pair's key): when a new school's bundle joins a candidate, its key changes, but the
keys of the pairs the chair already decided do not, so store decisions against the
pairs too (:func:`area_places` takes either).

How it works, in four passes, each using what the ones before it found:

1. **places**: postcode (with or without the space; an outward code alone is a weak
   signal, two different full postcodes a strong one against), the label normalised
   (case, punctuation, "the", "St"/"Street", "Pk"/"Park", "Rec", number words,
   plurals; generic words such as "park" or "bus" count for little; the name of a
   street counts for less than a place's own name), the kind of place (which must be
   compatible: never a school site, never online against a place in town), and an
   online group's or account's own name and platform;
2. **adults**: name (first name and surname compared apart, with ``difflib``, a
   Soundex code and a rough spelling-free form, so "Ambrell"/"Ambrel",
   "Morrow"/"Moreau" and "Leigh"/"Lee" are close and two Darrens with different
   surnames are not), aliases (each against the other's aliases and first name,
   "Dazza" ≈ "Daz"; a name's quoted part, "Male known as “Tiny”", is an alias),
   vehicle registration (pulled out of free text), phone numbers (the last ten
   digits), online handles, ages, and the matched places both are linked to;
3. **peer groups**: label (year group and boys/girls compared apart), members with
   the same initials and year group, and the matched places and adults both are
   linked to;
4. **young people**, conservatively: only two with the same initials and year group
   (or age) *and* a link to the same matched adult, place or peer group can score
   high enough to be listed; the same name alone never does (two children can share
   a name): such a pair scores at most 0.3, and its reason says they may be different
   children.

A score is the chance-like combination (1 − Π(1 − w)) of the signals for a match,
times a factor for each signal against (different postcodes, registrations, ages,
surnames). Pairs at or above the threshold are joined into candidates, strongest
first; a candidate's score is the weakest pair joining its members.

Each pass compares only records that share a blocking key (a postcode, a label, a
distinctive word of a label, an online name, a registration, a phone number, a handle,
an alias, a Soundex code of a surname, the first letters of a name, members' initials
and year group, a matched adult, place or group), never every record against every
other. A key shared by more than ``MAX_BLOCK`` records says little and is skipped.

Pure Python: no Qt, no I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple

from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Adult,
    Kind,
    Location,
    LocationKind,
    PeerGroup,
    Rag,
    Record,
    YoungPerson,
    derive_initials,
)

# A candidate is listed when its score is at least this.
LISTING_THRESHOLD = 0.5
# A blocking key shared by more records than this says little; pairs are not made from it.
MAX_BLOCK = 250
# A probing key (a record with little to go on, looking among all that share the key)
# may look through a bigger block, since it makes pairs only for the probing records.
MAX_PROBE_BLOCK = 2500

Member = tuple[str, str]  # (school id, record id)
MATCHED_KINDS = (Kind.LOCATION, Kind.ADULT, Kind.PEER_GROUP, Kind.YOUNG_PERSON)


class SchoolTable(NamedTuple):
    """One school's submission as the chair holds it."""

    school_id: str  # a URN or a submission id: unique among the schools compared
    name: str
    table: MappingTable


@dataclass(frozen=True)
class PairMatch:
    """Why two records from two schools may be the same."""

    kind: Kind
    a: Member
    b: Member
    score: float
    reasons: list[str]
    key: str


@dataclass(frozen=True)
class Candidate:
    """Records from different schools that may be the same place, adult, peer group
    or young person. ``score`` is the weakest of the pairwise matches that join them."""

    kind: Kind
    members: list[Member]
    score: float
    reasons: list[str]
    key: str
    pairs: list[PairMatch] = field(default_factory=list)

    @property
    def school_ids(self) -> list[str]:
        return [school_id for school_id, _ in self.members]


@dataclass(frozen=True)
class AreaPlace:
    """A place in the area, named by one or more schools (confirmed matches count as
    one place), with the worst safety rating any of them gave it."""

    label: str  # the first school's label for it
    labels: list[str]  # every distinct label the schools use
    kind: str  # the location kind the first school gave it
    postcode: str  # the first full postcode any school gave, or ""
    members: list[Member]
    school_ids: list[str]
    rating: str  # "red", "amber" or "green": the worst given
    keys: list[str]  # the confirmed candidates that joined these records

    @property
    def schools(self) -> int:
        return len(self.school_ids)


def member_key(kind: Kind | str, members: Iterable[Member]) -> str:
    """The stable key of a candidate: the kind and the sorted members, hashed."""
    kind_value = Kind(kind).value
    text = "\n".join([kind_value, *(f"{s}\t{r}" for s, r in sorted(set(members)))])
    return f"{kind_value}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:20]}"


# -- text ---------------------------------------------------------------------------------
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_JOINERS = re.compile(r"(?<=\w)['\-_.](?=\w)")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "first": "1st", "second": "2nd", "third": "3rd",
}  # fmt: skip
_ABBREVIATIONS = {
    "st": "street", "str": "street", "rd": "road", "ln": "lane", "ave": "avenue",
    "av": "avenue", "cl": "close", "cres": "crescent", "cresc": "crescent", "dr": "drive",
    "pk": "park", "rec": "park", "recreation": "park", "stn": "station", "sq": "square",
    "gdns": "gardens", "pl": "place", "ctr": "centre", "cntr": "centre", "center": "centre",
    "mkt": "market", "hse": "house", "est": "estate", "rly": "railway", "cp": "carpark",
    "chippy": "chip", "chips": "chip", "mt": "mount", "hts": "heights", "ct": "court",
}  # fmt: skip
_STOPWORDS = frozenset(
    "the a an of on at by in near nr behind off and to from next opposite opp outside "
    "under with for beside round around inside known".split()
)
# Words that say what sort of place something is, not which one: they count for little.
_GENERIC_WORDS = (
    "park street road lane avenue close way drive crescent square place gardens station bus "
    "stop shop store takeaway centre car carpark estate flats area town high skate playing "
    "fields field group chat account server live streams stream page channel local main "
    "market house garages block path footpath alley route school shelter shelters "
    "convenience mini chicken pizza kebab burger fish chip noodle offlicence phone "
    "night evening weekend friday saturday party parties"
).split()
_PLATFORMS = {
    "snapchat": "Snapchat", "snap": "Snapchat", "sc": "Snapchat", "instagram": "Instagram",
    "insta": "Instagram", "ig": "Instagram", "tiktok": "TikTok", "discord": "Discord",
    "whatsapp": "WhatsApp", "telegram": "Telegram", "facebook": "Facebook",
    "messenger": "Facebook", "youtube": "YouTube", "twitch": "Twitch", "twitter": "X",
    "roblox": "Roblox", "fortnite": "Fortnite", "xbox": "Xbox", "playstation": "PlayStation",
    "psn": "PlayStation", "kik": "Kik", "wizz": "Wizz", "yubo": "Yubo", "thread": "Threads",
}  # fmt: skip
# What an online place is on a platform: a type, not a name.
_ONLINE_TYPES = {
    "group": "group", "chat": "group", "groupchat": "group", "gc": "group",
    "account": "account", "profile": "account", "page": "account", "user": "account",
    "server": "server", "channel": "channel", "live": "stream", "streams": "stream",
    "stream": "stream", "livestream": "stream", "livestreams": "stream",
}  # fmt: skip


def _fold(text: str) -> str:
    """Lower case, curly quotes and dashes made plain, accents taken off."""
    text = text.translate(_QUOTES)
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def _words(text: str) -> list[str]:
    """Plain lower-case words; "link-up", "fb_linkup", "Saddler's" each one word."""
    return [w for w in _NON_WORD.split(_JOINERS.sub("", _fold(text))) if w]


def _canonical(word: str) -> str:
    """One spelling for a word: number words as digits, abbreviations spelt out,
    plurals made singular ("vapes" → "vape")."""
    word = _NUMBER_WORDS.get(word, word)
    word = _ABBREVIATIONS.get(word, word)
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


_STREET_TYPES = frozenset(
    _ABBREVIATIONS.get(w, w).removesuffix("s") if w.endswith("s") and len(w) > 4 else w
    for w in (
        "street road lane avenue close way drive crescent square place gardens row hill "
        "terrace walk grove mews court parade yard rise"
    ).split()
)
_GENERIC = frozenset(_canonical(w) for w in _GENERIC_WORDS) | _STREET_TYPES
STREET_MARK = "~"  # a word that names a street ("Kettle" in "Kettle Street") ends with this


def _label_tokens(text: str) -> list[str]:
    """A label's words, canonical, without stopwords, in order, without repeats. The
    name of a street is marked: two different places can be on one street."""
    words = _words(text)
    tokens = []
    for n, word in enumerate(words):
        # "St Mary's", "of St Aldric's": a saint; "Kettle St": a street.
        if word == "st" and n + 1 < len(words) and (n == 0 or words[n - 1] in _STOPWORDS):
            tokens.append("saint")
        else:
            tokens.append(_canonical(word))
    tokens = [t for t in tokens if t not in _STOPWORDS]
    marked = [
        t + STREET_MARK
        if n + 1 < len(tokens)
        and tokens[n + 1] in _STREET_TYPES
        and t not in _GENERIC
        and not t.isdigit()
        else t
        for n, t in enumerate(tokens)
    ]
    return list(dict.fromkeys(marked))


@lru_cache(maxsize=1 << 16)
def _weight(token: str) -> float:
    if token in _GENERIC or token in _PLATFORMS:
        return 0.25
    if token.isdigit():
        return 0.5
    if token.endswith(STREET_MARK):
        return 0.6
    return 1.0


@lru_cache(maxsize=1 << 16)
def _similar_words(a: str, b: str) -> bool:
    """Two distinctive words that are probably one misspelt: "Dowsett"/"Dowset"."""
    a, b = a.rstrip(STREET_MARK), b.rstrip(STREET_MARK)
    if min(len(a), len(b)) < 5 or a[0] != b[0]:
        return False
    return SequenceMatcher(None, a, b).ratio() >= 0.85


@dataclass(frozen=True)
class _LabelMatch:
    similarity: float  # weighted Dice over the words, 0–1
    distinctive: bool  # the words in common include one that is not generic
    differ: bool = False  # each has a distinctive word the other has not ("Hollins"/"Ashmead")
    named_in_common: bool = False  # a distinctive word or a street's name in common


@lru_cache(maxsize=1 << 16)
def _compare_labels(a: tuple[str, ...], b: tuple[str, ...]) -> _LabelMatch:
    if not a or not b:
        return _LabelMatch(0.0, False)
    set_b = set(b)
    shared: list[str] = [t for t in a if t in set_b]
    rest_a = [t for t in a if t not in set_b and _weight(t) >= 0.6]
    rest_b = [t for t in b if t not in set(a) and _weight(t) >= 0.6]
    unmatched_a = []
    for word in rest_a:
        for other in rest_b:
            if _similar_words(word, other):
                shared.append(word)
                rest_b.remove(other)
                break
        else:
            unmatched_a.append(word)
    total = sum(_weight(t) for t in a) + sum(_weight(t) for t in b)
    common = 2 * sum(_weight(t) for t in shared)
    similarity = min(1.0, common / total) if total else 0.0
    # A street's name in common is distinctive only when nothing else tells them apart.
    distinctive = any(_weight(t) == 1.0 and len(t) >= 3 for t in shared) or (
        similarity >= 0.95 and any(t.endswith(STREET_MARK) for t in shared)
    )
    named = any(_weight(t) >= 0.6 and len(t) >= 3 for t in shared)
    return _LabelMatch(similarity, distinctive, bool(unmatched_a and rest_b), named)


@lru_cache(maxsize=1 << 16)
def _soundex(word: str) -> str:
    """Soundex: "Morrow" and "Moreau" are both M600."""
    codes = {
        **dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
        **dict.fromkeys("dt", "3"), "l": "4", **dict.fromkeys("mn", "5"), "r": "6",
    }  # fmt: skip
    letters = [c for c in word.lower() if c.isalpha()]
    if not letters:
        return ""
    result, last = letters[0].upper(), codes.get(letters[0], "")
    for ch in letters[1:]:
        code = codes.get(ch, "")
        if code and code != last:
            result += code
        if ch not in "hw":
            last = code
    return (result + "000")[:4]


def _sounds(word: str) -> str:
    """A rough spelling-free form of a name: "Leigh" and "Lee", "Jon" and "John",
    "Stephen" and "Steven", "Katy" and "Katie" come out the same."""
    word = word.lower()
    for old, new in (("igh", "ee"), ("ph", "v"), ("ck", "k"), ("ie", "i"), ("y", "i")):
        word = word.replace(old, new)
    word = re.sub(r"(?<=[^aeiou])h", "", word)
    word = re.sub(r"(.)\1+", r"\1", word)
    return word.rstrip("e") or word


@lru_cache(maxsize=1 << 16)
def _name_similarity(a: str, b: str) -> float:
    """How alike two name words are, 0–1: spelling, sound, or one short for the other."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    ratio = SequenceMatcher(None, a, b).ratio()
    if _sounds(a) == _sounds(b):
        ratio = max(ratio, 0.9)
    if min(len(a), len(b)) >= 5 and ratio >= 0.5 and a[0] == b[0] and _soundex(a) == _soundex(b):
        ratio = max(ratio, 0.86)
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        ratio = max(ratio, 0.8)
    return ratio


def _shown(text: str) -> str:
    """A record's own words, tidied for a reason: one line, no outer spaces."""
    return " ".join(text.split())


# -- postcodes, plates, phones, handles -------------------------------------------------------
_FULL_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_PLATES = (
    re.compile(r"\b([A-Z]{2}[0-9]{2}) ?([A-Z]{3})\b"),  # current: AB12 CDE
    re.compile(r"\b([A-Z][0-9]{1,3}) ?([A-Z]{3})\b"),  # prefix: A123 BCD
    re.compile(r"\b([A-Z]{3}) ?([0-9]{1,3}[A-Z])\b"),  # suffix: ABC 123D
)
_NOT_PLATE_WORDS = frozenset({"REG", "VAN", "CAR", "THE", "AND", "RED", "NEW", "OLD", "BMW"})
_PHONE = re.compile(r"\+?\d[\d\s\-().]{7,}\d")
_HANDLE_FILLER = frozenset(
    "on via tel phone mobile mob number no num texts text calls call whatsapp messages "
    "user username handle account called is as and or aka also known name profile".split()
)
_COLOURS = frozenset(
    "black white silver grey gray red blue green yellow orange purple brown gold "
    "maroon navy dark light".split()
)


def _postcode(location: Location) -> tuple[str, str]:
    """(full postcode or "", outward code or ""), from the postcode field, else from
    where the DSL wrote the place is."""
    value = location.postcode.strip().upper()
    if value:
        compact = value.replace(" ", "")
        match = (
            _FULL_POSTCODE.fullmatch(compact[:-3] + " " + compact[-3:])
            if len(compact) >= 5
            else None
        )
        if match:
            return f"{match.group(1)} {match.group(2)}", match.group(1)
        if _OUTWARD.match(compact):
            return "", compact
        return "", ""
    for text in (location.where, location.label):
        match = _FULL_POSTCODE.search(text.upper())
        if match:
            return f"{match.group(1)} {match.group(2)}", match.group(1)
    return "", ""


def extract_plates(text: str) -> list[str]:
    """Vehicle registrations in free text, spaces taken out: "black Audi A3 ZZ19KFR" →
    ["ZZ19KFR"]."""
    upper = _fold(text).upper()
    found: list[str] = []
    for number, pattern in enumerate(_PLATES):
        for match in pattern.finditer(upper):
            if number == 2 and match.group(1) in _NOT_PLATE_WORDS:
                continue
            plate = match.group(1) + match.group(2)
            if not any(plate in other or other in plate for other in found):
                found.append(plate)
    return found


def extract_phones(text: str) -> list[str]:
    """Phone numbers in free text as their last ten digits."""
    found = []
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) >= 10:
            found.append(digits[-10:])
    return list(dict.fromkeys(found))


def extract_handles(text: str) -> list[str]:
    """Online handles in free text: lower case, no "@", dots and underscores taken out,
    without the platform's name or a phone number."""
    text = _PHONE.sub(" ", text)
    text = re.sub(r"\([^)]*\)", " ", text)
    found = []
    for raw in re.split(r"[\s,;/]+", _fold(text)):
        token = raw.strip(".:!?'\"").lstrip("@")
        compact = re.sub(r"[._\-]", "", token)
        if (
            len(compact) < 3
            or not compact.isalnum()
            or not any(c.isalpha() for c in compact)
            or compact in _PLATFORMS
            or compact in _HANDLE_FILLER
        ):
            continue
        # A plain word without "@", a dot or a digit is a description, not a handle.
        if not (raw.startswith("@") or re.search(r"[._\d]", token)):
            continue
        found.append(compact)
    return list(dict.fromkeys(found))


# -- blocking ---------------------------------------------------------------------------------
class _Blocks:
    """Records sharing a key become pairs. Symmetric keys pair every two records of
    different schools under the key; probing keys pair each probing record with every
    other record under the key (for records with little to go on)."""

    def __init__(self) -> None:
        self.members: dict[tuple, list[int]] = defaultdict(list)
        self.probes: dict[tuple, list[int]] = defaultdict(list)
        self.probed: dict[tuple, list[int]] = defaultdict(list)

    def add(self, key: tuple, index: int) -> None:
        self.members[key].append(index)

    def add_probe(self, key: tuple, index: int, *, probing: bool) -> None:
        (self.probes if probing else self.probed)[key].append(index)

    def pairs(self, school_of: Sequence[int]) -> list[tuple[int, int]]:
        found: set[tuple[int, int]] = set()

        def pair(i: int, j: int) -> None:
            if school_of[i] != school_of[j]:
                found.add((i, j) if i < j else (j, i))

        for indexes in self.members.values():
            if len(indexes) > MAX_BLOCK:
                continue
            unique = sorted(set(indexes))
            for n, i in enumerate(unique):
                for j in unique[n + 1 :]:
                    pair(i, j)
        for key, probing in self.probes.items():
            others = sorted(set(self.probed.get(key, [])) | set(probing))
            if len(others) > MAX_PROBE_BLOCK:
                continue
            for i in sorted(set(probing)):
                for j in others:
                    pair(i, j)
        return sorted(found)


# -- scoring ----------------------------------------------------------------------------------
class _Evidence:
    """Signals for and against one pair: score = noisy-OR of the signals for, times the
    factors of the signals against."""

    def __init__(self) -> None:
        self.for_: list[tuple[float, str]] = []
        self.against: list[tuple[float, str]] = []
        self.cap = 1.0

    def add(self, weight: float, reason: str) -> None:
        if weight > 0:
            self.for_.append((weight, reason))

    def oppose(self, factor: float, reason: str) -> None:
        self.against.append((factor, reason))

    @property
    def score(self) -> float:
        missing = 1.0
        for weight, _ in self.for_:
            missing *= 1.0 - weight
        score = 1.0 - missing
        for factor, _ in self.against:
            score *= factor
        return round(min(score, self.cap), 3)

    def reasons(self) -> list[str]:
        ordered = [r for _, r in sorted(self.for_, key=lambda p: -p[0])]
        ordered += [r for _, r in sorted(self.against, key=lambda p: p[0])]
        return list(dict.fromkeys(ordered))


@dataclass
class _Entry:
    school: int  # index into the schools
    record: Record
    features: dict

    def member(self, schools: Sequence[SchoolTable]) -> Member:
        return (schools[self.school].school_id, self.record.id)


class _Clusters:
    """Which matched cluster each record is in, pass by pass, for later passes' context."""

    def __init__(self) -> None:
        self.of: dict[Member, str] = {}  # member → candidate key
        self.label: dict[str, str] = {}  # candidate key → a label to name it by

    def add(self, candidate: Candidate, label: str) -> None:
        for member in candidate.members:
            self.of.setdefault(member, candidate.key)
        self.label.setdefault(candidate.key, label)


# -- places -----------------------------------------------------------------------------------
_PARK, _SHOP, _HUB, _ROUTE, _SITE, _HOUSING, _ADDRESS, _LEISURE, _ONLINE, _EVENT, _OTHER = (
    k.value for k in LocationKind
)
# Kinds of place that can name the same place as well as each kind itself and "other".
_PHYSICAL_NEIGHBOURS: dict[str, frozenset[str]] = {
    _PARK: frozenset({_LEISURE, _EVENT, _ROUTE}),
    _SHOP: frozenset({_LEISURE, _HUB}),
    _HUB: frozenset({_ROUTE, _SHOP}),
    _ROUTE: frozenset({_HUB, _PARK, _HOUSING}),
    _HOUSING: frozenset({_ADDRESS, _ROUTE}),
    _ADDRESS: frozenset({_HOUSING}),
    _LEISURE: frozenset({_PARK, _EVENT, _SHOP}),
    _EVENT: frozenset({_PARK, _LEISURE}),
}
_KIND_WORDS = {
    _SHOP: "shops or takeaways",
    _PARK: "parks",
    _HUB: "transport hubs",
    _ROUTE: "routes to school",
    _HOUSING: "housing areas",
    _ADDRESS: "private addresses",
    _LEISURE: "leisure venues",
    _EVENT: "events",
}


@lru_cache(maxsize=256)
def _kinds_compatible(a: str, b: str) -> bool:
    """Whether two kinds of place could be the same place. Never a school site (each
    school's own), never online against a place in town."""
    if _SITE in (a, b) or (a == _ONLINE) != (b == _ONLINE):
        return False
    if a == b or _OTHER in (a, b):
        return True
    return b in _PHYSICAL_NEIGHBOURS.get(a, frozenset())


_TAG_FILLER = frozenset("online called named on via in a an of".split())


def _place_features(place: Location) -> dict:
    full, outward = _postcode(place)
    tokens = _label_tokens(place.label)
    platform, tag, online_type = "", "", ""
    if place.online:
        for word in _words(place.where):
            platform = platform or _PLATFORMS.get(word, "")
        name_words = []
        for word in _words(place.label):
            if word in _PLATFORMS:
                platform = _PLATFORMS[word]
            elif word in _ONLINE_TYPES or _canonical(word) in _ONLINE_TYPES:
                online_type = (
                    online_type or _ONLINE_TYPES.get(word) or _ONLINE_TYPES[_canonical(word)]
                )
            elif word not in _TAG_FILLER:
                name_words.append(word)
        # The group's or account's own name, all its words run together: "FB Link-Up",
        # "fb_linkup" and "FB Linkup" are all "fblinkup".
        tag = "".join(name_words)
    return {
        "shown": _shown(place.label),
        "postcode": full,
        "outward": outward,
        "tokens": tuple(tokens),
        "platform": platform,
        "tag": tag if len(tag) >= 3 else "",
        "online_type": online_type,
    }


def _place_blocks(entries: list[_Entry]) -> _Blocks:
    blocks = _Blocks()
    for index, entry in enumerate(entries):
        f = entry.features
        # An outward code alone ("ZZ1") is too wide to be a key: it only adds to a
        # likeness found through the label.
        if f["postcode"]:
            blocks.add(("postcode", f["postcode"]), index)
        if f["tag"]:
            blocks.add(("tag", f["tag"]), index)
            blocks.add(("tag4", f["tag"][:4]), index)
        for token in f["tokens"]:
            if _weight(token) == 1.0 and len(token) >= 3:
                blocks.add(("word", token), index)
        if f["tokens"]:
            blocks.add(("label", " ".join(sorted(f["tokens"]))), index)
    return blocks


def _score_places(a: _Entry, b: _Entry) -> _Evidence | None:
    pa, pb = a.record, b.record
    assert isinstance(pa, Location) and isinstance(pb, Location)
    if not _kinds_compatible(pa.location_kind, pb.location_kind):
        return None
    fa, fb = a.features, b.features
    ev = _Evidence()
    if fa["postcode"] and fa["postcode"] == fb["postcode"]:
        ev.add(0.45, f"same postcode {fa['postcode']}")
    elif fa["postcode"] and fb["postcode"]:
        if fa["outward"] == fb["outward"]:
            ev.oppose(0.55, f"different postcodes ({fa['postcode']} / {fb['postcode']})")
        else:
            ev.oppose(0.3, f"different postcodes ({fa['postcode']} / {fb['postcode']})")
    elif fa["outward"] and fa["outward"] == fb["outward"]:
        ev.add(
            0.15, f"same postcode area {fa['outward']} (the full postcode is not known for both)"
        )
    elif fa["outward"] and fb["outward"]:
        ev.oppose(0.3, f"different postcode areas ({fa['outward']} / {fb['outward']})")
    kind_a, kind_b = pa.location_kind, pb.location_kind
    if kind_a == kind_b and kind_a in _KIND_WORDS:
        ev.add(0.2, f"both {_KIND_WORDS[kind_a]}")
    elif kind_a != kind_b and _OTHER not in (kind_a, kind_b):
        ev.oppose(0.85, f"different kinds of place ({kind_a} / {kind_b})")

    label_a, label_b = fa["shown"], fb["shown"]
    if pa.online:
        if fa["platform"] and fb["platform"] and fa["platform"] != fb["platform"]:
            ev.oppose(0.3, f"different platforms ({fa['platform']} / {fb['platform']})")
        elif fa["platform"] and fa["platform"] == fb["platform"] and (fa["tag"] or fb["tag"]):
            ev.add(0.15, f"both on {fa['platform']}")
        tag_a, tag_b = fa["tag"], fb["tag"]
        letters_a, letters_b = tag_a.rstrip("0123456789"), tag_b.rstrip("0123456789")
        if tag_a and tag_a == tag_b:
            ev.add(0.7, f"same online name ({label_a} / {label_b})")
        elif tag_a and tag_b and letters_a == letters_b:
            if letters_a != tag_a and letters_b != tag_b:
                ev.oppose(0.5, f"different numbers in the online names ({label_a} / {label_b})")
            else:
                ev.add(0.2, f"similar online name ({label_a} / {label_b})")
        elif tag_a and tag_b and SequenceMatcher(None, tag_a, tag_b).ratio() >= 0.85:
            ev.add(0.45, f"similar online name ({label_a} / {label_b})")
        if fa["online_type"] and fb["online_type"] and fa["online_type"] != fb["online_type"]:
            ev.oppose(0.7, f"one is a {fa['online_type']}, the other a {fb['online_type']}")
        if ev.for_ and not (fa["tag"] and fb["tag"]):
            label = _compare_labels(fa["tokens"], fb["tokens"])
            if label.distinctive and label.similarity >= 0.6:
                ev.add(0.5 * label.similarity, f"similar name ({label_a} / {label_b})")
    else:
        label = _compare_labels(fa["tokens"], fb["tokens"])
        if label.distinctive and label.similarity >= 0.95:
            ev.add(
                0.6,
                f"same name ({label_a})"
                if label_a.lower() == label_b.lower()
                else f"similar name ({label_a} / {label_b})",
            )
        elif label.distinctive and label.similarity >= 0.4:
            weight = 0.6 * min(1.0, label.similarity / 0.8) * (0.4 if label.differ else 1.0)
            ev.add(weight, f"similar name ({label_a} / {label_b})")
        elif label.similarity >= 0.6 or (
            label.similarity >= 0.3 and fa["postcode"] == fb["postcode"] != ""
        ):
            ev.add(0.1, f"similar description ({label_a} / {label_b})")
        elif label.differ and not label.named_in_common:
            ev.oppose(0.8, f"different names ({label_a} / {label_b})")
    # Only the kind of place in common is no reason on its own.
    if not any(reason.startswith(("same", "similar")) for _, reason in ev.for_):
        return None
    return ev


# -- adults -----------------------------------------------------------------------------------
_TITLES = frozenset("mr mrs ms miss dr mx sir".split())
_DESCRIPTORS = frozenset(
    "male female man woman boy girl lad bloke guy person unknown older younger young "
    "teenager teen adult someone somebody aged about approx approximately".split()
)
_DESCRIPTION_FILLER = frozenset(
    "who which that was were is are has have been seen often usually sometimes".split()
)
_NAME_NOISE = frozenset("known as aka called real name not surname unknown".split())
_QUOTED = re.compile(r'"([^"]+)"|\'([^\']+)\'')
_AGE_IN_TEXT = re.compile(
    r"\b(?:about|aged?|approx(?:imately)?\.?|around|roughly|maybe)\s*(\d{2})\b"
    r"|\b(\d{2})\s*(?:-?\s*years?[\s-]*old|yo|yrs?)\b"
    r"|\b(early|mid|late)?[\s-]*(\d)0s\b"
)


def _age_in(text: str) -> int | None:
    """An age a description gives: "about 30", "25-year-old", "late 20s" (28)."""
    match = _AGE_IN_TEXT.search(text)
    if not match:
        return None
    if match.group(1) or match.group(2):
        return int(match.group(1) or match.group(2))
    decade = int(match.group(4)) * 10
    return decade + {"early": 2, "mid": 5, "late": 8}.get(match.group(3) or "mid", 5)


def _adult_features(adult: Adult, context: set[str]) -> dict:
    name = _fold(adult.name)
    aliases = [a for a in adult.aliases if a.strip()]
    for match in _QUOTED.finditer(adult.name.translate(_QUOTES)):
        aliases.append(match.group(1) or match.group(2))
    bare = _QUOTED.sub(" ", name)
    bare = re.sub(r"\([^)]*\)", " ", bare)
    raw_words = [w for w in re.split(r"[^a-z.]+", bare) if w.strip(".")]
    words = [w.strip(".") for w in raw_words]
    first = surname = initial = ""
    description: tuple[str, ...] = ()
    initials = ""
    if adult.name.strip() == adult.code or not words:
        pass  # the name was withheld (a bundle at the codes level)
    elif re.fullmatch(r"[A-Z]{1,4}", adult.name.strip()):
        initials = adult.name.strip()  # a bundle at the initials level
    elif any(w in _DESCRIPTORS for w in words):
        description = tuple(
            _canonical(w)
            for w in _words(bare)
            if w not in _DESCRIPTORS
            and w not in _STOPWORDS
            and not w.isdigit()
            and len(w) > 2
            and w not in _DESCRIPTION_FILLER
        )
    else:
        parts = [w for w in words if w not in _TITLES and w not in _NAME_NOISE]
        if parts and len(re.sub(r"[^a-z]", "", parts[0])) >= 2:
            first = re.sub(r"[^a-z]", "", parts[0])
            if len(parts) >= 2:
                last = re.sub(r"[^a-z]", "", parts[-1])
                if len(last) == 1:
                    initial = last
                else:
                    surname = last
    alias_words = []
    for alias in aliases:
        compact = re.sub(r"[^a-z0-9]", "", _fold(alias))
        if compact:
            alias_words.append((compact, _shown(alias)))
    vehicle_words = {w for w in _words(adult.vehicle) if not w.isdigit()}
    plates = extract_plates(adult.vehicle)
    age = adult.approx_age
    if age is None:
        age = _age_in(name)
    features = {
        "shown": _shown(adult.name),
        "age": age,
        "first": first,
        "surname": surname,
        "initial": initial,
        "initials": initials
        or (derive_initials(f"{first} {surname}") if first and surname else ""),
        "description": description,
        "aliases": alias_words,
        "plates": plates,
        "vehicle_words": vehicle_words - {p.lower() for p in plates},
        "phones": [p for h in adult.handles for p in extract_phones(h)],
        "handles": [h for text in adult.handles for h in extract_handles(text)],
        "context": context,
    }
    if first:
        features["shown"] = _full_name(features)
    return features


def _adult_blocks(entries: list[_Entry]) -> _Blocks:
    blocks = _Blocks()
    for index, entry in enumerate(entries):
        f = entry.features
        for plate in f["plates"]:
            blocks.add(("plate", plate), index)
        for phone in f["phones"]:
            blocks.add(("phone", phone), index)
        for handle in f["handles"]:
            blocks.add(("handle", handle), index)
        names = [a for a, _ in f["aliases"]]
        if f["first"] and not f["surname"]:
            names.append(f["first"])  # a single name is as good as an alias
        for alias in names:
            if len(alias) >= 3:
                blocks.add(("alias", alias), index)
                blocks.add_probe(("name3", alias[:3]), index, probing=True)
        if f["first"]:
            blocks.add_probe(("name3", f["first"][:3]), index, probing=False)
        if f["surname"]:
            blocks.add(("surname", _soundex(f["surname"])), index)
            blocks.add_probe(("first", _soundex(f["first"])), index, probing=False)
        elif f["first"]:
            blocks.add_probe(("first", _soundex(f["first"])), index, probing=True)
        # A description ("older male in a grey tracksuit") and the places an adult is
        # linked to only support another signal, which has its own key.
    return blocks


def _full_name(f: dict) -> str:
    parts = [
        f["first"].title(),
        f["surname"].title() or (f["initial"].upper() + "." if f["initial"] else ""),
    ]
    return " ".join(p for p in parts if p)


def _compare_names(fa: dict, fb: dict, ev: _Evidence, label_a: str, label_b: str) -> None:
    if fa["first"] and fb["first"]:
        first = _name_similarity(fa["first"], fb["first"])
        if fa["surname"] and fb["surname"]:
            surname = _name_similarity(fa["surname"], fb["surname"])
            if first == 1.0 and surname == 1.0:
                ev.add(
                    0.75,
                    f"same name ({label_a})"
                    if label_a.lower() == label_b.lower()
                    else f"same name ({label_a} / {label_b})",
                )
            elif first >= 0.8 and surname >= 0.8:
                ev.add(0.45 + 0.3 * min(first, surname), f"similar name ({label_a} / {label_b})")
            elif surname >= 0.86 and first < 0.8:
                ev.add(0.1, f"same or similar surname ({label_a} / {label_b})")
            elif first >= 0.8 and surname < 0.7:
                ev.oppose(0.5, f"different surnames ({label_a} / {label_b})")
            if surname >= 0.8 and first < 0.6:
                ev.oppose(0.6, f"different first names ({label_a} / {label_b})")
            elif surname < 0.6 and first < 0.6:
                ev.oppose(0.4, f"different names ({label_a} / {label_b})")
        elif first >= 0.8:
            initial_a = fa["surname"][:1] or fa["initial"]
            initial_b = fb["surname"][:1] or fb["initial"]
            if initial_a and initial_b and initial_a != initial_b:
                ev.oppose(0.5, f"different surnames ({label_a} / {label_b})")
            elif initial_a and initial_b:
                ev.add(0.4, f"same first name and surname initial ({label_a} / {label_b})")
            else:
                ev.add(0.3, f"same first name ({label_a} / {label_b})")
    elif fa["initials"] and fb["initials"] and fa["initials"] == fb["initials"]:
        ev.add(0.15, f"same initials ({fa['initials']})")
    if fa["description"] and fb["description"]:
        words = _compare_labels(fa["description"], fb["description"])
        if words.similarity >= 0.6:
            ev.add(0.3 * words.similarity, f"similar description ({label_a} / {label_b})")


def _compare_aliases(fa: dict, fb: dict, ev: _Evidence) -> None:
    def names_of(f: dict) -> list[tuple[str, str, bool]]:
        found = [(compact, shown, True) for compact, shown in f["aliases"]]
        if f["first"]:
            found.append((f["first"], f["first"].title(), False))
        return found

    best: tuple[float, str] | None = None
    for alias, shown, is_alias in names_of(fa):
        for other, other_shown, other_is_alias in names_of(fb):
            if not (is_alias or other_is_alias):
                continue  # first name against first name is the name's business
            found: tuple[float, str] | None = None
            if min(len(alias), len(other)) <= 2:
                if alias == other and is_alias and other_is_alias:
                    found = (0.15, f"same short alias ({shown})")
            elif alias == other:
                what = "same alias" if is_alias and other_is_alias else "alias matches a name"
                found = (0.4, f"{what} ({shown})")
            elif _name_similarity(alias, other) >= 0.8:
                if is_alias and other_is_alias:
                    found = (0.35, f"alias {shown} ≈ {other_shown}")
                elif is_alias:
                    found = (0.35, f"alias {shown} ≈ name {other_shown}")
                else:
                    found = (0.35, f"alias {other_shown} ≈ name {shown}")
            if found and (best is None or found[0] > best[0]):
                best = found
    if best:
        ev.add(*best)


def _score_adults(a: _Entry, b: _Entry, places: _Clusters) -> _Evidence | None:
    fa, fb = a.features, b.features
    ev = _Evidence()
    _compare_names(fa, fb, ev, fa["shown"], fb["shown"])
    _compare_aliases(fa, fb, ev)

    plates = [p for p in fa["plates"] if p in fb["plates"]]
    if plates:
        ev.add(0.9, f"same vehicle registration {plates[0]}")
    elif fa["plates"] and fb["plates"]:
        ev.oppose(0.5, f"different vehicle registrations ({fa['plates'][0]} / {fb['plates'][0]})")
    else:
        words = fa["vehicle_words"] & fb["vehicle_words"]
        if words & _COLOURS and words - _COLOURS:
            ev.add(0.1, "similar vehicle (" + " ".join(sorted(words)) + ")")
    phones = [p for p in fa["phones"] if p in fb["phones"]]
    if phones:
        ev.add(0.9, f"same phone number ending {phones[0][-3:]}")
    elif fa["phones"] and fb["phones"]:
        ev.oppose(0.75, "different phone numbers")
    if set(fa["handles"]) & set(fb["handles"]):
        ev.add(0.85, "same online handle")
    shared_places = sorted(fa["context"] & fb["context"])
    if shared_places:
        names = ", ".join(places.label[k] for k in shared_places[:2])
        ev.add(min(0.35, 0.2 * len(shared_places)), f"both linked to the same place ({names})")

    age_a, age_b = fa["age"], fb["age"]
    if age_a is not None and age_b is not None:
        gap = abs(age_a - age_b)
        if gap > 10:
            ev.oppose(0.5, f"ages differ ({age_a} / {age_b})")
        elif gap > 6:
            ev.oppose(0.8, f"ages differ ({age_a} / {age_b})")
    # Context and vehicle make alone are no reason.
    if not any(
        w >= 0.15 and not r.startswith(("both linked", "similar vehicle")) for w, r in ev.for_
    ):
        return None
    return ev


# -- peer groups ------------------------------------------------------------------------------
_YEAR = re.compile(r"\b(?:year|yr|y)\s*(\d{1,2})\b")
_WHO = {
    "boys": "boys", "boy": "boys", "lads": "boys", "males": "boys", "male": "boys",
    "girls": "girls", "girl": "girls", "females": "girls", "female": "girls",
    "mixed": "mixed",
}  # fmt: skip


@dataclass(frozen=True)
class _Pupil:
    initials: str
    year: int | None
    age: int | None
    member: Member


def _pupil(person: YoungPerson, member: Member) -> _Pupil | None:
    """A young person as the matcher sees them: initials, year group and age. At the
    codes level a bundle holds neither name nor initials, and they cannot be matched."""
    if person.name.strip() == person.code:
        return None  # the initials a record has then are only its code's ("YP-03" → "Y")
    initials = re.sub(r"[^A-Z]", "", (person.initials or derive_initials(person.name)).upper())
    if not initials:
        return None
    return _Pupil(initials, person.year_group, person.age, member)


def _pupils_compatible(a: _Pupil, b: _Pupil) -> bool:
    """Same initials and the same year group, or (no year group) an age a year apart at most."""
    if a.initials != b.initials:
        return False
    if a.year is not None and b.year is not None:
        return a.year == b.year and (a.age is None or b.age is None or abs(a.age - b.age) <= 1)
    if a.age is not None and b.age is not None:
        return abs(a.age - b.age) <= 1
    return False


def _group_features(group: PeerGroup, pupils: list[_Pupil], context: set[str]) -> dict:
    folded = _fold(group.label)
    year_match = _YEAR.search(folded)
    year = int(year_match.group(1)) if year_match else None
    words = _label_tokens(_YEAR.sub(" ", folded))
    who = next((_WHO[w] for w in words if w in _WHO), "")
    tokens = tuple(w for w in words if w not in _WHO and w != "group")
    return {"year": year, "who": who, "tokens": tokens, "pupils": pupils, "context": context}


def _group_blocks(entries: list[_Entry]) -> _Blocks:
    blocks = _Blocks()
    for index, entry in enumerate(entries):
        f = entry.features
        if f["tokens"]:
            blocks.add(("label", f["year"], f["who"], " ".join(sorted(f["tokens"]))), index)
        for token in f["tokens"]:
            if len(token) >= 3:
                blocks.add(("word", f["year"], token), index)
        for pupil in f["pupils"]:
            blocks.add(("pupil", pupil.initials, pupil.year), index)
        # The places and adults a group is linked to only support a likeness of label
        # or members, which have their own keys.
    return blocks


def _shared_pupils(a: list[_Pupil], b: list[_Pupil]) -> list[tuple[_Pupil, _Pupil]]:
    """Members of two groups with the same initials and year group, each used once."""
    used: set[int] = set()
    found = []
    for pupil in a:
        for n, other in enumerate(b):
            if n not in used and _pupils_compatible(pupil, other):
                used.add(n)
                found.append((pupil, other))
                break
    return found


def _score_groups(a: _Entry, b: _Entry, context_label: dict[str, str]) -> _Evidence | None:
    fa, fb = a.features, b.features
    ev = _Evidence()
    label_a, label_b = _shown(a.record.label_text()), _shown(b.record.label_text())
    label = _compare_labels(fa["tokens"], fb["tokens"])
    same_frame = fa["year"] == fb["year"] and fa["who"] == fb["who"]
    if label.similarity >= 0.95 and same_frame:
        ev.add(
            0.45,
            f"same label ({label_a})"
            if label_a.lower() == label_b.lower()
            else f"similar label ({label_a} / {label_b})",
        )
    elif label.similarity >= 0.6 and (label.distinctive or same_frame):
        ev.add(0.4 * label.similarity, f"similar label ({label_a} / {label_b})")
    if fa["year"] is not None and fb["year"] is not None and fa["year"] != fb["year"]:
        ev.oppose(0.4, f"different year groups (Year {fa['year']} / Year {fb['year']})")
    if fa["who"] and fb["who"] and fa["who"] != fb["who"]:
        factor = 0.5 if "mixed" not in (fa["who"], fb["who"]) else 0.8
        ev.oppose(factor, f"one group is {fa['who']}, the other {fb['who']}")
    shared = _shared_pupils(fa["pupils"], fb["pupils"])
    if len(shared) >= 2:
        ev.add(
            min(0.6, 0.35 + 0.1 * (len(shared) - 2)),
            f"peer groups share {len(shared)} members' initials and year group",
        )
    elif len(shared) == 1:
        ev.add(0.1, "peer groups share 1 member's initials and year group")
    contexts = sorted(fa["context"] & fb["context"])
    for key in contexts[:3]:
        if key.startswith(Kind.ADULT.value):
            ev.add(0.3, f"both linked to the same adult of concern ({context_label[key]})")
        else:
            ev.add(0.2, f"both linked to the same place ({context_label[key]})")
    if not any(
        r.startswith(("same label", "similar label", "peer groups share")) for _, r in ev.for_
    ):
        return None
    return ev


# -- young people -----------------------------------------------------------------------------
def _person_features(person: YoungPerson, member: Member, context: set[str]) -> dict:
    pupil = _pupil(person, member)
    name = person.name.strip()
    visible = name != person.code and not re.fullmatch(r"[A-Z]{1,4}", name)
    return {
        "pupil": pupil,
        "name": " ".join(_words(name)) if visible else "",
        "context": context,
    }


def _person_blocks(entries: list[_Entry]) -> _Blocks:
    blocks = _Blocks()
    for index, entry in enumerate(entries):
        f = entry.features
        if f["pupil"] is None:
            continue
        for key in f["context"]:
            blocks.add(("context", key, f["pupil"].initials), index)
        if f["name"]:
            blocks.add(("name", f["name"]), index)
    return blocks


def _score_people(a: _Entry, b: _Entry, context_label: dict[str, str]) -> _Evidence | None:
    fa, fb = a.features, b.features
    pa, pb = fa["pupil"], fb["pupil"]
    if pa is None or pb is None or pa.initials != pb.initials:
        return None
    if pa.year is not None and pb.year is not None and pa.year != pb.year:
        return None
    if pa.age is not None and pb.age is not None and abs(pa.age - pb.age) > 1:
        return None
    ev = _Evidence()
    if _pupils_compatible(pa, pb):
        what = f"Year {pa.year}" if pa.year is not None else f"age {pa.age}"
        ev.add(0.25, f"same initials and year group ({pa.initials}, {what})")
    else:
        ev.add(0.1, f"same initials ({pa.initials}); year group and age not known for both")
    if fa["name"] and fa["name"] == fb["name"]:
        ev.add(0.1, "same name as the school knows them")
    contexts = sorted(fa["context"] & fb["context"])
    for key in contexts[:4]:
        if key.startswith(Kind.ADULT.value):
            ev.add(0.35, f"both linked to the same adult of concern ({context_label[key]})")
        elif key.startswith(Kind.PEER_GROUP.value):
            ev.add(0.3, f"both in peer groups that may be the same ({context_label[key]})")
        else:
            ev.add(0.15, f"both linked to the same place ({context_label[key]})")
    if not contexts:
        ev.cap = 0.3
        ev.oppose(
            1.0, "no shared adult, place or peer group links them: they may be different children"
        )
    return ev


# -- the passes -------------------------------------------------------------------------------
def _score_pairs(
    kind: Kind,
    entries: list[_Entry],
    schools: Sequence[SchoolTable],
    pairs: Iterable[tuple[int, int]],
    score: Callable[[_Entry, _Entry], _Evidence | None],
    threshold: float,
) -> list[PairMatch]:
    """The pairs scoring at least ``threshold`` (and above 0), strongest first."""
    matches: list[PairMatch] = []
    for i, j in pairs:
        evidence = score(entries[i], entries[j])
        if evidence is None:
            continue
        value = evidence.score
        if value < threshold or value <= 0:
            continue
        a, b = entries[i].member(schools), entries[j].member(schools)
        if b < a:
            a, b = b, a
        matches.append(PairMatch(kind, a, b, value, evidence.reasons(), member_key(kind, (a, b))))
    matches.sort(key=lambda m: (-m.score, m.key))
    return matches


def _cluster(kind: Kind, matches: list[PairMatch]) -> list[Candidate]:
    """Join pairs into candidates, strongest first, never putting two records of one
    school in one candidate; a pair that would is a candidate on its own."""
    parent: dict[Member, Member] = {}

    def root(m: Member) -> Member:
        parent.setdefault(m, m)
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    schools_of: dict[Member, set[str]] = {}
    joined: dict[Member, list[PairMatch]] = defaultdict(list)  # root → the pairs joining it
    apart: list[PairMatch] = []
    for match in matches:
        ra, rb = root(match.a), root(match.b)
        if ra == rb:
            joined[ra].append(match)
            continue
        sa = schools_of.get(ra, {match.a[0]})
        sb = schools_of.get(rb, {match.b[0]})
        if sa & sb:
            apart.append(match)
            continue
        parent[rb] = ra
        schools_of[ra] = sa | sb
        joined[ra] += [*joined.pop(rb, []), match]

    candidates = []
    for group in joined.values():
        group = sorted(group, key=lambda p: (-p.score, p.key))
        members = sorted({m for p in group for m in (p.a, p.b)})
        candidates.append(
            Candidate(
                kind=kind,
                members=members,
                # The weakest of the pairs that join the members (the strongest such).
                score=min(p.score for p in _spanning(group)),
                reasons=_cluster_reasons(group),
                key=member_key(kind, members),
                pairs=group,
            )
        )
    for match in apart:
        candidates.append(
            Candidate(
                kind, [match.a, match.b], match.score, list(match.reasons), match.key, [match]
            )
        )
    return candidates


def _cluster_reasons(pairs: list[PairMatch]) -> list[str]:
    """The reasons of a candidate's pairs, strongest pair first: one of each sort
    ("same postcode …", "similar name (…)"), unless its details differ in substance
    (two different registrations both shared are both given)."""
    seen: dict[str, str] = {}
    for pair in pairs:
        for reason in pair.reasons:
            stem = reason.split(" (", 1)[0]
            if reason.startswith(
                (
                    "same name (",
                    "similar name (",
                    "similar online name (",
                    "same online name (",
                    "similar label (",
                    "same label (",
                    "similar description (",
                    "same first name",
                    "both linked to",
                    "both in peer groups",
                    "alias ",
                )
            ):
                key = stem if not stem.startswith("alias ") else "alias"
            else:
                key = reason.lower()
            seen.setdefault(key, reason)
    return list(seen.values())


def _spanning(pairs: list[PairMatch]) -> list[PairMatch]:
    """The strongest pairs that join every member (a maximum spanning tree)."""
    parent: dict[Member, Member] = {}

    def root(m: Member) -> Member:
        parent.setdefault(m, m)
        while parent[m] != m:
            m = parent[m]
        return m

    chosen = []
    for pair in sorted(pairs, key=lambda p: (-p.score, p.key)):
        ra, rb = root(pair.a), root(pair.b)
        if ra != rb:
            parent[rb] = ra
            chosen.append(pair)
    return chosen


def _neighbours(table: MappingTable) -> dict[str, list[str]]:
    """Record id → the ids of the records its active links join it to."""
    found: dict[str, list[str]] = defaultdict(list)
    for link in table.active_links():
        found[link.a_id].append(link.b_id)
        found[link.b_id].append(link.a_id)
    return found


def _records(table: MappingTable, kind: Kind) -> list[Record]:
    return sorted(table.of_kind(kind), key=lambda r: (len(r.code), r.code, r.id))


def _check_schools(schools: Sequence[SchoolTable]) -> list[SchoolTable]:
    tables = [SchoolTable(*school) for school in schools]
    ids = [s.school_id for s in tables]
    if len(ids) != len(set(ids)):
        raise ValueError("Each school compared needs its own school id.")
    return tables


def find_candidates(
    schools: Sequence[SchoolTable | tuple[str, str, MappingTable]],
    *,
    threshold: float = LISTING_THRESHOLD,
) -> list[Candidate]:
    """Records from different schools that may be the same place, adult, peer group or
    young person, scored 0–1 with reasons, best first (then by kind, then key).
    Candidates scoring under ``threshold`` are left out. Nothing is merged."""
    tables = _check_schools(schools)
    found: list[Candidate] = []

    # 1. Places.
    place_entries = [
        _Entry(n, record, _place_features(record))  # type: ignore[arg-type]
        for n, school in enumerate(tables)
        for record in _records(school.table, Kind.LOCATION)
    ]
    place_candidates, places = _run(
        Kind.LOCATION, place_entries, tables, _place_blocks, _score_places, threshold
    )
    found += place_candidates

    # 2. Adults, with the matched places they are linked to.
    neighbours = [_neighbours(school.table) for school in tables]

    def linked(n: int, record_id: str, clusters: _Clusters) -> set[str]:
        """The matched clusters the record's linked records are in."""
        school_id = tables[n].school_id
        keys = set()
        for other_id in neighbours[n].get(record_id, ()):
            key = clusters.of.get((school_id, other_id))
            if key:
                keys.add(key)
        return keys

    adult_entries = [
        _Entry(n, record, _adult_features(record, linked(n, record.id, places)))  # type: ignore[arg-type]
        for n, school in enumerate(tables)
        for record in _records(school.table, Kind.ADULT)
    ]
    adult_candidates, adults = _run(
        Kind.ADULT,
        adult_entries,
        tables,
        _adult_blocks,
        lambda a, b: _score_adults(a, b, places),
        threshold,
    )
    found += adult_candidates

    # 3. Peer groups, with their members and the matched places and adults they are linked to.
    context = _Clusters()
    for clusters in (places, adults):
        context.of.update(clusters.of)
        context.label.update(clusters.label)
    group_entries = []
    for n, school in enumerate(tables):
        for record in _records(school.table, Kind.PEER_GROUP):
            assert isinstance(record, PeerGroup)
            pupils = []
            for membership in record.members:
                person = school.table.get(membership.person_id)
                if isinstance(person, YoungPerson) and person.active:
                    pupil = _pupil(person, (school.school_id, person.id))
                    if pupil:
                        pupils.append(pupil)
            features = _group_features(record, pupils, linked(n, record.id, context))
            group_entries.append(_Entry(n, record, features))
    group_candidates, groups = _run(
        Kind.PEER_GROUP,
        group_entries,
        tables,
        _group_blocks,
        lambda a, b: _score_groups(a, b, context.label),
        threshold,
    )
    found += group_candidates

    # 4. Young people, only through the matched adults, places and groups they are linked to.
    context.of.update(groups.of)
    context.label.update(groups.label)
    person_entries = []
    for n, school in enumerate(tables):
        in_groups: dict[str, set[str]] = defaultdict(set)
        for group in school.table.of_kind(Kind.PEER_GROUP):
            key = groups.of.get((school.school_id, group.id))
            if key:
                for membership in group.members:  # type: ignore[attr-defined]
                    in_groups[membership.person_id].add(key)
        for record in _records(school.table, Kind.YOUNG_PERSON):
            assert isinstance(record, YoungPerson)
            member = (school.school_id, record.id)
            keys = linked(n, record.id, context) | in_groups.get(record.id, set())
            person_entries.append(_Entry(n, record, _person_features(record, member, keys)))
    people_candidates, _ = _run(
        Kind.YOUNG_PERSON,
        person_entries,
        tables,
        _person_blocks,
        lambda a, b: _score_people(a, b, context.label),
        threshold,
    )
    found += people_candidates
    order = {kind: n for n, kind in enumerate(MATCHED_KINDS)}
    found.sort(key=lambda c: (-c.score, order[c.kind], c.key))
    return found


def _run(
    kind: Kind,
    entries: list[_Entry],
    schools: Sequence[SchoolTable],
    blocks: Callable[[list[_Entry]], _Blocks],
    score: Callable[[_Entry, _Entry], _Evidence | None],
    threshold: float,
) -> tuple[list[Candidate], _Clusters]:
    """One pass: the candidates at ``threshold``, and the clusters at the listing
    threshold (whatever ``threshold`` is) that later passes take as context."""
    pairs = blocks(entries).pairs([e.school for e in entries])
    matches = _score_pairs(kind, entries, schools, pairs, score, min(threshold, LISTING_THRESHOLD))
    listed = [m for m in matches if m.score >= LISTING_THRESHOLD]
    context = _context_clusters(_cluster(kind, listed), schools)
    wanted = [m for m in matches if m.score >= threshold]
    return (_cluster(kind, listed) if wanted == listed else _cluster(kind, wanted)), context


def _context_clusters(candidates: list[Candidate], schools: Sequence[SchoolTable]) -> _Clusters:
    """The listed candidates of a pass, as context for the passes after it."""
    clusters = _Clusters()
    tables = {s.school_id: s.table for s in schools}
    for candidate in sorted(candidates, key=lambda c: (-c.score, c.key)):
        school_id, record_id = candidate.members[0]
        record = tables[school_id].get(record_id)
        clusters.add(candidate, _shown(record.label_text()) if record else candidate.key)
    return clusters


def clear_caches() -> None:
    """Forget the memoised word and name comparisons (for a cold timing)."""
    for cached in (_weight, _similar_words, _soundex, _name_similarity, _compare_labels):
        cached.cache_clear()
    _kinds_compatible.cache_clear()


# -- the area's places ------------------------------------------------------------------------
_RAG_ORDER = {Rag.RED.value: 0, Rag.AMBER.value: 1, Rag.GREEN.value: 2}


def area_places(
    schools: Sequence[SchoolTable | tuple[str, str, MappingTable]],
    confirmed: set[str],
    candidates: list[Candidate] | None = None,
) -> list[AreaPlace]:
    """Every place the schools name, confirmed matches counted as one place: how many
    schools name it and the worst rating any gave it, most schools first, then the
    worst rated, then by label. ``confirmed`` holds candidate keys (a whole candidate's,
    or one of its pairs'); ``candidates`` saves finding them again."""
    tables = _check_schools(schools)
    if candidates is None:
        candidates = find_candidates(tables)
    school_order = {s.school_id: n for n, s in enumerate(tables)}
    records: dict[Member, Location] = {}
    for school in tables:
        for record in _records(school.table, Kind.LOCATION):
            records[(school.school_id, record.id)] = record  # type: ignore[assignment]

    parent: dict[Member, Member] = {m: m for m in records}

    def root(m: Member) -> Member:
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    joined_by: dict[Member, set[str]] = defaultdict(set)
    for candidate in candidates:
        if candidate.kind != Kind.LOCATION:
            continue
        links: list[tuple[list[Member], str]] = []
        if candidate.key in confirmed:
            links.append((candidate.members, candidate.key))
        links += [
            ([p.a, p.b], p.key)
            for p in candidate.pairs
            if p.key in confirmed and p.key != candidate.key
        ]
        for members, key in links:
            present = [m for m in members if m in records]
            for m in present:
                joined_by[m].add(key)
            for m in present[1:]:
                ra, rb = root(present[0]), root(m)
                if ra != rb:
                    parent[rb] = ra

    groups: dict[Member, list[Member]] = defaultdict(list)
    for member in records:
        groups[root(member)].append(member)
    found = []
    for members in groups.values():
        members.sort(key=lambda m: (school_order[m[0]], len(records[m].code), records[m].code))
        first = records[members[0]]
        school_ids = list(dict.fromkeys(m[0] for m in members))
        labels = list(dict.fromkeys(_shown(records[m].label) for m in members))
        postcode = next((_postcode(records[m])[0] for m in members if _postcode(records[m])[0]), "")
        rating = min((records[m].rating for m in members), key=lambda r: _RAG_ORDER.get(r, 3))
        keys = sorted({k for m in members for k in joined_by.get(m, ())})
        found.append(
            AreaPlace(
                label=labels[0],
                labels=labels,
                kind=first.location_kind,
                postcode=postcode,
                members=members,
                school_ids=school_ids,
                rating=rating,
                keys=keys,
            )
        )
    found.sort(key=lambda p: (-p.schools, _RAG_ORDER.get(p.rating, 3), p.label.lower(), p.members))
    return found


__all__ = [
    "LISTING_THRESHOLD",
    "MATCHED_KINDS",
    "AreaPlace",
    "Candidate",
    "Member",
    "PairMatch",
    "SchoolTable",
    "area_places",
    "clear_caches",
    "extract_handles",
    "extract_phones",
    "extract_plates",
    "find_candidates",
    "member_key",
]
