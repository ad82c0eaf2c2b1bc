"""Records, links and evidence to and from plain JSON-able dicts.

The one translation between the domain classes and text: the workspace stores
these dicts, bundles carry them, and the spreadsheet reads and writes through them.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date, datetime
from functools import cache
from typing import Any

from saferyp_desktop.domain.records import (
    RECORD_TYPES,
    Attendee,
    Evidence,
    Kind,
    Link,
    Membership,
    Record,
)
from saferyp_desktop.errors import RecordInvalid

_NESTED = {"members": Membership, "attendees": Attendee}


@cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _decode(name: str, hint: Any, value: Any) -> Any:
    if value is None:
        return None
    base = {t for t in typing.get_args(hint) if t is not type(None)} or {hint}
    if datetime in base:
        parsed = datetime.fromisoformat(value)
        return parsed
    if date in base:
        return date.fromisoformat(value)
    if name in _NESTED:
        return [_NESTED[name](**item) for item in value]
    if int in base and not isinstance(value, int):
        return int(value)
    return value


def to_dict(item: Record | Link | Evidence) -> dict[str, Any]:
    """Every field, JSON-able; records also carry their ``kind``."""
    data = {f.name: _encode(getattr(item, f.name)) for f in dataclasses.fields(item)}
    if isinstance(item, Record):
        data["kind"] = item.kind.value
    return data


def _build(cls: type, data: dict[str, Any]) -> Any:
    types = _field_types(cls)
    unknown = set(data) - set(types) - {"kind"}
    if unknown:
        raise RecordInvalid(f"Unknown field “{sorted(unknown)[0]}”.")
    try:
        kwargs = {
            name: _decode(name, types[name], value)
            for name, value in data.items()
            if name != "kind"
        }
        return cls(**kwargs)
    except (TypeError, ValueError) as error:
        raise RecordInvalid(f"A {cls.__name__} has a bad or missing field ({error}).") from None


def record_from_dict(data: dict[str, Any]) -> Record:
    try:
        cls = RECORD_TYPES[Kind(data["kind"])]
    except (KeyError, ValueError):
        raise RecordInvalid("A record has no known kind.") from None
    return _build(cls, data)


def link_from_dict(data: dict[str, Any]) -> Link:
    return _build(Link, data)


def evidence_from_dict(data: dict[str, Any]) -> Evidence:
    return _build(Evidence, data)
