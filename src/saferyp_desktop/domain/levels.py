"""Data levels for exports and printed documents: full names, initials, or codes only.

The one place that decides what a record is called at a level (DESIGN.md §5).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Adult,
    Attendee,
    Discussion,
    Evidence,
    KeyConcern,
    Link,
    Meeting,
    Membership,
    Record,
    Strength,
    StrengthKind,
    YoungPerson,
    derive_initials,
)


class DataLevel(StrEnum):
    FULL = "full"
    INITIALS = "initials"
    CODES = "codes"


LEVEL_TITLES = {
    DataLevel.FULL: "Full names",
    DataLevel.INITIALS: "Initials",
    DataLevel.CODES: "Codes only",
}

# Printed documents default to initials.
PRINT_DEFAULT = DataLevel.INITIALS


def is_person(record: Record) -> bool:
    return isinstance(record, YoungPerson | Adult)


def initials_of(record: Record) -> str:
    """The initials a person is shown by; a young person's may have been edited."""
    if isinstance(record, YoungPerson):
        return record.initials or derive_initials(record.name)
    if isinstance(record, Adult):
        return derive_initials(record.name)
    return ""


def is_trusted_adult(record: Record) -> bool:
    """A strength that is a person (a named member of staff or a relative)."""
    return isinstance(record, Strength) and record.strength_kind == StrengthKind.TRUSTED_ADULT.value


def display_name(record: Record, level: DataLevel) -> str:
    """What a record is called at ``level``: people are reduced; places and groups keep
    their labels except at the codes level."""
    if level == DataLevel.CODES:
        return record.code
    if level != DataLevel.FULL and is_trusted_adult(record):
        return StrengthKind.TRUSTED_ADULT.value
    if is_person(record):
        return record.label_text() if level == DataLevel.FULL else initials_of(record)
    return record.label_text()


def display_with_code(record: Record, level: DataLevel) -> str:
    name = display_name(record, level)
    return record.code if name == record.code else f"{record.code} {name}"


Scrub = Callable[[str], str]

# Free text a DSL writes; any of it may name someone.
_FREE_TEXT = (
    "notes",
    "description",
    "where",
    "when",
    "guardianship",
    "detail",
    "rationale",
    "strengths",
)


def staff_name(name: str, level: DataLevel) -> str:
    """A professional's name (DSL, chair, attendee, who recorded evidence) at ``level``."""
    if level == DataLevel.FULL:
        return name
    return derive_initials(name) if level == DataLevel.INITIALS else ""


def redact(record: Record, level: DataLevel, scrub: Scrub | None = None) -> Record:
    """A copy of ``record`` holding only what ``level`` allows. The one place that decides.

    Initials: people's names become initials and their aliases and handles go; staff
    names become initials; free text and labels pass through ``scrub`` (a
    :class:`NameScrubber` of the whole table) so a name written in a note becomes
    initials too. Codes: people are their codes alone; staff names, free text, member
    roles and a concern's words go (the concern keeps its code); a postcode keeps only
    its area.
    """
    if level == DataLevel.FULL:
        return record
    changes: dict[str, object] = {}
    if isinstance(record, YoungPerson):
        changes["name"] = initials_of(record) if level == DataLevel.INITIALS else record.code
        if level == DataLevel.CODES:
            changes.update(initials="", gender="")
    elif isinstance(record, Adult):
        changes.update(
            name=initials_of(record) if level == DataLevel.INITIALS else record.code,
            aliases=[],
            handles=[],
        )
        if level == DataLevel.CODES:
            changes["vehicle"] = ""
    elif is_trusted_adult(record):
        changes["label"] = StrengthKind.TRUSTED_ADULT.value
    elif isinstance(record, Meeting):
        changes["chair"] = staff_name(record.chair, level)
        for group in ("attendees", "apologies"):
            changes[group] = [
                Attendee(name=staff_name(a.name, level), role=a.role, organisation=a.organisation)
                for a in getattr(record, group)
            ]
        changes["discussions"] = [
            Discussion(
                subject=d.subject,
                summary=""
                if level == DataLevel.CODES
                else (scrub(d.summary) if scrub else d.summary),
            )
            for d in record.discussions
        ]
    present = [name for name in _FREE_TEXT if hasattr(record, name)]
    if level == DataLevel.CODES:
        changes.update({name: "" for name in present})
        if isinstance(record, KeyConcern):
            changes["text"] = record.code
        if hasattr(record, "members"):
            changes["members"] = [Membership(person_id=m.person_id) for m in record.members]
        if getattr(record, "postcode", ""):
            # The outward code names an area; the whole postcode can name a home.
            changes["postcode"] = record.postcode.split(" ")[0]
    elif scrub is not None:
        for name in (*present, "text", "label"):
            if hasattr(record, name) and name not in changes:
                changes[name] = scrub(getattr(record, name))
    return dataclasses.replace(record, **changes)


