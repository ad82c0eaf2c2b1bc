"""Records, links and evidence to and from plain JSON-able dicts.

The one translation between the domain classes and text: the workspace stores
these dicts, bundles carry them, and the spreadsheet reads and writes through them.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

from saferyp_desktop.domain.records import (
    RECORD_TYPES,
    Attendee,
    Discussion,
    Evidence,
    Kind,
    Link,
    Membership,
    Record,
)
from saferyp_desktop.errors import RecordInvalid

_NESTED = {
    "members": Membership,
    "attendees": Attendee,
    "apologies": Attendee,
    "discussions": Discussion,
}


def _int(value: Any) -> int:
    return value if isinstance(value, int) else int(value)


def _decoder_for(name: str, hint: Any) -> Callable[[Any], Any] | None:
    """How to turn a JSON value back into the field's type (None: use it as it is)."""
    base = {t for t in typing.get_args(hint) if t is not type(None)} or {hint}
    if datetime in base:
        return datetime.fromisoformat
    if date in base:
        return date.fromisoformat
    if name in _NESTED:
        nested = _NESTED[name]
        return lambda items: [nested(**item) for item in items]
    if int in base:
        return _int
    return None


@cache
def _decoders(cls: type) -> dict[str, Callable[[Any], Any] | None]:
    """Every field of ``cls`` with its decoder; computed once per class (loading is hot)."""
    hints = typing.get_type_hints(cls)
    return {f.name: _decoder_for(f.name, hints[f.name]) for f in dataclasses.fields(cls)}


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def to_dict(item: Record | Link | Evidence) -> dict[str, Any]:
    """Every field, JSON-able; records also carry their ``kind``."""
    data = {f.name: _encode(getattr(item, f.name)) for f in dataclasses.fields(item)}
    if isinstance(item, Record):
        data["kind"] = item.kind.value
    return data


def _build(cls: type, data: dict[str, Any]) -> Any:
    decoders = _decoders(cls)
    kwargs = {}
    try:
        for name, value in data.items():
            if name == "kind":
                continue
            decode = decoders[name]
            kwargs[name] = value if decode is None or value is None else decode(value)
        return cls(**kwargs)
    except KeyError as error:
        raise RecordInvalid(f"Unknown field “{error.args[0]}”.") from None
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
