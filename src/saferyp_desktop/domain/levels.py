"""Data levels for exports and printed documents: full names, initials, or codes only.

The one place that decides what a record is called at a level (DESIGN.md §5).
"""

from __future__ import annotations

import dataclasses
import re
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Adult,
    Attendee,
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


def redact(record: Record, level: DataLevel) -> Record:
    """A copy of ``record`` holding only what ``level`` allows.

    Initials: people's names become initials and their aliases and handles go.
    Codes: people are their codes alone, and free text (notes, descriptions) goes too,
    since a DSL's notes may name someone.
    """

    if level == DataLevel.FULL:
        return record
    changes: dict[str, object] = {}
    if isinstance(record, YoungPerson):
        changes["name"] = initials_of(record) if level == DataLevel.INITIALS else record.code
        if level == DataLevel.CODES:
            changes.update(initials="", gender="", strengths="")
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
        changes["chair"] = derive_initials(record.chair) if level == DataLevel.INITIALS else ""
        changes["attendees"] = [
            Attendee(
                name=derive_initials(a.name) if level == DataLevel.INITIALS else "",
                role=a.role,
                organisation=a.organisation,
            )
            for a in record.attendees
        ]
    if level == DataLevel.CODES:
        changes["notes"] = ""
        for text_field in ("description", "where", "when", "guardianship", "detail", "rationale"):
            if hasattr(record, text_field):
                changes[text_field] = ""
        if isinstance(record, KeyConcern):
            changes["text"] = record.code
        if hasattr(record, "members"):
            changes["members"] = [Membership(person_id=m.person_id) for m in record.members]
        if getattr(record, "postcode", ""):
            # The outward code names an area; the whole postcode can name a home.
            changes["postcode"] = record.postcode.split(" ")[0]
    return dataclasses.replace(record, **changes)


def redact_link(link: Link, level: DataLevel) -> Link:
    """At the codes level a link keeps its relation and confidence, not its note."""
    return dataclasses.replace(link, note="") if level == DataLevel.CODES else link


def redact_evidence(item: Evidence, level: DataLevel) -> Evidence:
    """Initials: who recorded it becomes initials. Codes: no summary and no recorder."""
    if level == DataLevel.FULL:
        return item
    if level == DataLevel.INITIALS:
        return dataclasses.replace(item, recorded_by=derive_initials(item.recorded_by))
    return dataclasses.replace(item, summary="", recorded_by="")


# -- free text -------------------------------------------------------------------
_WORD = re.compile(r"[\w@#][\w@#.'’\-]*")


def _words(text: str) -> list[str]:
    return [w.rstrip(".'’-") for w in _WORD.findall(text)]


class NameScrubber:
    """Replaces the names, aliases and handles of young people and adults in free text
    with their initials. Multi-word phrases match in any case; a one-word name or
    alias only as written (so the alias "Money" does not take "money" out of a sentence)."""

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
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def __call__(self, text: str) -> str:
        if not text or not self._by_first:
            return text
        words = _words(text)
        keys = set(words) | {w.casefold() for w in words}
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