def redact_link(link: Link, level: DataLevel, scrub: Scrub | None = None) -> Link:
    """A link keeps its relation and confidence; its note is scrubbed, or dropped at codes."""
    if level == DataLevel.CODES:
        return dataclasses.replace(link, note="")
    if level == DataLevel.INITIALS and scrub is not None:
        return dataclasses.replace(link, note=scrub(link.note))
    return link


def redact_evidence(item: Evidence, level: DataLevel, scrub: Scrub | None = None) -> Evidence:
    """Initials: the recorder's initials and a scrubbed summary. Codes: neither."""
    if level == DataLevel.FULL:
        return item
    if level == DataLevel.INITIALS:
        summary = scrub(item.summary) if scrub is not None else item.summary
        return dataclasses.replace(
            item, recorded_by=staff_name(item.recorded_by, level), summary=summary
        )
    return dataclasses.replace(item, summary="", recorded_by="")


# -- free text -------------------------------------------------------------------
_WORD = re.compile(r"[\w@#][\w@#.'’\-]*")


def _words(text: str) -> list[str]:
    return [w.rstrip(".'’-") for w in _WORD.findall(text)]


_PIECES = re.compile(r"[-'’]")
# Words of an adult's "name" that describe rather than name ("Male known as 'Tiny'").
_NOT_NAMES = frozenset(
    "male female man woman boy girl lad unknown known as aka the a an of older younger "
    "young adult driver mr mrs ms miss mx dr".split()
)


def _name_parts(name: str) -> list[str]:
    """The capitalised words of a name on their own, and the parts of a hyphenated one
    ("Jordan Lee-Smith": Jordan, Lee-Smith, Lee, Smith), less descriptive words."""
    parts: list[str] = []
    for word in _words(name):
        for part in (word, *(word.split("-") if "-" in word else ())):
            if len(part) >= 2 and part[0].isupper() and part.casefold() not in _NOT_NAMES:
                parts.append(part)
    return parts


class NameScrubber:
    """Replaces the names, aliases and handles of young people and adults in free text
    with their initials. Multi-word phrases match in any case; a one-word name or
    alias only as written (so the alias "Money" does not take "money" out of a sentence).
    A part of a person's name written on its own ("Jordan was seen…") becomes its
    initial ("J was seen…"): a first name alone is often enough to know a child."""

    def __init__(self, table: MappingTable) -> None:
        self._by_first: dict[str, list[tuple[str, str]]] = {}
        for record in table.records.values():
            if isinstance(record, YoungPerson):
                phrases = [record.name]
            elif isinstance(record, Adult):
                phrases = [record.name, *record.aliases, *record.handles]
                # A handle's core ("@kd.runs" in "@kd.runs (Instagram)") on its own too.
                phrases += [w for h in record.handles for w in _words(h) if _handle_like(w)]
            else:
                continue
            replacement = initials_of(record) or record.code
            for phrase in phrases:
                words = _words(phrase)
                if not words or len("".join(words)) < 2:
                    continue
                key = words[0].casefold() if len(words) > 1 else words[0]
                self._by_first.setdefault(key, []).append((phrase.strip(), replacement))
            for part in _name_parts(record.name):
                self._by_first.setdefault(part, []).append((part, part[0]))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def __call__(self, text: str) -> str:
        if not text or not self._by_first:
            return text
        words = _words(text)
        keys = set(words) | {w.casefold() for w in words}
        keys |= {piece for w in words for piece in _PIECES.split(w) if piece}  # Smith's
        candidates = [e for key in keys & self._by_first.keys() for e in self._by_first[key]]
        if not candidates:
            return text
        candidates.sort(key=lambda e: -len(e[0]))
        for phrase, replacement in candidates:
            text = _phrase_pattern(phrase).sub(replacement, text)
        return text


def _handle_like(word: str) -> bool:
    return len(word) >= 3 and (any(c in word for c in "@._") or any(c.isdigit() for c in word))


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    parts = phrase.split()
    body = r"\s+".join(re.escape(p) for p in parts)
    flags = re.IGNORECASE if len(parts) > 1 else 0
    return re.compile(rf"(?<![\w@#]){body}(?![\w@#])", flags)
